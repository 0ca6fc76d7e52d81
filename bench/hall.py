"""The service hall over a province's year of applications (issue 5: "50,000 applications a year in a province
(about 1,000 open per county); the cadre's queue page and the figures for the province stay fast").

PostgreSQL only, in a database of its own that the script drops and re-creates (its name must contain
"bench"), then migrates:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/gh_hallbench
    .venv/bin/python bench/hall.py            # --repeat 30; --reuse measures the data already loaded

Data:
1. The province demo's organizations, employers and accounts (`load_demo(scale="province")`) without its
   6.46 M members, which the hall does not read: `_write_members` is stubbed for the load (37 s instead of 4 min).
2. APPLICANTS worker accounts (plain users, as the hall tests use) and YEAR_TOTAL applications filed in 2026 up
   to today, spread over the active grassroots unions by head count, items from the default catalogue by a
   plausible frequency, handling unions by `hall.actions.route`. Outcomes: ≈ 85 % completed (some after a
   return and correction, ≈ 10 % late), rejected, withdrawn, drafts, returned and waiting, and ≈ 9 % open at
   their step, ≈ 12 % of those overdue. Deadlines by `workdays.add_workdays`. Every application gets the
   ApplicationEvents `transition` would have written (create, submit, accept, approve…, return/resubmit,
   reject, withdraw). Written with COPY, not through the actions (which write an audit entry and a
   notification per step and would take hours). Handlers' events have no `by` (the demo has no cadres
   below the county).
3. Stage B adds a backlog of open applications so that every county federation has ≈ BACKLOG_PER_COUNTY open
   applications filed from its unions: the issue's "about 1,000 open per county" (50 000 a year cannot give
   that: 104 counties × 1 000 open is twice the year's intake, see bench/README.md).

Measured after each stage, REPEAT times after 3 warm-ups, in ms from Python (DEBUG off): the 待我办理 queue
(`/admin/hall/application/?mine=1`) and the overdue list (`?due=overdue`) of the demo cadres at county (瑶海区),
city (合肥) and province level (operator + approver + org_admin, two-factor session) through Django's test
client, and `stats.registry.compute(org, 2026-01-01, 2026-12-31, prefix="hall.")` for the same three unions,
with the time of each figure alone. Prints each page's SQL (count, time, the slowest three), the EXPLAIN ANALYZE
of the county queue's list and count queries, and of the slowest statements of the county and province queues
and of the province's figures. ANALYZE runs after each load (this server's autovacuum is off).
"""

import argparse
import bisect
import datetime
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from gonghui.accounts.models import User  # noqa: E402
from gonghui.common import idcard, pii  # noqa: E402
from gonghui.conftest import login  # noqa: E402
from gonghui.demo import actions as demo_actions  # noqa: E402
from gonghui.demo.generator import GIVEN, SURNAMES  # noqa: E402
from gonghui.hall import actions, queries, workdays  # noqa: E402
from gonghui.hall.models import Application, ApplicationEvent, ServiceItem  # noqa: E402
from gonghui.orgs.models import Org  # noqa: E402
from gonghui.stats.registry import REGISTRY, compute  # noqa: E402

SEED = 2026
YEAR = 2026
YEAR_TOTAL = 50_000
APPLICANTS = 3_000
BACKLOG_PER_COUNTY = 1_000
CADRES = [("县级", "xian"), ("市级", "shi"), ("省级", "sheng")]
S = Application.Status

# Applications per item in a year, relative (join and the mutual-aid claims dominate, union filings are rare).
ITEM_WEIGHTS = {"join": 30, "ecard": 10, "transfer": 8, "hardship_aid": 6, "golden_autumn": 3, "medical_mutual": 12,
                "serious_illness": 3, "legal_aid": 5, "dispute_mediation": 4, "recuperation": 5,
                "skills_training": 6, "job_registration": 3, "model_worker_aid": 1, "union_founding": 1,
                "collective_contract": 2, "fund_refund": 2}
