"""Hardship files (困难职工档案): one open file per person anywhere (a database constraint), with the
household, the plan (一人一策), the paired cadre (结对帮扶), yearly reviews (动态管理) and the exit
(解困脱困). Files are closed, never deleted; their history is `FileEvent`."""

from decimal import Decimal

from django.conf import settings
from django.db import models

from gonghui.members.models import Member
from gonghui.orgs.models import Org


class HardshipFile(models.Model):
    class Level(models.TextChoices):
        NATIONAL = "national", "全国级"
        PROVINCE = "province", "省级"
        CITY = "city", "市级"
        COUNTY = "county", "县级"

    class Category(models.TextChoices):
        DEEP = "deep", "深度困难"
        RELATIVE = "relative", "相对困难"
        ACCIDENT = "accident", "意外致困"

    class Status(models.TextChoices):
        OPEN = "open", "在档"
        CLOSED = "closed", "已退出"

    class ExitReason(models.TextChoices):
        RELIEVED = "relieved", "解困脱困"
        RETIRED = "retired", "退休"
        MOVED = "moved", "调离或迁出"
        DECEASED = "deceased", "去世"
        NOT_QUALIFIED = "not_qualified", "不再符合条件"

    member = models.ForeignKey(Member, verbose_name="会员", on_delete=models.PROTECT, related_name="hardship_files")
    org = models.ForeignKey(Org, verbose_name="建档工会", on_delete=models.PROTECT, related_name="+")
    level = models.CharField("档案级别", max_length=10, choices=Level.choices)
    category = models.CharField("困难类别", max_length=10, choices=Category.choices)
    causes = models.JSONField("致困原因", default=list)
    housing = models.CharField("住房情况", max_length=100, blank=True)
    per_capita_income = models.DecimalField("家庭人均月收入（元）", max_digits=10, decimal_places=2,
                                            default=Decimal("0"))
    measures = models.TextField("帮扶措施（一人一策）", blank=True)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="责任人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    paired_cadre = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="结对帮扶干部", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    review_due = models.DateField("下次复核日期")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField("建档日期")
    source_application = models.ForeignKey("hall.Application", verbose_name="来源申请", null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    exit_reason = models.CharField("退出原因", max_length=16, choices=ExitReason.choices, blank=True)
    exit_on = models.DateField("退出日期", null=True, blank=True)
    follow_up_on = models.DateField("返困回访日期", null=True, blank=True)

    class Meta:
        verbose_name = "困难职工档案"
        verbose_name_plural = "困难职工档案"
        ordering = ["-opened_on", "-id"]
        constraints = [
            # 一人一档: a person may not have two open files anywhere.
            models.UniqueConstraint(fields=["member"], condition=models.Q(status="open"),
                                    name="one_open_hardship_file_per_member"),
        ]
        indexes = [models.Index(fields=["org", "status"], name="hardship_file_org_status"),
                   models.Index(fields=["status", "review_due"], name="hardship_file_review_due")]

    def __str__(self) -> str:
        return f"{self.member.name} 困难职工档案"

    @classmethod
    def scope_q(cls, org: Org) -> models.Q:
        return models.Q(org__path__startswith=org.path)


class HouseholdMember(models.Model):
    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="household")
    name = models.CharField("姓名", max_length=50)
    relation = models.CharField("与本人关系", max_length=20)  # 本人, 配偶, 子女, 父母, …
    monthly_income = models.DecimalField("月收入（元）", max_digits=10, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"

    def __str__(self) -> str:
        return f"{self.relation} {self.name}"


class FileEvent(models.Model):
    class Kind(models.TextChoices):
        OPENED = "opened", "建档"
        UPDATED = "updated", "更新"
        PAIRED = "paired", "结对"
        REVIEWED = "reviewed", "年度复核"
        CLOSED = "closed", "退出"

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=10, choices=Kind.choices)
    at = models.DateTimeField("时间", auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+", db_constraint=False)
    note = models.CharField("说明", max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.get_kind_display()}"
