import datetime
import json
import random
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gonghui.orgs.models import Org
from gonghui.stats import rollups
from gonghui.stats.registry import REGISTRY, compute, differences


class Command(BaseCommand):
    help = "统计某组织子树在一段时期内的各项指标；--verify 与按记录重新计算的结果逐项核对；--rebuild 重建统计汇总。"

    def add_arguments(self, parser):
        parser.add_argument("--org", help="组织代码")
        parser.add_argument("--from", dest="start", type=datetime.date.fromisoformat,
                            help="起始日期 YYYY-MM-DD（默认当年1月1日）")
        parser.add_argument("--to", dest="end", type=datetime.date.fromisoformat,
                            help="截止日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--prefix", default="", help="只统计以此开头的指标，如 orgs.")
        parser.add_argument("--json", action="store_true", help="输出 JSON")
        parser.add_argument("--verify", action="store_true",
                            help="按记录重新计算并与统计汇总逐项核对，打印每一处差异（有差异时退出码为 1）")
        parser.add_argument("--random", dest="samples", type=int, default=0, metavar="N",
                            help="与 --verify 同用：核对 N 个随机的（组织，时期），含往年时期")
        parser.add_argument("--seed", type=int, default=0, help="--random 的随机种子")
        parser.add_argument("--rebuild", action="store_true", help="按记录重建全部统计汇总")

    def handle(self, *args, org, start, end, prefix, json: bool = False, verify=False, samples: int = 0, seed=0,
               rebuild=False, **options):
        if rebuild:
            cells = rollups.rebuild(say=self.stdout.write)
            self.stdout.write(f"统计汇总已重建：{cells} 个单元。")
            if not org and not verify:
                return
        if verify and samples:
            return self._verify_random(samples, seed, prefix)
        if not org:
            raise CommandError("请用 --org 指定组织代码。")
        now = timezone.localdate()
        start = start or now.replace(month=1, day=1)
        end = end or now
        if start > end:
            raise CommandError("起始日期不能晚于截止日期。")
        target = Org.objects.filter(code=org).first()
        if target is None:
            raise CommandError(f"组织代码 {org} 不存在。")
        if verify:
            return self._report([(target, start, end)], prefix)
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

    def _verify_random(self, count: int, seed: int, prefix: str):
        rng = random.Random(seed)
        ids = list(Org.objects.values_list("pk", flat=True).order_by("pk"))
        if not ids:
            raise CommandError("没有组织可供核对。")
        now = timezone.localdate()
        pairs = []
        for _ in range(count):
            org = Org.objects.get(pk=rng.choice(ids))
            start = now - datetime.timedelta(days=rng.randrange(0, 3 * 365))
            end = min(now, start + datetime.timedelta(days=rng.randrange(0, 400)))
            pairs.append((org, start, end))
        return self._report(pairs, prefix)

    def _report(self, pairs, prefix: str):
        wrong = 0
        for org, start, end in pairs:
            for key, engine, truth in differences(org, start, end, prefix=prefix):
                wrong += 1
                self.stdout.write(f"{org.code} {start}～{end} {key}：汇总 {engine}，按记录 {truth}")
        self.stdout.write(f"核对 {len(pairs)} 个（组织，时期）：{'无差异' if not wrong else f'{wrong} 处差异'}。")
        if wrong:
            raise SystemExit(1)


def _dumps(obj) -> str:
    # Money figures (万元) are Decimals rounded to the cent: as JSON numbers they print exactly as reports do.
    return json.dumps(obj, ensure_ascii=False, default=lambda v: float(v) if isinstance(v, Decimal) else str(v))
