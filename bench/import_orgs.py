"""The organization import (`gonghui import-orgs FILE --json`) at realistic sizes.

Builds a deterministic .xlsx of N organizations — a county federation tree: one existing root
(合肥市瑶海区总工会, created through the actions before the import), town/street federations and
sector unions under it, and grassroots unions with every optional column filled (valid credit codes
from gonghui.common.uscc.make, GB/T 2260 codes of 合肥, dates as Excel dates and as text, 单位性质
labels and aliases, 是/否); one town in five is listed after its grassroots unions — then imports it
into an EMPTY database through the same code the command runs (read_file + import_orgs, as the system actor),
imports the same file again (every row an update), and prints: file read, import and re-import
times, rows per second, the Python process's own CPU time per row (time.process_time: Django,
psycopg, the import; it varies far less than wall time on a shared machine), peak memory
(ru_maxrss), and the SQL queries per row of a small separate run (CaptureQueriesContext,
--query-rows, default 200) for new rows and for updates. Development settings have DEBUG on; the
script switches it off after setup (no query log), as in production.

PostgreSQL (the production database) — one fresh database per run, the import must start empty:

    dropdb --if-exists -h 127.0.0.1 -U postgres gh_importbench
    createdb -h 127.0.0.1 -U postgres gh_importbench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/gh_importbench
    .venv/bin/gonghui migrate
    .venv/bin/python bench/import_orgs.py                # N=2000
    .venv/bin/python bench/import_orgs.py --rows 10000   # after a fresh database again

SQLite (never the project's var/gonghui.sqlite3: point GONGHUI_VAR_DIR at a scratch directory):

    export GONGHUI_VAR_DIR=$(mktemp -d) && unset DATABASE_URL
    .venv/bin/gonghui migrate
    .venv/bin/python bench/import_orgs.py

Options: --rows N (2000), --query-rows N (200, 0 to skip), --profile-rows N (0: cProfile an extra
import and re-import of N rows and print the top functions), --keep FILE (also save the .xlsx),
--cli (time the re-import once more through `gonghui import-orgs FILE --json` as a subprocess),
--no-reimport (time the first import only), --code DIR (measure the gonghui package of another
checkout, for a before/after in one session: bench/import_orgs_compare.sh).
The query and profile runs use their own roots and codes in the same database, after the timed run.
"""

import argparse
import cProfile
import datetime
import io
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT_DIR = Path(__file__).resolve().parent.parent
# --code DIR: import gonghui from another checkout (e.g. `git archive` of the commit before a change into
# DIR), so that the same script, data and database measure the code before and after in one session.
CODE_DIR = Path(sys.argv[sys.argv.index("--code") + 1]).resolve() if "--code" in sys.argv else ROOT_DIR
sys.path.insert(0, str(CODE_DIR))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"

# Hefei's county-level codes in use (GB/T 2260), the grassroots unions spread over them.
REGIONS = ["340102", "340103", "340104", "340111", "340121", "340122", "340123", "340124", "340181"]
TOWN_NAMES = ["明光路", "胜利路", "三里街", "红光", "铜陵路", "七里站", "城东", "方庙", "大兴", "和平路",
              "龙岗", "长淮", "磨店", "站前路", "嘉山路", "高铁"]
EMPLOYER_TYPES = ["国有企业", "私营企业", "民营", "外商投资企业", "港澳台投资企业", "事业单位", "集体企业",
                  "社会组织", "其他", "国有控股企业"]
INDUSTRIES = ["制造业", "建筑业", "批发和零售业", "交通运输、仓储和邮政业", "信息传输、软件和信息技术服务业",
              "住宿和餐饮业", "教育", "卫生和社会工作", "居民服务、修理和其他服务业", "金融业"]
WORDS = ["徽宏", "江淮", "瑶光", "合力", "恒信", "新桥", "长丰", "庐州", "巢湖", "包公", "滨湖", "蜀山",
         "锦绣", "同创", "天元", "华东"]
