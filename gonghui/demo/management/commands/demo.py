import json
import time
import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gonghui.accounts.models import Role
from gonghui.common.errors import DomainError
from gonghui.demo.actions import DEFAULT_SEED, demo_accounts, demo_root, load_demo
from gonghui.demo.generator import ROOT_CODE, SCALES


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = ("导入演示数据：安徽省的工会组织树（省、市、县、乡镇总工会，产业工会，行业和区域工会联合会，基层工会）、"
            "用人单位、会员（实名数据，个人信息加密存储）和演示账号。同一种子生成相同的数据。")

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(SCALES), default="small",
                            help="规模：small 两个市约四百个组织、五千名会员；city 一个市约七千个组织、五十五万名会员；"
                                 "province 全省约八万四千个组织、六百五十万名会员")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"随机种子（默认 {DEFAULT_SEED}）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出根组织代码与演示账号")
        parser.add_argument("--once", action="store_true", help="演示数据已存在时只显示账号，不再导入")

    def handle(self, *args, scale, seed, json: bool, once: bool, **options):
        if not settings.ALLOW_DEMO:
            # Demo accounts have published passwords and two-factor keys derived from the seed.
            raise CommandError("生产环境（DEBUG=0）不载入演示数据；确需在测试环境载入，请设置 GONGHUI_ALLOW_DEMO=1。")
        root = demo_root()
        loaded = None
        if root is not None and not once:
            raise CommandError(f"演示数据已存在（根组织：{root.name}，代码 {ROOT_CODE}），不会重复导入。"
                               "如只需查看演示账号，请加 --once。")
        if root is None:
            started = time.monotonic()
            progress = (lambda m: self.stderr.write(f"[{time.monotonic() - started:6.1f} 秒] {m}")) \
                if scale != "small" else None
            try:
                loaded = load_demo(scale=scale, seed=seed, progress=progress)
            except DomainError as e:
                raise CommandError(e.message) from None
            elapsed = time.monotonic() - started
        accounts = demo_accounts()
        if json:
            self.stdout.write(_json_dumps({"root": ROOT_CODE, "accounts": [
                {"username": a.username, "password": a.password, "org": a.org_code, "roles": a.roles}
                for a in accounts]}))
            return
        if loaded:
            self.stdout.write(f"已导入演示数据（规模 {scale}，种子 {seed}）：组织 {loaded.orgs} 个，"
                              f"用人单位 {loaded.employers} 家，会员 {loaded.members} 人，用时 {elapsed:.1f} 秒。")
        else:
            self.stdout.write(f"演示数据已存在（{root.name}），未重复导入。")
        self.print_accounts(accounts)

    def print_accounts(self, accounts) -> None:
        rows = [("账号", "初始密码", "所属组织", "角色")] + [
            (a.username, a.password, a.org_name, "、".join(Role(r).label for r in a.roles) or "只读（无角色）")
            for a in accounts
        ]
        widths = [max(_width(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("演示账号：")
        for row in rows:
            cells = [_pad(cell, width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  " + "  ".join(cells) + "  " + row[3])
        self.stdout.write("有角色的账号登录时须输入动态码。动态码：gonghui demo-otp <用户名>")


def _json_dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
