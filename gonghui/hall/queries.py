"""Reads of the service hall: the catalogue, and the due flags every list shows."""

import datetime

from django.utils import timezone

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
    if workdays.workdays_between(today, application.due_date) <= DUE_SOON_WORKDAYS:
        return "due_soon"
    return ""