PRODUCTS = ["机械", "电子", "食品", "纺织", "物流", "建材", "科技", "商贸", "餐饮", "医药"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛"]
SECTORS = ["建筑行业工会联合会", "商贸流通行业工会联合会", "快递物流行业工会联合会"]
# 建会日期 written three ways: an Excel date cell, 2015年3月1日 and 2015/3/1.
DATE_STYLES = 3


def _system():
    from gonghui.common.actors import system_actor

    return system_actor()


def uscc(prefix: str, region: str, tag: str, i: int) -> str:
    from gonghui.common.uscc import make

    return make(prefix, region, f"{tag}{i:08d}")


def build_rows(n: int, tag: str) -> tuple[dict, list[str], list[list]]:
    """(root facts, header, rows) of a tree of n organizations under one root that exists before
    the import. `tag` (one digit) keeps the codes of several trees in one database apart."""
    from gonghui.orgs.importing import EXPORT_HEADER

    header = EXPORT_HEADER[:-2]  # the import's columns, without the exported 层级/状态
    root_code = f"B{tag}-340102"
    root = {"code": root_code, "name": f"合肥市瑶海区总工会（测试{tag}）", "kind": "federation",
            "uscc": uscc("81", "340102", tag, 0), "region_code": "340102"}
    towns = max(2, n // 100)
    sectors = min(len(SECTORS), max(1, n // 1000))
    grassroots = n - towns - sectors
    town_rows, late_towns, sector_rows, grass_rows = [], [], [], []
    for t in range(towns):
        code = f"B{tag}-T{t:04d}"
        row = [code, root_code, f"{TOWN_NAMES[t % len(TOWN_NAMES)]}街道总工会{t // len(TOWN_NAMES) or ''}",
               "总工会", uscc("81", "340102", tag, 100000 + t), "340102", "", "", "", "", None,
               datetime.datetime(2001 + t % 20, 1 + t % 12, 1 + t % 28), SURNAMES[t % 20] + GIVEN[t % 16],
               f"0551-6{4000000 + t:07d}", "是", "是"]
        (late_towns if t % 5 == 0 else town_rows).append(row)
    for s in range(sectors):
        sector_rows.append([f"B{tag}-S{s:02d}", root_code, f"瑶海区{SECTORS[s]}", "行业工会联合会",
                            uscc("81", "340102", tag, 200000 + s), "340102", "", "", "", "", None,
                            "2012-05-01", "", "", "否", "否"])
    for g in range(grassroots):
        # Most under a town, one in 20 directly under the county, one in 40 under a sector union.
        if g % 20 == 0:
            parent = root_code
        elif g % 40 == 1:
            parent = f"B{tag}-S{g % sectors:02d}"
        else:
            parent = f"B{tag}-T{g % towns:04d}"
        region = REGIONS[g % len(REGIONS)]
        employer = f"合肥{WORDS[g % 16]}{PRODUCTS[(g // 16) % 10]}有限公司{g:05d}"
        kind = "联合基层工会" if g % 10 == 3 else "基层工会"
        founded = datetime.date(1995 + g % 30, 1 + g % 12, 1 + g % 28)
        if g % DATE_STYLES == 0:
            founded_cell = datetime.datetime.combine(founded, datetime.time())
        elif g % DATE_STYLES == 1:
            founded_cell = f"{founded.year}年{founded.month}月{founded.day}日"
        else:
            founded_cell = f"{founded.year}/{founded.month}/{founded.day}"
        phone = f"1{3 + g % 7}{g % 10}{g:08d}" if g % 2 else f"0551-{62000000 + g:08d}"
        grass_rows.append([
            f"B{tag}-G{g:06d}", parent, f"{employer}工会委员会", kind, uscc("81", region, tag, g), region,
            employer, uscc("91", region, tag, g), EMPLOYER_TYPES[g % len(EMPLOYER_TYPES)],
            INDUSTRIES[(g // 3) % len(INDUSTRIES)], 8 + (g * 37) % 3000, founded_cell,
            SURNAMES[g % 20] + GIVEN[(g // 20) % 16], phone, "是" if g % 3 else "否", "否" if g % 4 == 0 else "是",
        ])
    # Towns first (except one in five), sector unions, the grassroots unions, then the late towns:
    # their children come before them in the file.
    return root, header, town_rows + sector_rows + grass_rows + late_towns


def write_xlsx(header: list[str], rows: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("工会组织")
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def create_root(facts: dict):
    from gonghui.orgs import actions
    from gonghui.orgs.models import Org

    return actions.create_org(by=_system(), parent=None, level=Org.Level.COUNTY, **facts)


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def summary(result) -> str:
    return (f"行数 {result.rows}，新增 {result.imported}，更新 {result.updated}，未导入 {result.rejected}"
            + (f"；首个错误：第{result.errors[0].row}行【{result.errors[0].column}】{result.errors[0].message}"
               if result.errors else ""))


def timed_import(data: bytes, filename: str):
    from gonghui.orgs.importing import import_orgs, read_file

    start, cpu = time.perf_counter(), time.process_time()
    source = read_file(data, filename)
    read_s = time.perf_counter() - start
    result = import_orgs(source, by=_system(), filename=filename)
    total_s = time.perf_counter() - start
    return result, read_s, total_s, time.process_time() - cpu


def count_queries(tag: str, n: int, verbose: bool = False) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gonghui.orgs.importing import import_orgs, read_file

    root, header, rows = build_rows(n, tag)
    create_root(root)
    source = read_file(write_xlsx(header, rows), "queries.xlsx")
    for label in ("新增", "更新"):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx:
            result = import_orgs(source, by=_system(), filename="queries.xlsx")
        queries = ctx.captured_queries
        if len(queries) >= 9000:
            print("  注意：超过 CaptureQueriesContext 的 9000 条上限，计数不全；请减小 --query-rows。")
        kinds = Counter(q["sql"].split(None, 1)[0].upper() for q in queries)
        detail = "，".join(f"{k} {v / n:.2f}" for k, v in kinds.most_common())
        print(f"  {label}：{len(queries)} 条 / {n} 行 = {len(queries) / n:.2f} 条每行（{detail}）"
              f"  [{summary(result)}]")
        if verbose:
            print("    中间一行的 SQL（示例）：")
            for q in queries[len(queries) // 2: len(queries) // 2 + round(len(queries) / n)]:
                print("     ", q["sql"][:160])


def profile(tag: str, n: int) -> None:
    from gonghui.orgs.importing import import_orgs, read_file

    root, header, rows = build_rows(n, tag)
    create_root(root)
    source = read_file(write_xlsx(header, rows), "profile.xlsx")
    for label in ("新增", "更新"):
        profiler = cProfile.Profile()
        start = time.perf_counter()
        profiler.enable()
        result = import_orgs(source, by=_system(), filename="profile.xlsx")
        profiler.disable()
        elapsed = time.perf_counter() - start
        print(f"\n== cProfile {label} {n} 行（{elapsed:.1f} 秒，含分析开销）[{summary(result)}]")
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("cumulative").print_stats(35)
        stats.sort_stats("tottime").print_stats(15)
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--query-rows", type=int, default=200)
    parser.add_argument("--profile-rows", type=int, default=0)
    parser.add_argument("--keep", help="also write the generated .xlsx here")
    parser.add_argument("--cli", action="store_true", help="time a re-import through the gonghui command too")
    parser.add_argument("-v", action="store_true", help="print the SQL of one row of the query run")
    parser.add_argument("--code", help="the checkout whose gonghui package is measured (default: this one)")
    parser.add_argument("--no-reimport", action="store_true", help="time the first import only")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    # Development settings have DEBUG on, which logs every query (up to 9000) like no production
    # process does; switch it off so the timings and memory are those of DEBUG=0.
    settings.DEBUG = False

    from gonghui.orgs.models import Org

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    print(f"数据库：{connection.vendor} {connection.settings_dict['NAME']}（{version}）；代码：{CODE_DIR}")
    if Org.objects.exists():
        sys.exit("库中已有组织：请用一个刚迁移的空库（见本文件开头的说明）。")
    rss_setup = maxrss_mb()

    build_start = time.perf_counter()
    root, header, rows = build_rows(args.rows, "1")
    data = write_xlsx(header, rows)
    build_s = time.perf_counter() - build_start
    print(f"生成文件：{len(rows)} 行（另有库中已有的根组织 1 个），{len(data) / 1024:.0f} KB，{build_s:.1f} 秒")
    if args.keep:
        Path(args.keep).write_bytes(data)
    create_root(root)
    rss_built = maxrss_mb()

    result, read_s, total_s, cpu_s = timed_import(data, "orgs.xlsx")
    print(f"首次导入（全部新增）：读文件 {read_s:.2f} 秒，合计 {total_s:.1f} 秒，"
          f"{result.rows / total_s:.0f} 行/秒，本进程 CPU {cpu_s / result.rows * 1000:.2f} ms/行  [{summary(result)}]")
    rss_import = maxrss_mb()
    if not args.no_reimport:
        result, read_s, total_s, cpu_s = timed_import(data, "orgs.xlsx")
        print(f"再次导入（全部更新）：读文件 {read_s:.2f} 秒，合计 {total_s:.1f} 秒，"
              f"{result.rows / total_s:.0f} 行/秒，"
              f"本进程 CPU {cpu_s / result.rows * 1000:.2f} ms/行  [{summary(result)}]")
    rss_reimport = maxrss_mb()
    print(f"峰值内存 maxrss：启动后 {rss_setup:.0f} MB，生成文件后 {rss_built:.0f} MB，"
          f"首次导入后 {rss_import:.0f} MB，再次导入后 {rss_reimport:.0f} MB")

    if args.cli:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "orgs.xlsx"
            path.write_bytes(data)
            start = time.perf_counter()
            done = subprocess.run([str(ROOT_DIR / ".venv/bin/gonghui"), "import-orgs", str(path), "--json"],
                                  check=True, capture_output=True, text=True)
            elapsed = time.perf_counter() - start
        out = json.loads(done.stdout)
        child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"命令行再次导入 gonghui import-orgs --json：{elapsed:.1f} 秒（含启动），"
              f"新增 {out['imported']}，更新 {out['updated']}，未导入 {out['rejected']}，子进程峰值 {child_rss:.0f} MB")

    if args.query_rows:
        print(f"每行 SQL 条数（另建一棵 {args.query_rows} 行的树，CaptureQueriesContext）：")
        count_queries("2", args.query_rows, verbose=args.v)
    if args.profile_rows:
        profile("3", args.profile_rows)


if __name__ == "__main__":
    main()
