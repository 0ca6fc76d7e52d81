"""`gonghui service-items [--json]`: the catalogue of service items, as new applications see it."""

import json

from django.core.management.base import BaseCommand

from gonghui.hall.queries import catalogue


class Command(BaseCommand):
    help = "列出网上办事大厅的办事项（当前版本）。"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **options):
        items = catalogue()
        if options["json"]:
            self.stdout.write(json.dumps(items, ensure_ascii=False))
            return
        for item in items:
            steps = " → ".join(items_step["name"] for items_step in item["steps"])
            self.stdout.write(f"{item['code']:<20} {item['name']:<12} {item['level']:<8} "
                              f"{item['time_limit_days']:>3} 个工作日  {steps}")
