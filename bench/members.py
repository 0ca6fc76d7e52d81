"""Member lookups, the first page of a cadre's member list and the Excel export over the
province-scale demo (≈ 6.5 M members in ≈ 84 000 organizations).

Meant for PostgreSQL (the production database):

    createdb -h 127.0.0.1 -U postgres gh_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/gh_bench
    .venv/bin/gonghui migrate
    .venv/bin/python bench/members.py            # --lookups 10000 --repeat 30 --skip-export

Loads `gonghui demo --scale province --seed 2026` first when the database has no demo data (≈ 7 min).
Then, with DEBUG off:

1. Lookup by exact ID number: LOOKUPS existing numbers (decrypted from random members) and LOOKUPS
   valid absent ones (real region codes, check character right), shuffled together; each timed from
   the typed number to the fetched row: `queries.id_index_of` (parse, normalise, HMAC blind index)
   + `Member.objects.filter(id_index=…).first()`; and the same through `queries.search` as the
   province cadre (the search box: scoped by the org path).
2. First page of the member list of the demo cadres at city (合肥, ≈ 590 000 members), county, town
   and grassroots level: the changelist queryset `visible_to(cadre, Member).select_related("org")
   .order_by("-id")[:50]`, its capped count (CappedCountPaginator: LIMIT 10 001), and the real admin
   changelist page through the Django test client (logged in with two-factor), REPEAT times each.
3. The city cadre's Excel export through the real view (`admin:members_member_export`, masked: the
   demo cadre has no pii_viewer role), in a child process so that its peak RSS is its own: rows/s
   and ru_maxrss.
"""

import argparse
import datetime
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from gonghui.accounts.models import User  # noqa: E402
from gonghui.common import idcard, pii  # noqa: E402
from gonghui.common.admin import CappedCountPaginator  # noqa: E402
from gonghui.common.models import Region  # noqa: E402
from gonghui.conftest import login  # noqa: E402
from gonghui.demo.actions import demo_root, load_demo  # noqa: E402
from gonghui.members import queries  # noqa: E402
from gonghui.members.models import ID_CONTEXT, Member  # noqa: E402
from gonghui.orgs.queries import visible_to  # noqa: E402

SEED = 2026
CADRES = [("市级（合肥）", "shi"), ("县级", "xian"), ("乡镇（街道）级", "zhen"), ("基层工会", "jiceng")]


def quiet() -> None:
    """DEBUG off (the development default keeps every query in memory); the test client's host allowed."""
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def percentiles(samples: list[float]) -> tuple[float, float, float, float]:
    """(p50, p95, p99, max) in ms."""
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return statistics.median(samples), q[94], q[98], max(samples)


