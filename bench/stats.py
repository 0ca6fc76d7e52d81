"""Every registered figure over the province demo, at province, city, county and town level.

Meant for PostgreSQL with the province demo loaded (`gonghui demo --scale province`, a year of every program):

    createdb -h 127.0.0.1 -U postgres gh_bench_stats
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/gh_bench_stats
    .venv/bin/gonghui migrate && .venv/bin/gonghui demo --scale province
    .venv/bin/python bench/stats.py [--repeat N] [--json] [--keys PREFIX]

The organizations are chosen deterministically: the province root; the city, county and town federations
with the most members below them (the heaviest of their level, not a lucky small one). For each level and
each period (本年, 上半年, the last full month, last year's same half), it times, REPEAT times after one
warm-up run:

- each figure through the engine, `compute(org, start, end, keys=[key])`;
- the same figure recounted from the records, `REGISTRY[key].func(org, start, end)` (the definition the
  engine must agree with);
- the whole `compute(org, start, end)` of the level.

Prints a markdown table per level (p50 and p95 in ms, engine beside recount and their ratio), and with
`--json` the raw samples' summaries instead. Figures whose engine value differs from the recount are listed.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from gonghui.demo.actions import demo_root  # noqa: E402
from gonghui.members.models import Member  # noqa: E402
from gonghui.orgs.models import STEP, Org  # noqa: E402
from gonghui.stats.registry import REGISTRY, catalogue, compute  # noqa: E402

LEVELS = [("省级", Org.Level.PROVINCE), ("市级", Org.Level.CITY), ("县级", Org.Level.COUNTY),
          ("乡镇（街道）", Org.Level.TOWN)]


def periods(today: datetime.date) -> list[tuple[str, datetime.date, datetime.date]]:
    """本年 and 上半年 of this year, the last full month, and last year's first half (a past period)."""
    year = today.year
    first_of_month = today.replace(day=1)
    last_month_end = first_of_month - datetime.timedelta(days=1)
    return [
        ("本年", datetime.date(year, 1, 1), today),
        ("上半年", datetime.date(year, 1, 1), datetime.date(year, 6, 30)),
        (f"{last_month_end:%Y年%m月}", last_month_end.replace(day=1), last_month_end),
        (f"{year - 1}年上半年", datetime.date(year - 1, 1, 1), datetime.date(year - 1, 6, 30)),
    ]


def pick_orgs(root: Org, levels: list[str]) -> list[tuple[str, Org]]:
    """The root, then per level the active federation with the most members in its subtree (ties by code).
    Members are counted per union once and added to every prefix of its path, not one query per candidate."""
    below: dict[str, int] = {}
    for path, n in Member.objects.values_list("org__path").annotate(n=Count("id")).order_by():
        for cut in range(STEP, len(path) + 1, STEP):
            below[path[:cut]] = below.get(path[:cut], 0) + n
    chosen = [("省级", root)] if Org.Level.PROVINCE in levels else []
    for label, level in LEVELS[1:]:
        if level not in levels:
            continue
        candidates = Org.objects.subtree(root).filter(level=level, kind=Org.Kind.FEDERATION,
                                                      status=Org.Status.ACTIVE).order_by("code")
        best = max(candidates, key=lambda o: below.get(o.path, 0), default=None)  # max keeps the first of ties
        if best is not None:
            chosen.append((label, best))
    order = {level: i for i, level in enumerate(levels)}
    return sorted(chosen, key=lambda pair: order[dict(LEVELS)[pair[0]]])


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]  # nearest rank
    return {"p50": round(statistics.median(ordered), 2), "p95": round(p95, 2), "n": len(ordered)}


def timed(fn, repeat: int) -> tuple[object, list[float]]:
    value = fn()  # warm-up, and the value to compare
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return value, samples