# Outcomes of a year's applications as of today.
OUTCOMES = {"completed": 0.85, "open": 0.09, "rejected": 0.03, "returned": 0.015, "withdrawn": 0.01, "draft": 0.005}
OVERDUE_SHARE = 0.12  # of the open ones
LATE_SHARE = 0.10  # of the completed ones, finished after their deadline
CORRECTED_SHARE = 0.06  # of the completed ones, returned once for correction on the way
RATED_SHARE = 0.55  # of the completed ones
RATINGS = {5: 60, 4: 25, 3: 10, 2: 3, 1: 2}


# Database ---------------------------------------------------------------------------------------------

def recreate_database() -> None:
    """Drop and create the benchmark database (only one whose name says it is one), then migrate."""
    db = settings.DATABASES["default"]
    if connection.vendor != "postgresql" or "bench" not in db["NAME"]:
        sys.exit(f"需要 PostgreSQL 且库名含 bench（当前：{connection.vendor} {db['NAME']}）：脚本会删除并重建该库。")
    connection.close()
    with psycopg.connect(host=db["HOST"], port=db["PORT"] or None, user=db["USER"], password=db["PASSWORD"] or None,
                         dbname="postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
        admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    call_command("migrate", verbosity=0)


def load_orgs() -> None:
    """The province demo without its members: the hall reads orgs and accounts only."""
    with mock.patch.object(demo_actions, "_write_members", return_value=0):
        demo_actions.load_demo(scale="province", seed=SEED)


def make_applicants(rng: random.Random) -> list[tuple[int, str, dict, dict]]:
    """APPLICANTS worker users; for each (id, name, sealed ID number, sealed mobile) as check_data seals them
    (sealed once per person: the application forms reuse them)."""
    people = []
    for i in range(APPLICANTS):
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        born = datetime.date(1965, 1, 1) + datetime.timedelta(days=rng.randrange(40 * 365))
        body = f"340102{born:%Y%m%d}{rng.randrange(1000):03d}"
        people.append((f"hallbench_w{i:05d}", name, body + idcard.check_char(body), f"1{rng.choice('3589')}"
                       f"{rng.randrange(10**9):09d}"))
    users = User.objects.bulk_create([User(username=u, full_name=n, password="!") for u, n, _, _ in people])
    return [(user.pk, name, seal("id_number", number), seal("mobile", mobile))
            for user, (_, name, number, mobile) in zip(users, people, strict=True)]


def seal(kind: str, number: str) -> dict:
    index = pii.blind_index(number, purpose=kind)
    masked = pii.mask_id(number) if kind == "id_number" else pii.mask_mobile(number)
    enc = pii.encrypt(number, context=f"{actions.DATA_CONTEXT}{kind}:{index}")
    return {"masked": masked, "index": index, "enc": enc}


# Applications -----------------------------------------------------------------------------------------

class Year:
    """The calendar the simulation works on: working days of 2026 and 2027 (by `workdays`), today."""

    def __init__(self):
        self.today = timezone.localdate()
        self.now = timezone.now()
        day, self.workdays = datetime.date(YEAR, 1, 1), []
        while day.year <= YEAR + 1:
            if workdays.is_workday(day):
                self.workdays.append(day)
            day += workdays.ONE_DAY
        self.done = bisect.bisect_right(self.workdays, self.today)  # working days up to today
        self._due: dict = {}

    def after(self, day: datetime.date, n: int) -> datetime.date:
        """The n-th working day after `day` (n=0: `day` itself), as add_workdays counts."""
        return day if n == 0 else self.workdays[bisect.bisect_right(self.workdays, day) + n - 1]

    def due(self, day: datetime.date, n: int) -> workdays.Deadline:
        key = (day, n)
        if key not in self._due:
            self._due[key] = workdays.add_workdays(day, n)
        return self._due[key]

    def at(self, day: datetime.date, rng: random.Random, *, office: bool) -> datetime.datetime:
        """A moment of `day`: office hours for a cadre, 7:00–23:00 for an applicant; never in the future."""
        hour = rng.uniform(8.5, 17.5) if office else rng.uniform(7, 23)
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(hours=hour))
        return min(moment, self.now - datetime.timedelta(minutes=rng.randint(1, 600)))


