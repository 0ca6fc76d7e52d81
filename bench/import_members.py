"""Member import of a 1 000 000-row .xlsx, side by side in one run (issue 3, Performance):

1. raw PostgreSQL COPY of the same rows, pre-parsed (read from the file before the clock starts), into a
   plain table of text columns with a unique index (ID number) and a plain one (name): the floor;
2. ours, end to end: `gonghui import-members FILE --org CODE --json` (read, validate, encrypt, dedupe,
   commit; gonghui/members/importing.py) as a child process;
3. django-import-export (`bench` extra in pyproject.toml) importing the same file into Member with the
   same work per row: a ModelResource whose before_import_row runs `facts.clean` and `actions.protect`,
   found by the blind index (import_id_fields), a member number from a block allocated up front, a
   `joined` event per new member (after_save_instance), a row already there or repeated in the file
   rejected, one transaction per row (the library's default). It reads the file with tablib (the whole
   sheet in memory); when 1 M rows would take longer than `--ie-max-minutes` it imports the first
   `--ie-rows` rows of the same file instead and says so.

Each of the three runs into a fresh database (dropped and created, migrated, `gonghui demo --scale small`
for the target union and a few thousand members already there). Peak memory is sampled every 0.2 s over
the child process and all its descendants (the importer's worker processes): the sum of their RSS
(shared pages counted in each process) and of their PSS (shared pages divided among them).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/gh_bench_import   # dropped and re-created!
    .venv/bin/pip install -e '.[bench]'       # django-import-export
    .venv/bin/python bench/import_members.py  # --rows 1000000 --ie-rows 50000; --only raw,ours,ie

The file is generated once (openpyxl write-only, deterministic) and kept under var/bench/: realistic rows
from the demo generator (gonghui/demo/members.py: valid ID numbers of 合肥 counties and migrant workers'
home counties, names, dates as Excel dates and as text, short forms such as 本科 and 汉), the ID and
mobile columns formatted as text, no member numbers (the system issues them), and ≈ 1 % invalid rows of
the kinds people make (wrong check character, an ID typed as a number, under 16 at joining, a bad mobile,
digits in a name, an unknown ethnicity, gender contradicting the ID, a join date in the future, the same
ID twice).
"""

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
BENCH_DIR = ROOT / "var" / "bench"
GONGHUI = str(ROOT / ".venv" / "bin" / "gonghui")
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gh_bench_import"
SEED = 2026
INVALID_SHARE = 0.01


# ---------------------------------------------------------------------------------------------
# The file


def file_path(rows: int) -> Path:
    return BENCH_DIR / f"members_{rows}.xlsx"


def generate_rows(rows: int):
    """(values, expected problem or None) for `rows` rows: demo members of 合肥 unions, ≈ 1 % spoiled."""
    import django

    django.setup()
    from gonghui.common import codesets, regions
    from gonghui.demo import members as demo_members

    rng = random.Random(f"bench-import:{SEED}")
    county_rows = [r for r in regions.read_csv() if r["level"] == "county"]
    pools = demo_members.build_regions(county_rows)
    counties = [c for c in pools.city["340102"]]
    industries = ["制造业", "建筑业", "批发和零售业", "交通运输、仓储和邮政业", "住宿和餐饮业", "教育",
                  "卫生和社会工作", "信息传输、软件和信息技术服务业", "居民服务、修理和其他服务业", "房地产业"]
    types = ["private", "private", "private", "state", "institution", "foreign"]
    per_union = 20_000
    made = 0
    seen: list[str] = []
    n_union = 0
    while made < rows:
        union = demo_members.Union(
            pk=1, code=f"BENCH{n_union:05d}", region=counties[n_union % len(counties)],
            founded=datetime.date(2000, 1, 1) + datetime.timedelta(days=rng.randrange(20 * 365)),
            industry=industries[n_union % len(industries)], employer_type=types[n_union % len(types)], group="",
            count=min(per_union, rows - made), first_id=made + 1, neighbours=())
        n_union += 1
        for r in demo_members.generate(union, seed=SEED, regions=pools):
            values = {
                "name": r.name,
                "gender": "" if rng.random() < 0.3 else codesets.GENDER.entries[r.gender],
                "ethnicity": "汉" if r.ethnicity == "01" and rng.random() < 0.2 else codesets.ETHNICITY.entries[
                    r.ethnicity],
                "id_number": r.id_number,
                "birth_date": r.birth_date if rng.random() < 0.6 else None,
                "mobile": r.mobile,
                "education": {"21": "本科", "31": "大专", "61": "高中"}.get(r.education) if rng.random() < 0.3
                else codesets.EDUCATION.entries[r.education],
                "political_status": codesets.POLITICAL_STATUS.entries[r.political_status],
                "household_type": codesets.HOUSEHOLD_TYPE.entries[r.household_type],
                "is_migrant_worker": "是" if r.is_migrant_worker else "否",
                "worker_group": codesets.WORKER_GROUP.entries.get(r.worker_group, ""),
                "join_date": r.join_date if rng.random() < 0.8 else rng.choice(
                    (f"{r.join_date.year}-{r.join_date.month}-{r.join_date.day}", f"{r.join_date:%Y年%m月%d日}",
                     f"{r.join_date:%Y/%m/%d}", f"{r.join_date:%Y%m%d}")),
                "member_number": "",
            }
            problem = None
            if rng.random() < INVALID_SHARE:
                problem = spoil(values, rng, seen)
            if len(seen) < 50_000:
                seen.append(values["id_number"] if isinstance(values["id_number"], str) else "")
            made += 1
            yield values, problem


