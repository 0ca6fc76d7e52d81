"""Figures of the service hall (`hall.`) over the handling unions of a subtree and a period: received
(受理 counts as the reports count it: submitted), accepted, completed, returned, rejected, completion
and on-time rates, handling time in working days (mean and p90), satisfaction."""

import statistics

from django.db.models import Avg, Q

from gonghui.stats.registry import figure

from . import workdays
from .models import Application, ApplicationEvent

S = Application.Status


def _apps(org):
    return Application.objects.filter(handling_org__path__startswith=org.path)


def _events(org, start, end, action: str):
    return ApplicationEvent.objects.filter(org__path__startswith=org.path, action=action,
                                           at__date__range=(start, end))


@figure("hall.received", label="网上办事受理数（提交）", unit="件")
def received(org, start, end) -> int:
    return _events(org, start, end, "submit").values("application").distinct().count()


@figure("hall.accepted", label="网上办事已受理", unit="件")
def accepted(org, start, end) -> int:
    return _events(org, start, end, "accept").count()


@figure("hall.completed", label="网上办事办结数", unit="件")
def completed(org, start, end) -> int:
    return _apps(org).filter(status=S.COMPLETED, completed_at__date__range=(start, end)).count()


@figure("hall.returned", label="退回补正", unit="件次")
def returned(org, start, end) -> int:
    return _events(org, start, end, "return").count()


@figure("hall.rejected", label="不予受理", unit="件")
def rejected(org, start, end) -> int:
    return _events(org, start, end, "reject").count()


@figure("hall.completion_rate", label="办结率", unit="%")
def completion_rate(org, start, end) -> float:
    """Completed in the period / received in the period (a share of the period's own intake)."""
    got = received(org, start, end)
    done = _apps(org).filter(status=S.COMPLETED, submitted_at__date__range=(start, end)).count()
    return round(100 * done / got, 1) if got else 0.0


def _done(org, start, end):
    return _apps(org).filter(status=S.COMPLETED, completed_at__date__range=(start, end))


@figure("hall.on_time_rate", label="按时办结率", unit="%")
def on_time_rate(org, start, end) -> float:
    done = _done(org, start, end).exclude(due_date__isnull=True)
    total = done.count()
    on_time = sum(1 for app in done.only("completed_at", "due_date") if app.completed_at.date() <= app.due_date)
    return round(100 * on_time / total, 1) if total else 0.0


def _handling_days(org, start, end) -> list[int]:
    """Working days from submission to completion of the period's completed applications."""
    return [workdays.workdays_between(app.submitted_at.date(), app.completed_at.date())
            for app in _done(org, start, end).exclude(submitted_at__isnull=True).only("submitted_at", "completed_at")]


@figure("hall.handling_days_mean", label="平均办理时长（工作日）", unit="工作日")
def handling_days_mean(org, start, end) -> float:
    days = _handling_days(org, start, end)
    return round(statistics.fmean(days), 1) if days else 0.0


@figure("hall.handling_days_p90", label="办理时长90分位（工作日）", unit="工作日")
def handling_days_p90(org, start, end) -> float:
    days = sorted(_handling_days(org, start, end))
    if not days:
        return 0.0
    return float(days[max(0, -(-len(days) * 9 // 10) - 1)])  # nearest-rank p90


@figure("hall.satisfaction", label="满意度（平均星级）", unit="星")
def satisfaction(org, start, end) -> float:
    value = _done(org, start, end).filter(~Q(rating=None)).aggregate(v=Avg("rating"))["v"]
    return round(value, 2) if value is not None else 0.0
