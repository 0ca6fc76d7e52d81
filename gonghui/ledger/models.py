"""The ledger of money that reaches workers (帮扶资金台账): aid, mutual-aid benefits and later programs,
one ledger per person.

An `Approval` (审批) is the decision to pay a member an amount of one kind from one fund source; an
`Entry` is the payment recorded against it by someone else (审批与发放登记分离). Entries are append-only:
a correction is a reversal entry (冲销) with the opposite amount. The database refuses a second payment for
one approval, a second entry with one idempotency key, a second reversal of one entry and a payment
recorded by its approver. A history entry (历史导入, `is_history`) is a payment made before the union used the
system, imported with an approval of its own that is paid from the start and marked the same way; its
approval and recording happened on paper, so the one rule it is spared is the separation of the two.
`UnionTotal` is each union's running book, kept in the same transaction as
the entries; `gonghui reconcile-ledger` recomputes it from the entries."""

import datetime

from django.conf import settings
from django.db import models

from gonghui.members.models import Member
from gonghui.orgs.models import Org

from . import programs


class Option(models.Model):
    """A configurable list entry kept by the province (帮扶类别, 资金来源): a stable code, a name, switched off
    rather than deleted once used."""

    code = models.SlugField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        abstract = True
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class PaymentKind(Option):
    """帮扶类别 (configurable): 生活救助, 医疗救助, 助学, 送温暖, 就业帮扶, 互助保障金, …"""

    # The programs register themselves (ledger/programs.py), so the list is not fixed here.
    program = models.CharField("所属业务", max_length=12, choices=programs.choices, default=programs.OTHER[0])
    requires_file = models.BooleanField("须先建档（先建档后帮扶）", default=False)
    duplicate_days = models.PositiveIntegerField(
        "重复领取提示期（天）", default=365, help_text="同一人在此期间内再次领取同类款项时提示；0 表示不提示。")

    class Meta(Option.Meta):
        verbose_name = "帮扶类别"
        verbose_name_plural = "帮扶类别"

    def duplicate_window(self, on: datetime.date) -> tuple[datetime.date, datetime.date] | None:
        """The days (both ends included) within which an earlier payment of this kind makes one on `on` a
        repeat (重复领取提示): from `duplicate_days` before `on` — a payment exactly that many days earlier counts —
        to `on`; None when the kind warns of none. The one rule for the warning at approval, the approval page
        and the flag on the person's ledger."""
        if not self.duplicate_days:
            return None
        return on - datetime.timedelta(days=self.duplicate_days), on


class FundSource(Option):
    """资金来源 (configurable): 中央财政帮扶资金, 省级财政, 工会经费, 社会捐赠, …"""

    class Meta(Option.Meta):
        verbose_name = "资金来源"
        verbose_name_plural = "资金来源"