def spoil(values: dict, rng: random.Random, seen: list[str]) -> str:
    kind = rng.choice(("check", "number", "young", "mobile", "name", "ethnicity", "gender", "future", "duplicate"))
    number = values["id_number"]
    if kind == "check":
        values["id_number"] = number[:17] + ("0" if number[17] != "0" else "1")
    elif kind == "number":
        values["id_number"] = int(number[:15] + "000")  # what Excel keeps of an 18-digit number
    elif kind == "young":
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        values["join_date"] = born + datetime.timedelta(days=365 * 15)
    elif kind == "mobile":
        values["mobile"] = "1234567"
    elif kind == "name":
        values["name"] = values["name"] + "2"
    elif kind == "ethnicity":
        values["ethnicity"] = "火星族"
    elif kind == "gender":
        values["gender"] = "女" if int(number[16]) % 2 else "男"
    elif kind == "future":
        values["join_date"] = "2030-01-01"
    elif kind == "duplicate" and any(seen):
        values["id_number"] = rng.choice([s for s in seen[-1000:] if s] or [number])
    return kind


def write_file(rows: int, path: Path, labels: dict) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("会员")
    fields = list(labels)
    ws.append([labels[f] for f in fields])
    text = {"id_number", "mobile", "member_number"}
    spoiled = 0
    for i, (values, problem) in enumerate(generate_rows(rows), start=1):
        spoiled += problem is not None
        row = []
        for f in fields:
            value = values[f]
            if f in text and isinstance(value, str):
                cell = WriteOnlyCell(ws, value=value or None)
                cell.number_format = "@"
                row.append(cell)
            else:
                row.append(value if value != "" else None)
        ws.append(row)
        if i % 100_000 == 0:
            print(f"  已写 {i} 行（{time.perf_counter() - started:.0f} 秒）", flush=True)
    tmp = path.with_suffix(".tmp")
    wb.save(tmp)
    tmp.rename(path)
    print(f"已生成 {path}：{rows} 行，其中有意写错 {spoiled} 行，用时 {time.perf_counter() - started:.0f} 秒，"
          f"{path.stat().st_size / 2**20:.0f} MB", flush=True)


def first_rows_file(path: Path, rows: int) -> Path:
    """The first `rows` data rows of `path` as a file of their own (for the slow importer)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from python_calamine import CalamineWorkbook

    out = path.with_name(f"{path.stem}_first{rows}.xlsx")
    if out.exists():
        return out
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("会员")
    for i, row in enumerate(sheet.iter_rows()):
        if i > rows:
            break
        cells = []
        for j, value in enumerate(row):
            if i and j in (3, 5, 12) and isinstance(value, str):
                cell = WriteOnlyCell(ws, value=value or None)
                cell.number_format = "@"
                cells.append(cell)
            else:
                cells.append(value if value != "" else None)
        ws.append(cells)
    wb.save(out)
    return out


def tsv_of(path: Path) -> tuple[bytes, int]:
    """The file's rows as COPY text (read before timing: "pre-parsed"), the first row per ID number."""
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    lines, seen = [], set()
    for i, row in enumerate(sheet.iter_rows()):
        if i == 0:
            continue
        cells = []
        for value in row:
            if value is None or value == "":
                cells.append(r"\N")
            elif isinstance(value, datetime.datetime | datetime.date):
                cells.append(value.isoformat()[:10])
            elif isinstance(value, float) and value.is_integer():
                cells.append(str(int(value)))
            else:
                cells.append(str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " "))
        if cells[3] in seen or cells[3] == r"\N":
            continue
        seen.add(cells[3])
        lines.append("\t".join(cells))
    return ("\n".join(lines) + "\n").encode(), len(lines)