class Router:
    """`actions.route` per (parent, level): a grassroots union is below every level but `own`, so its route
    is its parent's chain's (one query per town instead of one per application)."""

    def __init__(self):
        self._cache: dict = {}

    def __call__(self, union: Org, level: str) -> int:
        if level == "own":
            return union.pk
        key = (union.parent_id, level)
        if key not in self._cache:
            self._cache[key] = actions.route(union, level).pk
        return self._cache[key]


def form_data(version, applicant, rng: random.Random) -> dict:
    """Form values of `version` shaped as check_data leaves them (ID and mobile sealed)."""
    _, name, sealed_id, sealed_mobile = applicant
    data = {}
    for spec in version.fields:
        kind = spec.get("type", "text")
        data[spec["name"]] = {
            "id_number": sealed_id, "mobile": sealed_mobile, "bool": False, "number": str(rng.randint(1, 6)),
            "money": f"{rng.randint(200, 80000)}.00", "date": f"{YEAR}-{rng.randint(1, 10):02d}-15",
            "choice": rng.choice(spec.get("choices") or [""]), "textarea": "家庭收入下降，生活困难，申请帮扶。" * 2,
        }.get(kind, name if spec["name"] == "name" else "合肥市瑶海区示例内容")
    return data


def simulate(outcome: str, *, version, union: Org, applicant, year: Year, route: Router, rng: random.Random
             ) -> tuple[dict, list[dict]]:
    """One application and its events as `file_application` and `transition` would leave them."""
    steps, limit = version.steps, version.time_limit_days
    n = len(steps)
    levels, level = [], version.level  # the handling level at each step: a step's own level holds from it on
    for step in steps:
        level = step.get("level") or level
        levels.append(level)
    app = {"version_id": version.pk, "applicant_id": applicant[0], "applicant_name": applicant[1],
           "applicant_org_id": union.pk, "on_behalf_by_id": None, "data": json.dumps(form_data(version, applicant, rng),
                                                                                   ensure_ascii=False),
           "submitted_at": None, "accepted_at": None, "completed_at": None, "due_date": None, "due_uncovered": False,
           "suspended_on": None, "rating": None, "rating_comment": "", "step": 0, "step_role": ""}
    events: list[dict] = []
    handler = app["handling_org_id"] = route(union, levels[0])

    def event(action, when, before, after, step, by=None, note=""):
        events.append({"action": action, "from_status": before, "to_status": after, "step": step, "org_id": handler,
                       "by_id": by, "at": when, "note": note})

    # The day of submission and the working days (after it) of each handler action.
    if outcome == "open":
        late = rng.random() < OVERDUE_SHARE
        elapsed = rng.randint(limit + 1, limit + 15) if late else rng.randint(0, limit)
        submitted = year.workdays[year.done - 1 - elapsed]
        done = rng.randint(0, n - 1)  # actions taken so far: the application waits at step `done`
        offsets = sorted(rng.randint(0, elapsed) for _ in range(done))
    elif outcome == "returned":  # returned within the last four weeks, still waiting for the correction
        waiting, offsets = rng.randint(0, 20), [rng.randint(0, 3)]
        submitted = year.workdays[year.done - 1 - waiting - offsets[0]]
    else:
        total = {"completed": rng.randint(limit + 1, limit + 8) if rng.random() < LATE_SHARE else rng.randint(1, limit),
                 "rejected": rng.randint(0, 3), "withdrawn": rng.randint(0, 5), "draft": 0}[outcome]
        submitted = year.workdays[rng.randint(0, year.done - 1 - total - 6)]  # 6: room for a correction
        offsets = sorted(rng.randint(1, total) for _ in range(n)) if outcome == "completed" else [total]
    created = year.at(submitted, rng, office=False)
    app["created_at"] = created
    event("create", created, "", S.DRAFT, 0, by=applicant[0])
    if outcome == "draft":
        app["status"] = S.DRAFT
        return app, events
    app["submitted_at"] = created + datetime.timedelta(minutes=rng.randint(2, 30))
    deadline = year.due(submitted, limit)
    app["due_date"], app["due_uncovered"] = deadline.date, deadline.uncovered
    event("submit", app["submitted_at"], S.DRAFT, S.SUBMITTED, 0, by=applicant[0])
    status, step = S.SUBMITTED, 0
    if outcome in ("rejected", "withdrawn", "returned"):
        when = max(year.at(year.after(submitted, offsets[0]), rng, office=outcome != "withdrawn"),
                   app["submitted_at"] + datetime.timedelta(minutes=1))
        if outcome == "withdrawn":
            event("withdraw", when, S.SUBMITTED, S.WITHDRAWN, 0, by=applicant[0])
            app.update(status=S.WITHDRAWN)
        elif outcome == "rejected":
            event("reject", when, S.SUBMITTED, S.REJECTED, 0, note="不符合申请条件")
            app.update(status=S.REJECTED, completed_at=when)
        else:
            event("return", when, S.SUBMITTED, S.RETURNED, 0, note="请补充材料")
            app.update(status=S.RETURNED, suspended_on=timezone.localtime(when).date())
        return app, events
    corrected_at = rng.randrange(n) if outcome == "completed" and rng.random() < CORRECTED_SHARE else None
    last = app["submitted_at"]
    for k, offset in enumerate(offsets):
        when = max(year.at(year.after(submitted, offset), rng, office=True), last + datetime.timedelta(minutes=1))
        if k == corrected_at:  # returned for correction before this action, resubmitted a few days later
            waited = rng.randint(1, 5)
            event("return", when, status, S.RETURNED, step, note="请补充材料")
            back = max(year.at(year.after(timezone.localtime(when).date(), waited), rng, office=False),
                       when + datetime.timedelta(minutes=5))
            event("resubmit", back, S.RETURNED, status, step, by=applicant[0])
            moved = year.due(app["due_date"], waited)
            app["due_date"], app["due_uncovered"] = moved.date, app["due_uncovered"] or moved.uncovered
            when = back + datetime.timedelta(hours=1)
        action, before, step = ("accept" if k == 0 else "approve"), status, step + 1
        status = S.COMPLETED if step >= n else (S.ACCEPTED if k == 0 else S.IN_PROGRESS)
        if step < n:
            handler = route(union, levels[step])
        event(action, when, before, status, step)
        if k == 0:
            app["accepted_at"] = when
        last = when
    if status == S.COMPLETED:
        app["completed_at"] = last
        if rng.random() < RATED_SHARE:
            app["rating"] = rng.choices(list(RATINGS), weights=list(RATINGS.values()))[0]
    app.update(status=status, step=step, step_role=steps[step]["role"] if step < n else "", handling_org_id=handler)
    return app, events


