"""Figures of the service hall (`hall.`) over the handling unions of a subtree and a period: received
(受理 counts as the reports count it: submitted), accepted, completed, returned, rejected, completion
and on-time rates, handling time in working days (mean and p90), satisfaction. `item` narrows any of them
to one service item (`by_item`, `gonghui hall-stats`).

Periods are local (Beijing) days, filtered as half-open ranges of local midnights so that the timestamp
indexes serve them (`__date__range` casts every row and is badly estimated: bench/README.md, service hall)."""

import datetime
import statistics

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from gonghui.common.dates import local_span
from gonghui.stats import rollups
from gonghui.stats.registry import Flow, Ratio, figure

from . import workdays
from .models import Application, ApplicationEvent

S = Application.Status
TZ = timezone.get_current_timezone()


def _local_day(field: str):
    return TruncDate(field, tzinfo=TZ)


# The rollups: decisions by the union that took them on their local day; completions by the handling union on
# the day of completion, and again on the day of submission (for the completion rate).
_done_rows = lambda pks: Application.objects.filter(  # noqa: E731
    rollups.subjects("pk", pks), status=S.COMPLETED, completed_at__isnull=False)
rollups.source("hall", Application, [
    rollups.Part(lambda pks: ApplicationEvent.objects.filter(rollups.subjects("application_id", pks),
                                                             action__in=["submit", "accept", "return", "reject"]),
                 org="org_id", day=_local_day("at"),
                 counters={f"hall.{name}": Count("pk", filter=Q(action=action)) for name, action in (
                     ("received", "submit"), ("accepted", "accept"), ("returned", "return"), ("rejected", "reject"))}),
    rollups.Part(_done_rows, org="handling_org_id", day=_local_day("completed_at"), counters={
        "hall.completed": Count("pk"),
        "hall.completed_due": Count("pk", filter=Q(due_date__isnull=False)),
        "hall.completed_on_time": Count("pk", filter=Q(due_date__gte=_local_day("completed_at"))),
        "hall.rating_sum": Sum("rating", filter=Q(rating__isnull=False)),
        "hall.rated": Count("pk", filter=Q(rating__isnull=False))}),
    rollups.Part(lambda pks: _done_rows(pks).filter(submitted_at__isnull=False), org="handling_org_id",
                 day=_local_day("submitted_at"), counters={"hall.received_completed": Count("pk")}),
], watch={Application: "pk", ApplicationEvent: "application_id"})



def _apps(org, item: str | None = None):
    apps = Application.objects.filter(handling_org__path__startswith=org.path)
    return apps.filter(version__item__code=item) if item else apps


def _events(org, start, end, action: str, item: str | None = None):
    since, until = local_span(start, end)
    events = ApplicationEvent.objects.filter(org__path__startswith=org.path, action=action, at__gte=since,
                                             at__lt=until)
    return events.filter(application__version__item__code=item) if item else events


def _done(org, start, end, item: str | None = None):
    since, until = local_span(start, end)
    return _apps(org, item).filter(status=S.COMPLETED, completed_at__gte=since, completed_at__lt=until)


@figure("hall.received", label="网上办事受理数（提交）", unit="件", tally=Flow("hall.received"),
        definition="期内提交的网上办事申请件数，计入受理的工会。")
def received(org, start, end, item: str | None = None) -> int:
    return _events(org, start, end, "submit", item).values("application").distinct().count()


@figure("hall.accepted", label="网上办事已受理", unit="件", tally=Flow("hall.accepted"),
        definition="期内受理的申请件数，计入受理的工会。")
def accepted(org, start, end, item: str | None = None) -> int:
    return _events(org, start, end, "accept", item).count()


@figure("hall.completed", label="网上办事办结数", unit="件", tally=Flow("hall.completed"),
        definition="期内办结的申请件数，计入办理工会。")
def completed(org, start, end, item: str | None = None) -> int:
    return _done(org, start, end, item).count()


@figure("hall.returned", label="退回补正", unit="件次", tally=Flow("hall.returned"),
        definition="期内退回申请人补正的次数，计入退回的工会。")
def returned(org, start, end, item: str | None = None) -> int:
    return _events(org, start, end, "return", item).count()


@figure("hall.rejected", label="不予受理", unit="件", tally=Flow("hall.rejected"),
        definition="期内决定不予受理的件数，计入作出决定的工会。")
def rejected(org, start, end, item: str | None = None) -> int:
    return _events(org, start, end, "reject", item).count()


@figure("hall.received_completed", label="期内提交的申请中已办结", unit="件", tally=Flow("hall.received_completed"),
        definition="期内提交、现已办结的申请件数，计入办理工会（办结率的分子）。")
def received_completed(org, start, end, item: str | None = None) -> int:
    since, until = local_span(start, end)
    return _apps(org, item).filter(status=S.COMPLETED, submitted_at__gte=since, submitted_at__lt=until).count()


@figure("hall.completion_rate", label="办结率", unit="%", tally=Ratio("hall.received_completed", "hall.received",
                                                                   places=1, empty=0.0),
        definition="期内提交的申请中已办结的件数占期内受理件数的百分比。")