# ---------------------------------------------------------------------------------------------
# Databases and measuring


def admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def fresh_db(url: str) -> str:
    """Drop and create the database of `url`, migrate it and load the small demo; the code of the
    demo grassroots union (the import target)."""
    import psycopg

    server, name = admin_url(url)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = os.environ | {"DATABASE_URL": url}
    subprocess.run([GONGHUI, "migrate", "-v0"], env=env, check=True)
    out = subprocess.run([GONGHUI, "demo", "--scale", "small", "--json"], env=env, check=True, capture_output=True,
                         text=True).stdout
    return next(a["org"] for a in json.loads(out)["accounts"] if a["username"] == "jiceng")


class TreeMemory(threading.Thread):
    """Samples every 0.2 s a process and its descendants (peak sum of RSS and of PSS, MB) and the
    PostgreSQL backends serving database `db` (their CPU seconds, kept per backend until it exits)."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, pid: int, db: str):
        super().__init__(daemon=True)
        self.pid, self.peak_rss, self.peak_pss, self.peak_procs = pid, 0.0, 0.0, 0
        self.backend = f" {db} ".encode()
        self.pg_cpu: dict[int, float] = {}
        self.done = threading.Event()

    def scan(self) -> list[int]:
        """The pids of the tree; records the CPU of the database's backends on the way."""
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
                if int(entry) != self.pid:
                    with open(f"/proc/{entry}/cmdline", "rb") as f:
                        cmdline = f.read()
                    if cmdline.startswith(b"postgres: ") and self.backend in cmdline:
                        self.pg_cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / self.TICK
            except (OSError, IndexError, ValueError):
                continue
        out, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo += children.get(pid, [])
        return out

    @staticmethod
    def kb(pid: int, path: str, key: str) -> int:
        try:
            with open(f"/proc/{pid}/{path}") as f:
                for line in f:
                    if line.startswith(key):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def run(self):
        while not self.done.wait(0.2):
            self.sample()

    def sample(self):
        pids = self.scan()
        rss = sum(self.kb(p, "status", "VmRSS:") for p in pids) / 1024
        pss = sum(self.kb(p, "smaps_rollup", "Pss:") for p in pids) / 1024
        self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
        self.peak_procs = max(self.peak_procs, len(pids))

    def stop(self) -> None:
        self.done.set()
        self.join()

    @property
    def pg_seconds(self) -> float:
        return sum(self.pg_cpu.values())


def run_measured(cmd: list[str], env: dict) -> tuple[str, float, TreeMemory, object, float]:
    """(stdout, seconds, sampler, rusage, maxrss MB) of `cmd`. rusage (wait4): the CPU of the child
    and the children it waited for. maxrss: the largest resident set of one process of the command,
    as GNU time reports it (run under a small /usr/bin/time: Linux keeps a process's high-water mark
    across fork and exec, so a child forked from this script would report this script's peak)."""
    db = admin_url(env["DATABASE_URL"])[1]
    started = time.perf_counter()
    cmd = ["/usr/bin/time", "-f", "gh-bench-maxrss-kb=%M", *cmd]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = TreeMemory(proc.pid, db)
    memory.start()
    streams: dict[str, str] = {}
    readers = [threading.Thread(target=lambda n=name, f=f: streams.__setitem__(n, f.read()))
               for name, f in (("out", proc.stdout), ("err", proc.stderr))]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    seconds = time.perf_counter() - started
    memory.stop()
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} 失败：\n{streams['err'][-3000:]}")
    maxrss = int(streams["err"].rsplit("gh-bench-maxrss-kb=", 1)[1].split()[0]) / 1024
    return streams["out"], seconds, memory, usage, maxrss


def measured(memory: TreeMemory, usage, maxrss: float) -> dict:
    return {"rss": memory.peak_rss, "pss": memory.peak_pss, "procs": memory.peak_procs, "maxrss": maxrss,
            "cpu": usage.ru_utime + usage.ru_stime, "pg_cpu": memory.pg_seconds}


