from django.conf import settings
from django.core.management.base import BaseCommand

from gonghui.accounts.actions import disable_idle_accounts


class Command(BaseCommand):
    help = "停用长期未登录的干部账号（等保要求；建议每天由定时任务运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.ACCOUNT_IDLE_DAYS,
                            help=f"未登录天数（默认 {settings.ACCOUNT_IDLE_DAYS}，环境变量 ACCOUNT_IDLE_DAYS）")

    def handle(self, *args, days, **options):
        names = disable_idle_accounts(days=days)
        listed = f"：{'、'.join(names)}" if names else "。"
        self.stdout.write(f"已停用 {len(names)} 个超过 {days} 天未登录的账号{listed}")
