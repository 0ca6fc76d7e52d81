"""gonghui reconcile-ledger: recompute each union's totals from the ledger entries and report any
difference from its running book (and approvals out of step with their entries). Exit 1 on a difference."""

import sys

from django.core.management.base import BaseCommand

from gonghui.orgs.models import Org

from ...models import FundSource, PaymentKind
from ...queries import differences, unpaired


class Command(BaseCommand):
    help = "按台账分录重新计算各工会发放合计，与台账合计核对，报告差异（有差异时退出码为 1）。"

    def handle(self, *args, **options):
        diffs, checked = differences()
        problems = unpaired()
        if not diffs and not problems:
            self.stdout.write(f"核对一致：{checked} 组工会/年度/类别/资金来源合计与分录相符。")
            return
        orgs = dict(Org.objects.filter(pk__in={d["key"][0] for d in diffs}).values_list("pk", "name"))
        kinds = dict(PaymentKind.objects.values_list("pk", "name"))
        sources = dict(FundSource.objects.values_list("pk", "name"))
        for d in diffs:
            org, year, kind, source = d["key"]
            self.stdout.write(
                f"不一致：{orgs.get(org, org)} {year}年 {kinds.get(kind, kind)}/{sources.get(source, source)}："
                f"台账合计 {d['stored'][0]:.2f} 元（{d['stored'][1]} 笔），分录重算 {d['recomputed'][0]:.2f} 元"
                f"（{d['recomputed'][1]} 笔）")
        labels = {"approved_but_paid": "已有发放分录但审批仍为待发放",
                  "paid_without_entry": "审批为已发放但没有发放分录"}
        for name, pks in problems.items():
            self.stdout.write(f"不一致：{labels[name]}：审批 {', '.join(map(str, pks[:20]))}")
        self.stdout.write(f"共 {len(diffs)} 组合计不一致，{sum(map(len, problems.values()))} 条审批状态不一致。")
        sys.exit(1)