def measure_raw(url: str, path: Path) -> dict:
    import psycopg

    fresh_db(url)
    data, rows = tsv_of(path)
    with psycopg.connect(url) as conn:
        conn.execute("""CREATE TABLE raw_member (name text, gender text, ethnicity text, id_number text NOT NULL,
            birth_date text, mobile text, education text, political_status text, household_type text,
            is_migrant_worker text, worker_group text, join_date text, member_number text)""")
        conn.execute("CREATE UNIQUE INDEX raw_member_id ON raw_member (id_number)")
        conn.execute("CREATE INDEX raw_member_name ON raw_member (name)")
        conn.commit()
        memory = TreeMemory(os.getpid(), admin_url(url)[1])
        memory.sample()
        before = memory.pg_seconds
        memory.start()
        started, cpu = time.perf_counter(), time.process_time()
        with conn.cursor() as cur, cur.copy("COPY raw_member FROM STDIN") as copy:
            for i in range(0, len(data), 1 << 20):
                copy.write(data[i:i + (1 << 20)])
        conn.commit()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        memory.sample()
        memory.stop()
        (count,) = conn.execute("SELECT count(*) FROM raw_member").fetchone()
    return {"rows": rows, "imported": count, "seconds": seconds, "cpu": cpu, "pg_cpu": memory.pg_seconds - before}


def measure_ours(url: str, path: Path, code: str | None = None) -> dict:
    """`code`: another checkout whose gonghui package runs the import (put first on PYTHONPATH, ahead of
    the editable install), for a before/after in one run."""
    org = fresh_db(url)
    env = os.environ | {"DATABASE_URL": url} | ({"PYTHONPATH": code} if code else {})
    out, seconds, memory, usage, maxrss = run_measured([GONGHUI, "import-members", str(path), "--org", org, "--json"],
                                                       env)
    result = json.loads(out.strip().splitlines()[-1])
    kinds: dict[str, int] = {}
    for e in result["errors"]:
        kinds[e["column"]] = kinds.get(e["column"], 0) + 1
    return {"rows": result["rows"], "imported": result["imported"], "rejected": result["rejected"],
            "seconds": seconds, "own_seconds": result["seconds"], "errors_by_column": kinds} | measured(memory, usage,
                                                                                                  maxrss)


def measure_ie(url: str, path: Path) -> dict:
    org = fresh_db(url)
    env = os.environ | {"DATABASE_URL": url}
    out, seconds, memory, usage, maxrss = run_measured([sys.executable, __file__, "--ie-child", str(path), org], env)
    result = json.loads(out.strip().splitlines()[-1])
    return result | {"seconds": seconds} | measured(memory, usage, maxrss)


