import getpass

from django.core.management.base import BaseCommand, CommandError

from gonghui.accounts.actions import create_cadre
from gonghui.accounts.models import Role
from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.orgs.models import Org


class Command(BaseCommand):
    help = "创建干部账号：账号属于一个组织，只能查看和修改本组织及下级组织的数据。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="登录账号")
        parser.add_argument("--org", required=True, help="所属组织代码")
        parser.add_argument(
            "--role",
            action="append",
            default=[],
            choices=Role.values,
            help="角色，可重复：" + "，".join(f"{v}={lbl}" for v, lbl in Role.choices),
        )
        parser.add_argument("--full-name", default="", help="姓名")
        parser.add_argument("--password", help="初始密码（不提供则交互输入）")

    def handle(self, *args, username, org, role, full_name, password, **options):
        target = Org.objects.filter(code=org).first()
        if target is None:
            raise CommandError(f"组织代码 {org} 不存在。")
        if password is None:
            password = getpass.getpass("初始密码：")
            if password != getpass.getpass("再次输入："):
                raise CommandError("两次输入的密码不一致。")
        try:
            user = create_cadre(username=username, password=password, org=target, roles=set(role), full_name=full_name,
                                by=system_actor())
        except DomainError as e:
            raise CommandError(e.message) from None
        roles = "、".join(Role(r).label for r in sorted(user.roles)) or "无（只读）"
        self.stdout.write(f"已创建账号 {username}：{target.name}（{org}），角色：{roles}")
        if user.requires_two_factor:
            self.stdout.write("该账号首次登录时须绑定身份验证器（双因素认证）。")