class Disbursement(models.Model):
    """批量发放 (e.g. 送温暖): one decision for a list of members, each line an `Approval` of this batch;
    recorded all at once, all or nothing."""

    class Status(models.TextChoices):
        APPROVED = "approved", "已审批待发放"
        PAID = "paid", "已发放"

    title = models.CharField("名称", max_length=100)
    org = models.ForeignKey(Org, verbose_name="发放工会", on_delete=models.PROTECT, related_name="+")
    kind = models.ForeignKey(PaymentKind, verbose_name="帮扶类别", on_delete=models.PROTECT, related_name="+")
    fund_source = models.ForeignKey(FundSource, verbose_name="资金来源", on_delete=models.PROTECT,
                                    related_name="+")
    amount_each = models.DecimalField("每户金额（元）", max_digits=12, decimal_places=2)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField("审批时间", auto_now_add=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.APPROVED)

    class Meta:
        verbose_name = "批量发放"
        verbose_name_plural = "批量发放"
        ordering = ["-approved_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, org: Org) -> models.Q:
        return models.Q(org__path__startswith=org.path)


class Approval(models.Model):
    """审批: pay `member` `amount` of `kind` from `fund_source`, decided by `approved_by`."""

    class Status(models.TextChoices):
        APPROVED = "approved", "已审批待发放"
        PAID = "paid", "已发放"
        REVERSED = "reversed", "已冲销"

    member = models.ForeignKey(Member, verbose_name="会员", on_delete=models.PROTECT, related_name="approvals")
    org = models.ForeignKey(Org, verbose_name="发放工会", on_delete=models.PROTECT, related_name="+")
    kind = models.ForeignKey(PaymentKind, verbose_name="帮扶类别", on_delete=models.PROTECT, related_name="+")
    fund_source = models.ForeignKey(FundSource, verbose_name="资金来源", on_delete=models.PROTECT,
                                    related_name="+")
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    reason = models.CharField("事由", max_length=200, blank=True)
    hardship_file = models.ForeignKey("hardship.HardshipFile", verbose_name="困难职工档案", null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="approvals")
    batch = models.ForeignKey(Disbursement, verbose_name="批量发放", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="approvals")
    source = models.CharField("来源", max_length=60, blank=True,
                              help_text="产生该审批的业务，如 mutualaid.claim:12")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField("审批时间", auto_now_add=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.APPROVED)
    is_history = models.BooleanField("历史导入", default=False,
                                     help_text="启用系统前已发放、由历史帮扶发放记录导入的审批（导入时即为已发放）。")

    class Meta:
        verbose_name = "帮扶审批"
        verbose_name_plural = "帮扶审批"
        ordering = ["-approved_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="approval_amount_positive"),
            # One approval per business record (a claim, say) that produced it.
            models.UniqueConstraint(fields=["source"], condition=~models.Q(source=""),
                                    name="one_approval_per_source"),
        ]
        indexes = [models.Index(fields=["org", "status"], name="ledger_approval_org_status")]

    def __str__(self) -> str:
        return f"{self.member.name} {self.kind.name} {self.amount} 元"

    @classmethod
    def scope_q(cls, org: Org) -> models.Q:
        return models.Q(org__path__startswith=org.path)


class Entry(models.Model):
    """台账分录, append-only. A payment (amount > 0) or the reversal of one (amount < 0)."""

    member = models.ForeignKey(Member, verbose_name="会员", on_delete=models.PROTECT, related_name="ledger")
    org = models.ForeignKey(Org, verbose_name="发放工会", on_delete=models.PROTECT, related_name="+")
    kind = models.ForeignKey(PaymentKind, verbose_name="帮扶类别", on_delete=models.PROTECT, related_name="+")
    fund_source = models.ForeignKey(FundSource, verbose_name="资金来源", on_delete=models.PROTECT,
                                    related_name="+")
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    paid_on = models.DateField("发放日期")
    approval = models.ForeignKey(Approval, verbose_name="审批", on_delete=models.PROTECT, related_name="entries")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", on_delete=models.PROTECT,
                                    related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    idempotency_key = models.CharField("幂等键", max_length=64, unique=True)
    reversal_of = models.OneToOneField("self", verbose_name="冲销的分录", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="reversed_by")
    note = models.CharField("说明", max_length=200, blank=True)
    is_history = models.BooleanField("历史导入", default=False, help_text="启用系统前的发放，由历史帮扶发放记录导入。")

    class Meta:
        verbose_name = "台账分录"
        verbose_name_plural = "台账分录"
        ordering = ["-paid_on", "-id"]
        constraints = [
            # A payment cannot be recorded twice for the same approval, however many cadres click.
            models.UniqueConstraint(fields=["approval"], condition=models.Q(reversal_of__isnull=True),
                                    name="one_payment_per_approval"),
            # 审批与发放登记分离: the approver does not record the payment (a history entry was approved and
            # paid on paper; its importer stands for both).
            models.CheckConstraint(condition=models.Q(reversal_of__isnull=False) | models.Q(is_history=True)
                                   | ~models.Q(approved_by=models.F("recorded_by")),
                                   name="entry_recorder_is_not_approver"),
            models.CheckConstraint(condition=models.Q(reversal_of__isnull=True, amount__gt=0)
                                   | models.Q(reversal_of__isnull=False, amount__lt=0),
                                   name="entry_amount_sign"),
        ]
        indexes = [models.Index(fields=["member", "paid_on"], name="ledger_entry_member_paid"),
                   models.Index(fields=["org", "paid_on"], name="ledger_entry_org_paid"),
                   models.Index(fields=["paid_on"], name="ledger_entry_paid_on")]

    def __str__(self) -> str:
        return f"{self.paid_on} {self.kind.name} {self.amount} 元"

    def save(self, *args, **kwargs):
        # Append-only: an entry is written once. Corrections are reversal entries (actions.reverse).
        if self.pk is not None and not self._state.adding:
            raise ValueError("台账分录只能新增，不能修改；更正请做冲销。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("台账分录不能删除；更正请做冲销。")

    @classmethod
    def scope_q(cls, org: Org) -> models.Q:
        return models.Q(org__path__startswith=org.path)


class UnionTotal(models.Model):
    """A union's running book: what it paid per year, kind and fund source (the union's own entries,
    not its subtree's). Kept with each entry; recomputed by `gonghui reconcile-ledger`."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    kind = models.ForeignKey(PaymentKind, on_delete=models.PROTECT, related_name="+")
    fund_source = models.ForeignKey(FundSource, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2, default=0)
    entries = models.PositiveIntegerField("分录数", default=0)

    class Meta:
        verbose_name = "工会发放合计"
        verbose_name_plural = "工会发放合计"
        constraints = [models.UniqueConstraint(fields=["org", "year", "kind", "fund_source"],
                                               name="one_union_total_per_key")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.year} {self.kind_id}/{self.fund_source_id}: {self.amount}"
