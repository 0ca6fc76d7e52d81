"""Reads of the service hall: the catalogue, and the due flags every list shows."""

import datetime

from django.utils import timezone

from gonghui.orgs.queries import scope_org

from . import workdays
from .models import Application, ServiceItem

DUE_SOON_WORKDAYS = 2  # "即将到期": due within this many working days
OPEN = (Application.Status.SUBMITTED, Application.Status.ACCEPTED, Application.Status.IN_PROGRESS)


def catalogue() -> list[dict]:
    """The open items with their current version: what `gonghui service-items --json` prints."""
    items = ServiceItem.objects.filter(active=True, current__isnull=False).select_related("current")
    return [{"code": item.code, "name": item.name, "level": item.current.level,
             "time_limit_days": item.current.time_limit_days,
             "steps": [{"name": s["name"], "role": s["role"], **({"level": s["level"]} if s.get("level") else {})}
                       for s in item.current.steps]} for item in items]


def due_flag(application: Application, today: datetime.date | None = None) -> str:
    """"overdue" (逾期), "due_soon" (即将到期) or "" for an open application; a returned one (clock stopped) ""."""
    if application.status not in OPEN or application.due_date is None:
        return ""
    today = today or timezone.localdate()
    if application.due_date < today:
        return "overdue"
    return "due_soon" if application.due_date < due_soon_limit(today) else ""


def due_soon_limit(today: datetime.date) -> datetime.date:
    """"即将到期" is due before this day: at most DUE_SOON_WORKDAYS working days left means before the next
    working day after those."""
    return workdays.add_workdays(today, DUE_SOON_WORKDAYS + 1).date


def waiting_for(user, queryset):
    """待我办理: open applications handled in `user`'s subtree at a step whose role `user` holds (one indexed
    filter on `step_role`). The admin's filter and the API both use it."""
    org = scope_org(user)
    if org is None:
        return queryset.none()
    return queryset.filter(status__in=OPEN, handling_org__path__startswith=org.path, step_role__in=user.roles)


def with_due_flag(queryset, flag: str, today: datetime.date | None = None):
    """The open applications of `queryset` that `due_flag` marks `flag` ("overdue" or "due_soon"), in SQL."""
    today = today or timezone.localdate()
    open_ = queryset.filter(status__in=OPEN)
    if flag == "overdue":
        return open_.filter(due_date__lt=today)
    return open_.filter(due_date__gte=today, due_date__lt=due_soon_limit(today))
