"""`gonghui hall-stats --org CODE [--from D --to D] [--json]`: the hall figures per service item."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from gonghui.hall.figures import by_item
from gonghui.orgs.models import Org
from gonghui.stats.registry import REGISTRY


class Command(BaseCommand):
    help = "网上办事大厅：按办事项统计某组织子树在一段时期内的受理、办结等指标。"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="组织代码")
        parser.add_argument("--from", dest="start", type=datetime.date.fromisoformat, help="起始日期（默认当年1月1日）")
        parser.add_argument("--to", dest="end", type=datetime.date.fromisoformat, help="截止日期（默认今天）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, org, start, end, **options):
        today = datetime.date.today()
        start, end = start or today.replace(month=1, day=1), end or today
        target = Org.objects.filter(code=org).first()
        if target is None:
            raise CommandError(f"组织代码 {org} 不存在。")
        rows = by_item(target, start, end)
        if options["json"]:
            self.stdout.write(json.dumps({"org": org, "from": str(start), "to": str(end), "items": rows},
                                         ensure_ascii=False))
            return
        self.stdout.write(f"{target.name}（{org}） {start} 至 {end}")
        for row in rows:
            values = "，".join(f"{REGISTRY[k].label}{v}" for k, v in row.items() if k.startswith("hall."))
            self.stdout.write(f"  {row['name']}：{values}")