def generate(count: int, *, outcome=None, unions: list[Org], weights: list[float], versions: dict, applicants: list,
             year: Year, route: Router, rng: random.Random) -> tuple[list[dict], list[dict]]:
    codes = list(ITEM_WEIGHTS)
    item_weights = list(ITEM_WEIGHTS.values())
    picked_unions = rng.choices(unions, weights=weights, k=count)
    picked_items = rng.choices(codes, weights=item_weights, k=count)
    picked_outcomes = [outcome] * count if outcome else rng.choices(list(OUTCOMES), list(OUTCOMES.values()), k=count)
    pairs = [simulate(o, version=versions[code], union=union, applicant=rng.choice(applicants), year=year,
                      route=route, rng=rng)
             for union, code, o in zip(picked_unions, picked_items, picked_outcomes, strict=True)]
    pairs.sort(key=lambda pair: pair[0]["created_at"])  # ids in filing order, as in a database that grew
    return [app for app, _ in pairs], [events for _, events in pairs]


def write(apps: list[dict], events: list[list[dict]]) -> None:
    """COPY the applications (ids from the table's sequence, which is moved past them) and their events."""
    # The columns simulate() sets; any other (a field added since) takes its database default, NULL.
    app_columns, event_columns = list(apps[0]), list(events[0][0])  # events: and application_id
    assert all(list(app) == app_columns for app in apps), "every simulated application has the same columns"
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Application._meta.db_table])
        first = cursor.fetchone()[0]
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                       [Application._meta.db_table, first + len(apps) - 1])
        with cursor.copy(f"COPY {Application._meta.db_table} (id, {', '.join(app_columns)}) FROM STDIN") as copy:
            for pk, app in enumerate(apps, start=first):
                copy.write_row([pk, *(app[c] for c in app_columns)])
        rows = sorted(((e, pk) for pk, evs in enumerate(events, start=first) for e in evs), key=lambda r: r[0]["at"])
        with cursor.copy(f"COPY {ApplicationEvent._meta.db_table} (application_id, {', '.join(event_columns)}) "
                         "FROM STDIN") as copy:
            for e, pk in rows:
                copy.write_row([pk, *(e[c] for c in event_columns)])
        # Every table, the orgs too: this server runs with autovacuum off, and without statistics on the demo's
        # 84 000 orgs the planner takes a province's subtree for 130 orgs (nested loops, 1.4 s queue pages).
        cursor.execute("ANALYZE")