def completion_rate(org, start, end, item: str | None = None) -> float:
    """Completed of the applications submitted in the period / received in the period."""
    got = received(org, start, end, item)
    done = received_completed(org, start, end, item)
    return round(100 * done / got, 1) if got else 0.0


def _done_with_due(org, start, end, item: str | None = None):
    return _done(org, start, end, item).exclude(due_date__isnull=True)


@figure("hall.completed_due", label="期内办结的有期限申请", unit="件", tally=Flow("hall.completed_due"),
        definition="期内办结且有办理期限的申请件数，计入办理工会（按时办结率的分母）。")
def completed_due(org, start, end, item: str | None = None) -> int:
    return _done_with_due(org, start, end, item).count()


@figure("hall.completed_on_time", label="期内按时办结", unit="件", tally=Flow("hall.completed_on_time"),
        definition="期内办结、办结日（北京时间）不晚于办理期限的申请件数，计入办理工会。")
def completed_on_time(org, start, end, item: str | None = None) -> int:
    return _done_with_due(org, start, end, item).annotate(day=_local_day("completed_at")) \
        .filter(day__lte=F("due_date")).count()


@figure("hall.on_time_rate", label="按时办结率", unit="%",
        tally=Ratio("hall.completed_on_time", "hall.completed_due", places=1, empty=0.0),
        definition="期内按时办结的件数占期内办结且有办理期限的件数的百分比。")
def on_time_rate(org, start, end, item: str | None = None) -> float:
    """Completed in the period on or before the deadline (the local completion day against the due date)."""
    total = completed_due(org, start, end, item)
    return round(100 * completed_on_time(org, start, end, item) / total, 1) if total else 0.0


def _handling_days(org, start, end, item: str | None = None) -> list[int]:
    """Working days from submission to completion (local days) of the period's completed applications,
    through one cumulative count of working days over the span rather than a walk per application."""
    tz = timezone.get_current_timezone()
    pairs = list(_done(org, start, end, item).exclude(submitted_at__isnull=True)
                 .annotate(s=TruncDate("submitted_at", tzinfo=tz), c=TruncDate("completed_at", tzinfo=tz))
                 .values_list("s", "c"))  # local days, converted by the database
    if not pairs:
        return []
    first = min(s for s, _ in pairs)
    last = max(c for _, c in pairs)
    cumulative, total = {}, 0
    for offset in range((last - first).days + 1):
        day = first + datetime.timedelta(days=offset)
        total += workdays.is_workday(day) if offset else 0  # working days in (first, day]
        cumulative[day] = total
    return [max(0, cumulative[c] - cumulative[s]) for s, c in pairs]


@figure("hall.handling_days_mean", label="平均办理时长（工作日）", unit="工作日",
        definition="期内办结的申请从提交到办结的工作日数的平均值。")
def handling_days_mean(org, start, end, item: str | None = None) -> float:
    days = _handling_days(org, start, end, item)
    return round(statistics.fmean(days), 1) if days else 0.0


@figure("hall.handling_days_p90", label="办理时长90分位（工作日）", unit="工作日",
        definition="期内办结的申请从提交到办结的工作日数的90分位数（最近秩法）。")
def handling_days_p90(org, start, end, item: str | None = None) -> float:
    days = sorted(_handling_days(org, start, end, item))
    if not days:
        return 0.0
    return float(days[max(0, -(-len(days) * 9 // 10) - 1)])  # nearest-rank p90


def _ratings(org, start, end, item: str | None = None) -> dict:
    return _done(org, start, end, item).filter(~Q(rating=None)).aggregate(total=Sum("rating"), n=Count("pk"))


@figure("hall.rating_sum", label="期内办结件评价星级合计", unit="星", additive=True, tally=Flow("hall.rating_sum"),
        definition="期内办结并已评价的申请的星级之和（满意度的分子）。")
def rating_sum(org, start, end, item: str | None = None) -> int:
    return _ratings(org, start, end, item)["total"] or 0


@figure("hall.rated", label="期内办结件中已评价", unit="件", tally=Flow("hall.rated"),
        definition="期内办结并已评价的申请件数（满意度的分母）。")
def rated(org, start, end, item: str | None = None) -> int:
    return _ratings(org, start, end, item)["n"]


@figure("hall.satisfaction", label="满意度（平均星级）", unit="星",
        tally=Ratio("hall.rating_sum", "hall.rated", scale=1, places=2, empty=0.0),
        definition="期内办结并已评价的申请的平均星级。")
def satisfaction(org, start, end, item: str | None = None) -> float:
    got = _ratings(org, start, end, item)
    return round(got["total"] / got["n"], 2) if got["n"] else 0.0


FIGURES = [received, accepted, completed, returned, rejected, completion_rate, on_time_rate, handling_days_mean,
           handling_days_p90, satisfaction]


def by_item(org, start, end) -> list[dict]:
    """The hall figures per service item (the reports' table by 办事项): one row per item with any intake,
    completion or decision in the period."""
    from .models import ServiceItem

    rows = []
    for item in ServiceItem.objects.order_by("order", "code"):
        row = {"code": item.code, "name": item.name} | {f"hall.{f.__name__}": f(org, start, end, item.code)
                                                         for f in FIGURES}
        if any(row[f"hall.{name}"] for name in ("received", "completed", "returned", "rejected", "accepted")):
            rows.append(row)
    return rows
