"""`gonghui hall-remind [--json]`: the daily due-date reminders of the service hall (run it from cron)."""

import json

from django.core.management.base import BaseCommand

from gonghui.hall.actions import remind_due


class Command(BaseCommand):
    help = "网上办事大厅：提醒即将到期和已逾期的办件（每天运行一次）。"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        counts = remind_due()
        if options["json"]:
            self.stdout.write(json.dumps(counts, ensure_ascii=False))
        else:
            self.stdout.write(f"已逾期 {counts['overdue']} 件，即将到期 {counts['due_soon']} 件，"
                              f"提醒 {counts['notified']} 人次。")
