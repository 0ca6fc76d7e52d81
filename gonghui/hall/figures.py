"""Figures of the service hall (`hall.`) over the handling unions of a subtree and a period: received
(受理 counts as the reports count it: submitted), accepted, completed, returned, rejected, completion
and on-time rates, handling time in working days (mean and p90), satisfaction."""

import statistics

from django.db.models import Avg, Q

from gonghui.stats.registry import figure

from . import workdays
from .models import Application, ApplicationEvent

S = Application.Status


def _apps(org, item: str | None = None):
    apps = Application.objects.filter(handling_org__path__startswith=org.path)
    return apps.filter(version__item__code=item) if item else apps


def _events(org, start, end, action: str, item: str | None = None):
    events = ApplicationEvent.objects.filter(org__path__startswith=org.path, action=action,
                                             at__date__range=(start, end))
    return events.filter(application__version__item__code=item) if item else events


@figure("hall.received", label="网上办事受理数（提交）", unit="件")
def received(org, start, end, item: str | None = None) -> int:
    return _events(org, start, end, "submit", item).values("application").distinct().count()


@figure("hall.accepted", label="网上办事已受理", unit="件")
def accepted(org, start, end, item: str | None = None) -> int:
    return _events(org, start, end, "accept", item).count()


@figure("hall.completed", label="网上办事办结数", unit="件")
def completed(org, start, end, item: str | None = None) -> int:
    return _apps(org, item).filter(status=S.COMPLETED, completed_at__date__range=(start, end)).count()


@figure("hall.returned", label="退回补正", unit="件次")
def returned(org, start, end, item: str | None = None) -> int:
    return _events(org, start, end, "return", item).count()


@figure("hall.rejected", label="不予受理", unit="件")
def rejected(org, start, end, item: str | None = None) -> int:
    return _events(org, start, end, "reject", item).count()


@figure("hall.completion_rate", label="办结率", unit="%")
def completion_rate(org, start, end, item: str | None = None) -> float:
    """Completed in the period / received in the period (a share of the period's own intake)."""
    got = received(org, start, end, item)
    done = _apps(org, item).filter(status=S.COMPLETED, submitted_at__date__range=(start, end)).count()
    return round(100 * done / got, 1) if got else 0.0


def _done(org, start, end, item: str | None = None):
    return _apps(org, item).filter(status=S.COMPLETED, completed_at__date__range=(start, end))


@figure("hall.on_time_rate", label="按时办结率", unit="%")
def on_time_rate(org, start, end, item: str | None = None) -> float:
    done = _done(org, start, end, item).exclude(due_date__isnull=True)
    total = done.count()
    on_time = sum(1 for app in done.only("completed_at", "due_date") if app.completed_at.date() <= app.due_date)
    return round(100 * on_time / total, 1) if total else 0.0


def _handling_days(org, start, end, item: str | None = None) -> list[int]:
    """Working days from submission to completion of the period's completed applications."""
    done = _done(org, start, end, item).exclude(submitted_at__isnull=True).only("submitted_at", "completed_at")
    return [workdays.workdays_between(app.submitted_at.date(), app.completed_at.date()) for app in done]


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