def timed(fn, repeat: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def sample_existing(n: int, rng: random.Random) -> list[str]:
    """`n` ID numbers of random members (random primary keys; the few gaps are skipped)."""
    low, high = Member.objects.order_by("id").values_list("id", flat=True)[:1][0], Member.objects.latest("id").id
    found: list[str] = []
    while len(found) < n:
        pks = rng.sample(range(low, high + 1), min(n - len(found), high - low + 1))
        for enc, index in Member.objects.filter(pk__in=pks).values_list("id_number_enc", "id_index"):
            found.append(pii.decrypt(enc, context=ID_CONTEXT + index))
    return found[:n]


def make_absent(n: int, rng: random.Random) -> list[str]:
    """`n` valid ID numbers (a county code of common.Region, a real date, the check character) that
    no member has: checked through the blind index before use."""
    counties = list(Region.objects.filter(level=Region.Level.COUNTY, code__startswith="34")
                    .values_list("code", flat=True).distinct())
    out: list[str] = []
    while len(out) < n:
        born = datetime.date(1961, 1, 1) + datetime.timedelta(days=rng.randrange(46 * 365))
        body = f"{rng.choice(counties)}{born:%Y%m%d}{rng.randrange(1000):03d}"
        number = body + idcard.check_char(body)
        if not Member.objects.filter(id_index=queries.id_index_of(number)).exists():
            out.append(number)
    return out


def bench_lookups(n: int) -> None:
    rng = random.Random(SEED)
    existing, absent = sample_existing(n, rng), make_absent(n, rng)
    cases = [(number, True) for number in existing] + [(number, False) for number in absent]
    rng.shuffle(cases)
    sheng = User.objects.get(username="sheng")

    def direct(number: str):
        return Member.objects.filter(id_index=queries.id_index_of(number)).first()

    def searched(number: str):
        return list(queries.search(sheng, number))

    print(f"\n## 按身份证号精确查找（{n} 个存在的号码 + {n} 个不存在的号码，随机顺序；毫秒）\n")
    print("| 方式 | 号码 | 次数 | p50 | p95 | p99 | 最大 |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for label, fn in (("id_index_of + filter(id_index=…).first()", direct),
                      ("queries.search（省级干部，按组织路径限定范围）", searched)):
        for number, _ in cases[:200]:  # warm-up: caches, the index's upper levels
            fn(number)
        times = {True: [], False: []}
        for number, present in cases:
            start = time.perf_counter()
            found = fn(number)
            times[present].append((time.perf_counter() - start) * 1000)
            assert bool(found) == present, "lookup returned the wrong answer"
        for present, name in ((True, "存在"), (False, "不存在"), (None, "合计")):
            samples = times[True] + times[False] if present is None else times[present]
            p50, p95, p99, top = percentiles(samples)
            print(f"| {label} | {name} | {len(samples)} | {p50:.2f} | {p95:.2f} | {p99:.2f} | {top:.2f} |",
                  flush=True)
    # The blind index alone (parse + HMAC), to show what the database part costs.
    sample = [number for number, _ in cases[:5000]]
    start = time.perf_counter()
    for number in sample:
        queries.id_index_of(number)
    print(f"\n（其中 id_index_of 本身：每次 {(time.perf_counter() - start) / len(sample) * 1000:.3f} 毫秒）")


def bench_lists(repeat: int) -> None:
    print(f"\n## 会员列表首页（每项 {repeat} 次，先预热 3 次；毫秒）\n")
    print("| 干部 | 子树会员数 | 首页50条 p50 | p95 | 计数（上限10001）p50 | p95 | 后台列表页 p50 | p95 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    client = Client()
    url = reverse("admin:members_member_changelist")
    plans = []
    for label, username in CADRES:
        user = User.objects.select_related("org").get(username=username)
        qs = visible_to(user, Member).select_related("org").order_by("-id")
        size = qs.count()
        page = percentiles(timed(lambda q=qs: list(q[:50]), repeat))
        count = percentiles(timed(lambda q=qs: q[: CappedCountPaginator.CAP + 1].count(), repeat))
        login(client, user)

        def get():
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response

        assert qs.first().member_number in get().content.decode()  # the page lists the newest member
        view = percentiles(timed(get, repeat))
        client.logout()
        print(f"| {label}（{user.org.name}） | {size} | {page[0]:.2f} | {page[1]:.2f} | {count[0]:.2f} | "
              f"{count[1]:.2f} | {view[0]:.1f} | {view[1]:.1f} |", flush=True)
        plans.append((label, explain(qs[:50])))
    for label, plan in plans:
        print(f"\n{label} 首页的查询计划：\n{plan}")


def explain(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql, params)
        return "\n".join("    " + row[0] for row in cursor.fetchall())


def export_child() -> None:
    """Runs in its own process: the city cadre's export through the real view."""
    quiet()
    user = User.objects.select_related("org").get(username="shi")
    client = Client()
    login(client, user)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    response = client.get(reverse("admin:members_member_export"))
    first = time.perf_counter() - start
    size = sum(len(chunk) for chunk in response.streaming_content)
    seconds = time.perf_counter() - start
    rows = visible_to(user, Member).count()
    print(json.dumps({"status": response.status_code, "rows": rows, "bytes": size, "seconds": seconds,
                      "first_byte": first, "rss_before_kb": before,
                      "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def bench_export() -> None:
    print("\n## 市级干部导出 Excel（后台“导出”视图 admin:members_member_export，号码脱敏；独立子进程）\n")
    out = subprocess.run([sys.executable, __file__, "--export-child"], capture_output=True, text=True, check=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print("| 行数 | 文件大小 | 首字节 | 总用时 | 行/秒 | 峰值内存 maxrss（导出前） |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(f"| {r['rows']} | {r['bytes'] / 2**20:.0f} MB | {r['first_byte']:.1f} s | {r['seconds']:.1f} s | "
          f"{r['rows'] / r['seconds']:.0f} | {r['peak_rss_kb'] / 1024:.0f} MB（{r['rss_before_kb'] / 1024:.0f} MB） |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lookups", type=int, default=10_000, help="existing and as many absent numbers")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--export-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        export_child()
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    print(f"数据库：{connection.vendor} {connection.settings_dict['NAME']}（{version}）")
    if demo_root() is None:
        print("库中没有演示数据，正在导入 province 规模（种子 2026）……", flush=True)
        start = time.perf_counter()
        load_demo(scale="province", seed=SEED, progress=lambda m: print("  " + m, flush=True))
        print(f"导入用时 {time.perf_counter() - start:.0f} 秒")
    quiet()
    total = Member.objects.count()
    print(f"会员总数：{total}")
    if total < 6_000_000:
        print("注意：库中的会员不是 province 规模，结果不可与 bench/README.md 比较。")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE members_member")
            cursor.execute("ANALYZE orgs_org")
    bench_lookups(args.lookups)
    bench_lists(args.repeat)
    if not args.skip_export:
        bench_export()


if __name__ == "__main__":
    main()