def measure(org: Org, spans, keys: list[str], repeat: int, prefix: str = "") -> dict:
    """{"figures": {key: {"engine", "recount", "differs"}}, "compute": summary} over every period: the
    samples of all periods pooled per figure, so p95 covers short and long periods alike. The whole
    `compute()` is of the figures starting with `prefix` (all of them by default)."""
    engine: dict[str, list[float]] = {k: [] for k in keys}
    recount: dict[str, list[float]] = {k: [] for k in keys}
    differs: dict[str, list[str]] = {}
    whole: list[float] = []
    for name, start, end in spans:
        for key in keys:
            got, samples = timed(lambda k=key, s=start, e=end: compute(org, s, e, keys=[k])[k], repeat)
            engine[key] += samples
            truth, samples = timed(lambda k=key, s=start, e=end: REGISTRY[k].func(org, s, e), repeat)
            recount[key] += samples
            if got != truth:
                differs.setdefault(key, []).append(f"{name}: {got} ≠ {truth}")
        _, samples = timed(lambda s=start, e=end: compute(org, s, e, prefix=prefix), max(1, repeat // 2))
        whole += samples
    return {"figures": {k: {"engine": summary(engine[k]), "recount": summary(recount[k]),
                            "differs": differs.get(k, [])} for k in keys},
            "compute": summary(whole)}


def ratio(recount: float, engine: float) -> str:
    return f"{recount / engine:.1f}×" if engine else "—"


def markdown(level: dict) -> str:
    """One level's table: every figure's engine and recount times, their ratio, and the whole compute()."""
    c = level["compute"]
    out = [f"### {level['level']}：{level['org']}（{level['code']}）\n",
           f"整体 `compute()`（{len(level['figures'])} 项指标）：p50 {c['p50']} ms，p95 {c['p95']} ms\n",
           "| 指标 | 名称 | 引擎 p50 | 引擎 p95 | 重算 p50 | 重算 p95 | 重算/引擎（p95） |",
           "|---|---|---:|---:|---:|---:|---:|"]
    for key, row in level["figures"].items():
        e, r = row["engine"], row["recount"]
        flag = " ≠" if row["differs"] else ""
        out.append(f"| `{key}`{flag} | {REGISTRY[key].label} | {e['p50']} | {e['p95']} | {r['p50']} | "
                   f"{r['p95']} | {ratio(r['p95'], e['p95'])} |")
    slow = [k for k, row in level["figures"].items() if row["engine"]["p95"] >= 50]
    out.append(f"\np95 ≥ 50 ms 的指标：{'、'.join(slow) if slow else '无'}\n")
    return "\n".join(out)


def disagreements(results: list[dict]) -> str:
    wrong = {f"{lv['level']} {k}": row["differs"] for lv in results for k, row in lv["figures"].items()
             if row["differs"]}
    shown = "；".join(f"{k}（{'，'.join(v)}）" for k, v in wrong.items())
    return f"引擎与重算不一致：{shown or '无'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", 10)),
                        help="runs per figure, period and level after one warm-up (default 10)")
    parser.add_argument("--keys", default="", help="only the figures whose key starts with this prefix")
    parser.add_argument("--today", type=datetime.date.fromisoformat, default=None,
                        help="the day the periods end (default today)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--levels", default="province,city,county,town",
                        help="the levels to measure, in this order (default province,city,county,town)")
    parser.add_argument("--no-analyze", action="store_true", help="measure without running ANALYZE first")
    args = parser.parse_args()
    root = demo_root()
    if root is None:
        sys.exit("库中没有演示数据：请先运行 gonghui demo --scale province。")
    today = args.today or timezone.localdate()
    spans = periods(today)
    keys = [f.key for f in catalogue(args.keys)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0].split(" on ")[0]
        if connection.vendor == "postgresql" and not args.no_analyze:
            # After a bulk load the planner knows nothing of the new rows (this server runs without autovacuum).
            cursor.execute("ANALYZE")
    if not args.json:  # each level's table as soon as it is measured (the province's takes minutes)
        print(f"数据库：{connection.vendor} {version}；组织 {Org.objects.count()} 个，"
              f"会员 {Member.objects.count()} 人；每项每期 {args.repeat} 次（另预热 1 次）；期间："
              + "、".join(f"{n}（{s}～{e}）" for n, s, e in spans) + "\n", flush=True)
    results = []
    for label, org in pick_orgs(root, args.levels.split(",")):
        started = time.perf_counter()
        measured = measure(org, spans, keys, args.repeat, args.keys)
        results.append({"level": label, "org": org.name, "code": org.code} | measured)
        if not args.json:
            print(markdown(results[-1]), flush=True)
            print(f"{label} {org.name}：{time.perf_counter() - started:.0f} 秒", file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps({"database": f"{connection.vendor} {version}", "today": str(today),
                          "periods": [[n, str(s), str(e)] for n, s, e in spans], "repeat": args.repeat,
                          "members": Member.objects.count(), "orgs": Org.objects.count(), "levels": results},
                         ensure_ascii=False, indent=1))
        return
    print(disagreements(results))


if __name__ == "__main__":
    main()
