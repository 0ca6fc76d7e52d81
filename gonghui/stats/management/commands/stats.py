import datetime
import json
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from gonghui.orgs.models import Org
from gonghui.stats.registry import REGISTRY, compute


class Command(BaseCommand):
    help = "统计某组织子树在一段时期内的各项指标。"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="组织代码")
        parser.add_argument("--from", dest="start", type=datetime.date.fromisoformat,
                            help="起始日期 YYYY-MM-DD（默认当年1月1日）")
        parser.add_argument("--to", dest="end", type=datetime.date.fromisoformat,
                            help="截止日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--prefix", default="", help="只统计以此开头的指标，如 orgs.")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, org, start, end, prefix, json: bool = False, **options):
        today = datetime.date.today()
        start = start or today.replace(month=1, day=1)
        end = end or today
        if start > end:
            raise CommandError("起始日期不能晚于截止日期。")
        target = Org.objects.filter(code=org).first()
        if target is None:
            raise CommandError(f"组织代码 {org} 不存在。")
        figures = compute(target, start, end, prefix=prefix)
        if json:
            out = {"org": org, "from": start.isoformat(), "to": end.isoformat(), "figures": figures}
            self.stdout.write(_dumps(out))
            return
        self.stdout.write(f"{target.name}（{org}） {start} 至 {end}")
        for key, value in figures.items():
            fig = REGISTRY[key]
            shown = "—" if value is None else value
            self.stdout.write(f"  {fig.label}：{shown} {fig.unit}    [{key}]")


def _dumps(obj) -> str:
    # Money figures (万元) are Decimals rounded to the cent: as JSON numbers they print exactly as reports do.
    return json.dumps(obj, ensure_ascii=False, default=lambda v: float(v) if isinstance(v, Decimal) else str(v))
