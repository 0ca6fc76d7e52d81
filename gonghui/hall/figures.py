"""Figures of the service hall (`hall.`) over the handling unions of a subtree and a period: received
(受理 counts as the reports count it: submitted), accepted, completed, returned, rejected, completion
and on-time rates, handling time in working days (mean and p90), satisfaction. `item` narrows any of them
to one service item (`by_item`, `gonghui hall-stats`).

Periods are local (Beijing) days, filtered as half-open ranges of local midnights so that the timestamp
indexes serve them (`__date__range` casts every row and is badly estimated: bench/README.md, service hall)."""

import datetime
import statistics

from django.db.models import Avg, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from gonghui.common.dates import local_span
from gonghui.stats.registry import figure

from . import workdays
from .models import Application, ApplicationEvent

S = Application.Status



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


@figure("hall.received", label="网上办事受理数（提交）", unit="件")
def received(org, start, end, item: str | None = None) -> int:
    return _events(org, start, end, "submit", item).values("application").distinct().count()


@figure("hall.accepted", label="网上办事已受理", unit="件")
def accepted(org, start, end, item: str | None = None) -> int:
    return _events(org, start, end, "accept", item).count()


@figure("hall.completed", label="网上办事办结数", unit="件")
def completed(org, start, end, item: str | None = None) -> int:
    return _done(org, start, end, item).count()


@figure("hall.returned", label="退回补正", unit="件次")
def returned(org, start, end, item: str | None = None) -> int:
    return _events(org, start, end, "return", item).count()


@figure("hall.rejected", label="不予受理", unit="件")
def rejected(org, start, end, item: str | None = None) -> int:
    return _events(org, start, end, "reject", item).count()


@figure("hall.completion_rate", label="办结率", unit="%")
def completion_rate(org, start, end, item: str | None = None) -> float:
    """Completed of the applications submitted in the period / received in the period."""
    got = received(org, start, end, item)
    since, until = local_span(start, end)
    done = _apps(org, item).filter(status=S.COMPLETED, submitted_at__gte=since, submitted_at__lt=until).count()
    return round(100 * done / got, 1) if got else 0.0


@figure("hall.on_time_rate", label="按时办结率", unit="%")
def on_time_rate(org, start, end, item: str | None = None) -> float:
    """Completed in the period on or before the deadline (the local completion day against the due date)."""
    done = _done(org, start, end, item).exclude(due_date__isnull=True)
    total = done.count()
    on_time = done.annotate(day=TruncDate("completed_at", tzinfo=timezone.get_current_timezone())) \
        .filter(day__lte=F("due_date")).count()
    return round(100 * on_time / total, 1) if total else 0.0


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


@figure("hall.handling_days_mean", label="平均办理时长（工作日）", unit="工作日")
def handling_days_mean(org, start, end, item: str | None = None) -> float:
    days = _handling_days(org, start, end, item)
    return round(statistics.fmean(days), 1) if days else 0.0


@figure("hall.handling_days_p90", label="办理时长90分位（工作日）", unit="工作日")
def handling_days_p90(org, start, end, item: str | None = None) -> float:
    days = sorted(_handling_days(org, start, end, item))
    if not days:
        return 0.0
    return float(days[max(0, -(-len(days) * 9 // 10) - 1)])  # nearest-rank p90


@figure("hall.satisfaction", label="满意度（平均星级）", unit="星")
def satisfaction(org, start, end, item: str | None = None) -> float:
    value = _done(org, start, end, item).filter(~Q(rating=None)).aggregate(v=Avg("rating"))["v"]
    return round(value, 2) if value is not None else 0.0


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
