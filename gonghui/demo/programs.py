"""The programs' part of the demo province: each installed app may hold a `demo.py` with `load(demo)`, called
in INSTALLED_APPS order after the tree, the members and the demo accounts exist, so that the back-office pages
and the figures show a year of work after `make run`.

At the small scale an app writes through its actions, like a user, each on the day and hour it happens
(`Demo.at`: the clock of the actions is set to that moment, so every timestamp, deadline and audit entry reads
as it would have). At the larger scales an app bulk-writes the rows its actions would write (same statuses,
events, ledger entries and running books), and the rollups are rebuilt once at the end."""

import contextlib
import dataclasses
import datetime
import math
import random
from collections.abc import Callable, Iterator
from decimal import Decimal

from django.db.models import Max, Min
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.common.contrib import app_modules
from gonghui.members.models import Member
from gonghui.orgs.models import STEP, Org
from gonghui.stats import rollups
from gonghui.stats.actions import set_target
from gonghui.stats.registry import compute

from .generator import SCALES

TOWN_MEMBERS = 30  # the town's first active members, shared by the programs (enough for each one's cast)
YEAR = 365  # days of activity, ending today
OFFICE_HOURS = (8 * 60 + 30, 17 * 60 + 30)  # minutes after local midnight when cadres and workers act


