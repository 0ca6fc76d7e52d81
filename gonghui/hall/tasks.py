"""Background work of the service hall: the daily due-date reminders (run `gonghui hall-remind` from cron,
or enqueue `remind_due_task` for the db_worker)."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from gonghui.common import audit
from gonghui.portal.models import Notification

from . import queries
from .models import Application


def remind_due(today: datetime.date | None = None) -> dict:
    """Once a day per application: each open application overdue or due soon notifies the cadres of its
    handling union who hold the current step's role. Returns the counts (and audits them)."""
    today = today or timezone.localdate()
    User = get_user_model()
    counts = {"overdue": 0, "due_soon": 0, "notified": 0}
    candidates = (Application.objects.filter(status__in=queries.OPEN, due_date__isnull=False)
                  .exclude(reminded_on=today).select_related("version__item", "handling_org"))
    for app in candidates.iterator():
        flag = queries.due_flag(app, today)
        if not flag:
            continue
        with transaction.atomic():
            handlers = list(User.objects.filter(org=app.handling_org, is_active=True,
                                                role_grants__role=app.step_role))
            what = "已逾期" if flag == "overdue" else "即将到期"
            text = (f"办件 {app.number}（{app.version.item.name}，{app.applicant_name}）{what}，"
                    f"期限 {app.due_date:%Y-%m-%d}。")
            link = f"/admin/hall/application/{app.pk}/change/"
            Notification.objects.bulk_create([Notification(user=u, text=text, link=link) for u in handlers])
            Application.objects.filter(pk=app.pk).update(reminded_on=today)
        counts[flag] += 1
        counts["notified"] += len(handlers)
    audit.record("hall_remind", changes=counts | {"date": str(today)})
    return counts


@task()
def remind_due_task() -> dict:
    return remind_due()