def load_applications(*, stage: str, rng: random.Random, applicants: list) -> None:
    year, route = Year(), Router()
    versions = {item.code: item.current for item in ServiceItem.objects.select_related("current")}
    unions = list(Org.objects.filter(level=Org.Level.GRASSROOTS, status=Org.Status.ACTIVE)
                  .only("id", "path", "parent_id", "level", "status", "employee_count").order_by("path"))
    weights = [u.employee_count or 10 for u in unions]
    start = time.perf_counter()
    if stage == "A":
        apps, events = generate(YEAR_TOTAL, unions=unions, weights=weights, versions=versions,
                                applicants=applicants, year=year, route=route, rng=rng)
    else:  # the backlog: each county federation's unions file open applications up to BACKLOG_PER_COUNTY
        apps, events = [], []
        counties = Org.objects.filter(level=Org.Level.COUNTY, kind=Org.Kind.FEDERATION).order_by("path")
        for county in counties:
            mine = [(u, w) for u, w in zip(unions, weights, strict=True) if u.path.startswith(county.path)]
            have = Application.objects.filter(status__in=queries.OPEN,
                                              applicant_org__path__startswith=county.path).count()
            if not mine or have >= BACKLOG_PER_COUNTY:
                continue
            a, e = generate(BACKLOG_PER_COUNTY - have, outcome="open", unions=[u for u, _ in mine],
                            weights=[w for _, w in mine], versions=versions, applicants=applicants, year=year,
                            route=route, rng=rng)
            apps += a
            events += e
    generated = time.perf_counter() - start
    write(apps, events)
    print(f"阶段 {stage}：生成 {len(apps)} 件、事件 {sum(map(len, events))} 条 {generated:.1f} 秒，"
          f"COPY {time.perf_counter() - start - generated:.1f} 秒（route 查询 {len(route._cache)} 次）", flush=True)