@dataclasses.dataclass(frozen=True)
class Demo:
    """What an app's demo.py gets: the province, city, county, town and grassroots cadres of the demo accounts
    (sheng, shi, xian, zhen, jiceng), the town's first active members, today, `say` for one line of progress,
    and the scale and seed. `bulk`: write rows in bulk (every scale but the small one); `share`: the scale's
    members over the province's, to size a program's year by."""

    province: User
    county: User
    town: User
    members: list[Member]
    today: datetime.date
    say: Callable[[str], None]
    city: User | None = None
    grassroots: User | None = None
    scale: str = "small"
    seed: int = 2026

    @property
    def bulk(self) -> bool:
        return self.scale != "small"

    @property
    def share(self) -> float:
        return SCALES[self.scale].members / SCALES["province"].members

    @property
    def first_day(self) -> datetime.date:
        """The first day of the year of activity that ends today."""
        return self.today - datetime.timedelta(days=YEAR - 1)

    def county_of(self, org_id: int) -> int:
        """The county federation above a union (it pays aid and benefits), else the nearest federation above;
        the tree is read once per load."""
        if not hasattr(self, "_tree"):
            tree = {path: (pk, level) for pk, path, level in Org.objects.values_list("id", "path", "level")}
            object.__setattr__(self, "_tree", (tree, {pk: path for path, (pk, _) in tree.items()}))
        tree, path_of = self._tree
        path = path_of[org_id]
        chain = [tree[path[:cut]] for cut in range(len(path), 0, -STEP)]
        return next((pk for pk, level in chain if level == Org.Level.COUNTY), chain[min(1, len(chain) - 1)][0])

    def rng(self, name: str) -> random.Random:
        """A generator of the app's own (`name`), from the seed: one app's data do not shift another's."""
        return random.Random(f"gonghui-demo:{self.seed}:{name}")

    def day(self, rng: random.Random, start: datetime.date | None = None,
            end: datetime.date | None = None) -> datetime.date:
        """A day in [start, end], by default in the year of activity."""
        start, end = start or self.first_day, min(end or self.today, self.today)
        return start + datetime.timedelta(days=rng.randrange(max(0, (end - start).days) + 1))

    def moment(self, rng: random.Random, day: datetime.date) -> datetime.datetime:
        """An aware moment of office hours on local `day`."""
        minute = rng.randrange(*OFFICE_HOURS)
        naive = datetime.datetime.combine(day, datetime.time(minute // 60, minute % 60, rng.randrange(60)))
        return timezone.make_aware(naive)

    def is_past(self, moment: datetime.datetime) -> bool:
        return moment <= timezone.now()

    def now(self) -> datetime.datetime:
        return timezone.now()

    @contextlib.contextmanager
    def at(self, moment: datetime.datetime) -> Iterator[None]:
        """Run the actions inside as at `moment`: `timezone.now()` (and so `localdate()`, auto_now_add and the
        deadlines the actions compute) is that moment. Never later than the real now."""
        real = timezone.now
        fixed = min(moment, real())
        timezone.now = lambda: fixed
        try:
            yield
        finally:
            timezone.now = real


    @contextlib.contextmanager
    def stamped(self, *models) -> Iterator[None]:
        """bulk_create keeps the times given to `models`' rows: their auto_now / auto_now_add fields are
        switched off inside (they would stamp every row with the moment of the load)."""
        fields = [f for m in models for f in m._meta.concrete_fields
                  if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
        saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
        for f in fields:
            f.auto_now = f.auto_now_add = False
        try:
            yield
        finally:
            for f, now, add in saved:
                f.auto_now, f.auto_now_add = now, add


    def sample(self, rng: random.Random, n: int, queryset) -> list:
        """About `n` rows of `queryset` (of a model with integer ids), drawn by id from the seed: far cheaper
        than ORDER BY random() over millions of members, and the same rows for the same seed and data."""
        bounds = queryset.aggregate(lo=Min("id"), hi=Max("id"))
        if bounds["lo"] is None or n <= 0:
            return []
        found: dict[int, object] = {}
        hits = 0.5  # the share of drawn ids the filters keep, learnt from each round
        for _ in range(8):
            missing = n - len(found)
            if missing <= 0:
                break
            draw = min(int(missing / hits * 1.2) + 10, 4 * (bounds["hi"] - bounds["lo"] + 1))
            ids = sorted({rng.randint(bounds["lo"], bounds["hi"]) for _ in range(draw)} - found.keys())
            before = len(found)
            for i in range(0, len(ids), 10_000):
                found.update((row.pk, row) for row in queryset.filter(id__in=ids[i:i + 10_000]))
            hits = max((len(found) - before) / max(1, len(ids)), 0.001)
        rows = [found[k] for k in sorted(found)][:n]
        rng.shuffle(rows)
        return rows


def load_programs(say, *, scale: str = "small", seed: int = 2026) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=["sheng", "shi", "xian", "zhen", "jiceng"])
             .select_related("org")}
    town = users["zhen"]
    members = list(Member.objects.filter(org__path__startswith=town.org.path, status=Member.Status.ACTIVE)
                   .select_related("org").order_by("id")[:TOWN_MEMBERS])
    demo = Demo(users["sheng"], users["xian"], town, members, timezone.localdate(), say, city=users.get("shi"),
                grassroots=users.get("jiceng"), scale=scale, seed=seed)
    for _, module in app_modules("demo"):
        module.load(demo)
    say("正在重建统计汇总。")
    rollups.rebuild(say=say)
    load_targets(demo)


def load_targets(demo: Demo) -> None:
    """目标任务 of this year for the demo county (set by the city) and each of its towns (set by the county):
    a fifth above what each did last year (or so far this year, when last year holds nothing), through the
    targets' action, so that the dashboard and the report show progress, 超额完成 and the ones behind pace."""
    if demo.city is None:
        return
    year = demo.today.year
    last = (datetime.date(year - 1, 1, 1), datetime.date(year - 1, 12, 31))
    county = demo.county.org
    towns = list(county.children.filter(status="active").order_by("code"))
    for org, by in [(county, demo.city), *((town, demo.county) for town in towns)]:
        before = compute(org, *last, keys=TARGET_KEYS)
        so_far = compute(org, datetime.date(year, 1, 1), demo.today, keys=TARGET_KEYS)
        for key in TARGET_KEYS:
            base = before[key] or so_far[key]
            if base:
                set_target(org=org, year=year, key=key, value=math.ceil(base * Decimal("1.2")), by=by)
    demo.say(f"目标任务：{county.name}及其 {len(towns)} 个下级工会。")


TARGET_KEYS = ["orgs.unions_new", "members.joined", "members.joined_migrant_workers", "hardship.opened"]
