"""Subtree listing and counting over the province-scale demo (≈84 000 organizations).

Meant for PostgreSQL (the production database); SQLite works too but says little about production:

    createdb -h 127.0.0.1 -U postgres gh_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/gh_bench
    .venv/bin/gonghui migrate
    .venv/bin/python bench/orgs.py            # or: make bench

Loads `gonghui demo --scale province --seed 2026` first when the database has no demo data (a few
minutes), then times, at province, city (合肥) and county (瑶海区) level, BENCH_REPEAT times each
(default 50, after 3 warm-up runs): the first page of 50 ordered by path, a fetch of all ids, and
Org.objects.subtree(org).count(). Prints medians and p95 in ms and the plan of each count query.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from gonghui.demo.actions import demo_root, load_demo  # noqa: E402
from gonghui.orgs.models import Org  # noqa: E402

SEED = 2026
REPEAT = int(os.environ.get("BENCH_REPEAT", 50))
WARMUP = 3
LEVELS = [("省级", "34000000"), ("市级（合肥）", "34010000"), ("县级（瑶海区）", "34010200")]


def timed(fn) -> tuple[float, float]:
    """(median, p95) of fn() in milliseconds."""
    for _ in range(WARMUP):
        fn()
    samples = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), statistics.quantiles(samples, n=20)[18]


def explain_count(org: Org) -> str:
    with CaptureQueriesContext(connection) as ctx:
        Org.objects.subtree(org).count()
    sql = ctx.captured_queries[-1]["sql"]
    prefix = "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        rows = cursor.fetchall()
    lines = [row[0] if connection.vendor == "postgresql" else row[-1] for row in rows]
    return sql + "\n" + "\n".join("    " + line for line in lines)


def main() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    print(f"数据库：{connection.vendor} {connection.settings_dict['NAME']}（{version}）")
    load_seconds = None
    if demo_root() is None:
        print("库中没有演示数据，正在导入 province 规模（种子 2026）……", flush=True)
        start = time.perf_counter()
        load_demo(scale="province", seed=SEED, progress=lambda m: print("  " + m, flush=True))
        load_seconds = time.perf_counter() - start
    total = Org.objects.count()
    loaded = f"；本次导入用时 {load_seconds:.1f} 秒" if load_seconds else "（已有数据，未重新导入）"
    print(f"组织总数：{total}{loaded}")
    if total < 80000:
        print("注意：库中的演示数据不是 province 规模，结果不可与 bench/README.md 比较。")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE orgs_org")
    print(f"每项重复 {REPEAT} 次（先预热 {WARMUP} 次），单位毫秒。\n")
    print("| 层级 | 子树组织数 | 首页50条 中位数 | p95 | 全部 id 中位数 | p95 | 计数 中位数 | p95 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    plans = []
    for label, code in LEVELS:
        org = Org.objects.get(code=code)
        subtree = Org.objects.subtree(org)
        size = subtree.count()
        page = timed(lambda s=subtree: list(s.order_by("path")[:50]))
        ids = timed(lambda s=subtree: list(s.values_list("id", flat=True)))
        count = timed(lambda s=subtree: s.count())
        print(f"| {label} | {size} | {page[0]:.2f} | {page[1]:.2f} | {ids[0]:.2f} | {ids[1]:.2f} "
              f"| {count[0]:.2f} | {count[1]:.2f} |", flush=True)
        plans.append((label, explain_count(org)))
    print()
    for label, plan in plans:
        print(f"{label} 计数的查询计划：\n{plan}\n")


if __name__ == "__main__":
    main()