def describe() -> None:
    """What is in the tables now: by status, open per county, overdue."""
    today = timezone.localdate()
    by_status = dict(Application.objects.values_list("status").annotate(n=Count("id")))
    open_ = Application.objects.filter(status__in=queries.OPEN)
    print(f"办件 {sum(by_status.values())}（" + "，".join(f"{S(k).label} {v}" for k, v in sorted(by_status.items()))
          + f"），事件 {ApplicationEvent.objects.count()}，在办已逾期 {open_.filter(due_date__lt=today).count()}")
    per_county = []
    for county in Org.objects.filter(level=Org.Level.COUNTY, kind=Org.Kind.FEDERATION):
        per_county.append(open_.filter(handling_org__path__startswith=county.path).count())
    per_county.sort()
    print(f"县级总工会 {len(per_county)} 个，各自子树内办理中的办件：中位数 {statistics.median(per_county):.0f}，"
          f"最少 {per_county[0]}，最多 {per_county[-1]}")


# Measuring --------------------------------------------------------------------------------------------

def timed(fn, repeat: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p50_p95(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples), statistics.quantiles(samples, n=100, method="inclusive")[94]


class Recorder:
    """Every SQL statement run while installed (`connection.execute_wrapper`), with its time. Not
    CaptureQueriesContext: the test client's request_started signal empties the log it reads."""

    def __init__(self):
        self.queries: list[tuple[str, tuple, float]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, (time.perf_counter() - start) * 1000))


def bench_pages(repeat: int) -> list[tuple[str, Recorder]]:
    print("\n| 干部 | 页面 | 列表行数（计数） | 中位数 ms | p95 ms | SQL 条数 | 其中 SQL ms |\n"
          "|---|---|---:|---:|---:|---:|---:|")
    captured = []
    for label, username in CADRES:
        user = User.objects.select_related("org").get(username=username)
        client = login(Client(), user)
        for query, name in (("mine=1", "待我办理"), ("due=overdue", "已逾期")):
            url = f"/admin/hall/application/?{query}"

            def get(url=url, client=client):
                response = client.get(url)
                assert response.status_code == 200, response.status_code
                return response

            p50, p95 = p50_p95(timed(get, repeat))
            recorder = Recorder()
            with connection.execute_wrapper(recorder):
                response = get()
            cl = response.context_data["cl"]
            shown = f"{cl.result_count}"  # "10000+" past the paginator's cap
            sql_ms = sum(q[2] for q in recorder.queries)
            print(f"| {label}（{user.org.name}） | {name} | {shown} | {p50:.1f} | {p95:.1f} | "
                  f"{len(recorder.queries)} | {sql_ms:.1f} |", flush=True)
            captured.append((f"{label} {name}", recorder))
    return captured


def bench_figures(repeat: int) -> Recorder:
    """compute() of all hall figures per org, then each figure alone (3 runs); returns the province's SQL."""
    start, end = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)
    rows, parts = [], {}
    for label, username in CADRES:
        org = User.objects.select_related("org").get(username=username).org
        recorder = Recorder()
        began = time.perf_counter()
        with connection.execute_wrapper(recorder):
            values = compute(org, start, end, prefix="hall.")
        once = (time.perf_counter() - began) * 1000
        # One warm-up: the province's compute takes seconds, and the run above already warmed the caches.
        p50, p95 = p50_p95(timed(lambda org=org: compute(org, start, end, prefix="hall."), repeat, warmup=1))
        sql_ms = sum(q[2] for q in recorder.queries)
        rows.append(f"| {label}（{org.name}） | {values['hall.received']} | {values['hall.completed']} | "
                    f"{values['hall.on_time_rate']} | {values['hall.handling_days_mean']} | {p50:.1f} | {p95:.1f} | "
                    f"{len(recorder.queries)} | {sql_ms / once * 100:.0f} % |")
        for key, fig in sorted(REGISTRY.items()):
            if key.startswith("hall."):
                parts.setdefault(key, []).append(statistics.median(timed(lambda f=fig, o=org: f.func(o, start, end),
                                                                         3, warmup=0)))
    print("\n| 组织 | 受理数 | 办结数 | 按时办结率 | 平均办理时长 | compute 中位数 ms | p95 ms | SQL 条数 | "
          "SQL 占比 |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    print("\n| 指标（单独计算，3 次中位数 ms） | " + " | ".join(label for label, _ in CADRES) + " |\n|---|"
          + "---:|" * len(CADRES))
    for key, times in parts.items():
        print(f"| {key} | " + " | ".join(f"{t:.1f}" for t in times) + " |")
    return recorder


