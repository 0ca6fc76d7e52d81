"""Background work of the service hall: the daily due-date reminders (run `gonghui hall-remind` from cron,
or enqueue `remind_due_task` for the db_worker)."""

from django_tasks import task

from .actions import remind_due


@task()
def remind_due_task() -> dict:
    return remind_due()
