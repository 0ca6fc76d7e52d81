import datetime
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gonghui.common.errors import DomainError
from gonghui.orgs.models import Org
from gonghui.stats.report import document


class Command(BaseCommand):
    help = "生成某组织某期间的工作情况报告（Word）及按直属下级组织的指标附表（同名 .xlsx）。"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="组织代码")
        parser.add_argument("--from", dest="start", required=True, type=datetime.date.fromisoformat,
                            help="起始日期 YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, type=datetime.date.fromisoformat,
                            help="截止日期 YYYY-MM-DD")
        parser.add_argument("--out", required=True, help="输出的 .docx 文件；附表写在同目录同名 .xlsx")

    def handle(self, *args, org, start, end, out, **options):
        if start > end:
            raise CommandError("起始日期不能晚于截止日期。")
        union = Org.objects.filter(code=org).first()
        if union is None:
            raise CommandError(f"组织代码 {org} 不存在。")
        docx = Path(out)
        if docx.suffix.lower() != ".docx":
            raise CommandError("--out 应为 .docx 文件。")
        began = time.perf_counter()
        try:
            report = document.prepare(union, start, end)
        except DomainError as e:  # a saved template naming a figure since withdrawn
            raise CommandError(e.message) from None
        docx.write_bytes(document.docx_bytes(report))
        annex = docx.with_suffix(".xlsx")
        annex.write_bytes(document.xlsx_bytes(report))
        self.stdout.write(f"{report.title}：{docx}，附表 {annex}（{time.perf_counter() - began:.1f} 秒）")