def slowest(label: str, recorder: Recorder, n: int = 3) -> list[tuple[str, tuple]]:
    total = sum(q[2] for q in recorder.queries)
    print(f"\n{label}：{len(recorder.queries)} 条 SQL，共 {total:.1f} ms；最慢的 {n} 条：")
    top, seen = [], set()
    for query in sorted(recorder.queries, key=lambda q: -q[2]):
        if query[0] not in seen and len(top) < n:  # hall.received runs twice (completion_rate reuses it)
            seen.add(query[0])
            top.append(query)
    for sql, params, ms in top:
        print(f"  {ms:7.1f} ms  {connection.ops.compose_sql(sql, params)[:240]}…")
    return [(sql, params) for sql, params, _ in top]


def explain(title: str, sql: str, params) -> None:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join("    " + row[0] for row in cursor.fetchall())
    print(f"\n{title}\n  {connection.ops.compose_sql(sql, params)}\n{plan}", flush=True)


def measure(stage: str, repeat: int, *, figures: bool) -> None:
    print(f"\n## 阶段 {stage}（{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}，负载 "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}）", flush=True)
    describe()
    pages = bench_pages(repeat)
    province_figures = bench_figures(repeat) if figures else None
    for label, recorder in pages:
        slowest(label, recorder)
    county = pages[0][1].queries
    page = next((sql, params) for sql, params, _ in county if sql.startswith('SELECT "hall_application"."id"'))
    count = next((sql, params) for sql, params, _ in county if sql.startswith("SELECT COUNT(*)"))
    explain("县级 待我办理：列表页查询（50 条）的 EXPLAIN ANALYZE", *page)
    explain("县级 待我办理：计数（上限 10 001）的 EXPLAIN ANALYZE", *count)
    explain("县级 待我办理：最慢的一条的 EXPLAIN ANALYZE", *slowest("县级 待我办理", pages[0][1], 1)[0])
    explain("省级 待我办理：最慢的一条的 EXPLAIN ANALYZE", *slowest("省级 待我办理", pages[4][1], 1)[0])
    if province_figures:
        for sql, params in slowest("省级 compute(hall.)", province_figures, 2):
            explain("省级指标：", sql, params)
    print(f"\n（结束时负载 {' '.join(f'{x:.2f}' for x in os.getloadavg())}）", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="measure the data already loaded (stage B's if there)")
    parser.add_argument("--figures-b", action="store_true", help="the figures after stage B too")
    args = parser.parse_args()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        print(f"数据库：{settings.DATABASES['default']['NAME']}（{cursor.fetchone()[0].split(' on ')[0]}），"
              f"{os.cpu_count()} 核，今天 {timezone.localdate()}", flush=True)
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if args.reuse:
        measure("（现有数据）", args.repeat, figures=True)
        return
    began = time.perf_counter()
    recreate_database()
    load_orgs()
    print(f"组织树（省级演示，无会员）：{Org.objects.count()} 个组织 {time.perf_counter() - began:.0f} 秒", flush=True)
    rng = random.Random(SEED)
    applicants = make_applicants(rng)
    load_applications(stage="A", rng=rng, applicants=applicants)
    measure("A：一年 50 000 件", args.repeat, figures=True)
    load_applications(stage="B", rng=rng, applicants=applicants)
    # The backlog is about the queue; the year's figures were measured in stage A (they would take 4 more minutes).
    measure(f"B：另加积压，每县约 {BACKLOG_PER_COUNTY} 件在办", args.repeat, figures=args.figures_b)
    print(f"\n全程 {time.perf_counter() - began:.0f} 秒")


if __name__ == "__main__":
    main()