def ie_child(path: str, org_code: str) -> None:
    """django-import-export, in its own process against the fresh database."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.exceptions import ValidationError
    from django.utils import timezone
    from import_export import fields, resources
    from tablib import Dataset

    from gonghui.members import facts, numbers
    from gonghui.members.actions import protect
    from gonghui.members.models import Member, MemberEvent
    from gonghui.orgs.models import Org

    settings.DEBUG = False
    org = Org.objects.get(code=org_code)
    id_label = facts.LABELS["id_number"]
    plain = ["name", "gender", "birth_date", "ethnicity", "education", "political_status", "household_type",
             "is_migrant_worker", "worker_group", "join_date"]

    class MemberResource(resources.ModelResource):
        # The ID column identifies the member, through its blind index (before_import_row puts it there).
        id_index = fields.Field(attribute="id_index", column_name=id_label)

        class Meta:
            model = Member
            fields = ("id_index", *plain, "doc_type", "id_number_enc", "id_masked", "mobile_enc", "mobile_masked",
                      "member_number", "source")
            import_id_fields = ("id_index",)
            skip_diff = True

        def before_import(self, dataset, **kwargs):
            self.numbers = iter(numbers.allocate(org, timezone.localdate().year, len(dataset)))

        def before_import_row(self, row, **kwargs):
            raw = {name: row.get(label) for name, label in facts.LABELS.items()}
            cleaned, problems = facts.clean(raw)
            if problems:
                raise ValidationError([f"{facts.LABELS.get(f, f)}：{message}" for f, message in problems])
            stored = protect(cleaned)
            row.update({name: getattr(cleaned, name) for name in plain} | stored)
            row.update({id_label: stored["id_index"], "doc_type": cleaned.doc_type, "source": "import",
                        "member_number": cleaned.member_number or next(self.numbers)})

        def after_init_instance(self, instance, new, row, **kwargs):
            if not new:
                raise ValidationError("该身份证号已登记（库中已有或文件中重复）。")
            instance.org = org

        def after_save_instance(self, instance, row, **kwargs):
            MemberEvent.objects.create(member=instance, kind=MemberEvent.Kind.JOINED, date=instance.join_date,
                                       org=org, note="批量导入")

    started = time.perf_counter()
    with open(path, "rb") as f:
        dataset = Dataset().load(f.read(), format="xlsx")
    read = time.perf_counter() - started
    before = Member.objects.count()
    result = MemberResource().import_data(dataset, dry_run=False, raise_errors=False)
    seconds = time.perf_counter() - started
    print(json.dumps({"rows": len(dataset), "imported": Member.objects.count() - before,
                      "totals": dict(result.totals), "read_seconds": read, "own_seconds": seconds}))


# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--ie-rows", type=int, default=50_000, help="rows for django-import-export if 1 M is too slow")
    parser.add_argument("--ie-max-minutes", type=float, default=15)
    parser.add_argument("--only", default="raw,ours,ie")
    parser.add_argument("--ie-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--before", metavar="DIR", help="also run ours from this checkout (the code before a "
                        "change), interleaved with the current one, --repeat times each")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    if args.ie_child:
        ie_child(*args.ie_child)
        return
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if urlsplit(url).scheme not in ("postgres", "postgresql"):
        raise SystemExit("请把 DATABASE_URL 设为一个可以删除重建的 PostgreSQL 数据库。")
    import django

    django.setup()
    from gonghui.members.facts import LABELS

    path = file_path(args.rows)
    if not path.exists():
        print(f"生成 {path} ……", flush=True)
        write_file(args.rows, path, LABELS)
    print(f"文件：{path}（{path.stat().st_size / 2**20:.0f} MB）；数据库：{url}（每项之前删除重建）", flush=True)
    print(f"开始：{time.strftime('%Y-%m-%d %H:%M:%S')}，负载 {os.getloadavg()[0]:.2f}\n", flush=True)
    results = {}
    only = set(args.only.split(","))
    if "raw" in only:
        results["raw"] = r = measure_raw(url, path)
        print(f"raw COPY：{r['imported']} 行，{r['seconds']:.1f} 秒，{r['imported'] / r['seconds']:.0f} 行/秒",
              flush=True)
    if "ours" in only and args.before:
        runs: dict[str, list[dict]] = {"before": [], "after": []}
        for i in range(args.repeat):
            for label, code in (("before", args.before), ("after", None)):
                runs[label].append(r := measure_ours(url, path, code))
                print(f"ours {label} {i + 1}：{json.dumps(r, ensure_ascii=False)}", flush=True)
        for label, rs in runs.items():
            rates = sorted(r["rows"] / r["seconds"] for r in rs)
            print(f"ours {label}：行/秒 {', '.join(f'{x:.0f}' for x in rates)}；中位数 {rates[len(rates) // 2]:.0f}")
    elif "ours" in only:
        results["ours"] = r = measure_ours(url, path)
        print(f"ours：{json.dumps(r, ensure_ascii=False)}", flush=True)
    if "ie" in only:
        ie_path, note = path, "全部"
        probe = measure_ie(url, first_rows_file(path, 2000))  # the whole file, or too slow for that?
        if probe["own_seconds"] / 2000 * args.rows > args.ie_max_minutes * 60:
            ie_path, note = first_rows_file(path, args.ie_rows), f"前 {args.ie_rows} 行"
        results["ie"] = r = measure_ie(url, ie_path)
        r["note"] = note
        print(f"django-import-export（{note}）：{json.dumps(r, ensure_ascii=False)}", flush=True)
    print("\n| 方式 | 行数 | 导入 | 用时 | 行/秒 | 客户端 CPU | PostgreSQL CPU | 峰值内存：RSS 合计 | PSS 合计 | "
          "最大单进程 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key, label in (("raw", "PostgreSQL COPY（预先解析）"), ("ours", "gonghui import-members"),
                       ("ie", "django-import-export")):
        if key in results:
            r = results[key]
            memory = f"{r['rss']:.0f} MB | {r['pss']:.0f} MB | {r['maxrss']:.0f} MB" if "rss" in r else "– | – | –"
            print(f"| {label}{'（' + r['note'] + '）' if r.get('note') else ''} | {r['rows']} | {r['imported']} | "
                  f"{r['seconds']:.1f} s | {r['rows'] / r['seconds']:.0f} | {r['cpu']:.1f} s | {r['pg_cpu']:.1f} s | "
                  f"{memory} |")

if __name__ == "__main__":
    main()
