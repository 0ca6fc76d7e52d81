"""Mutual-aid insurance (职工互助保障): plans with their benefit rules as data, unit enrolments (单位参保)
and gifting campaigns (赠送活动) that give members cover for a period, and claims (互助金申请) whose benefit
is computed by the plan's rules and paid on the ledger (`ledger.Approval` / `ledger.Entry`)."""

from decimal import Decimal

from django.conf import settings
from django.db import models

from gonghui.members.models import Member
from gonghui.orgs.models import STEP, Org


class Plan(models.Model):
    """互助保障计划, e.g. 2026年度职工住院医疗互助. Rules: a claim's benefit is
    min((expense − deductible) × ratio, per-claim cap, what is left of the yearly cap)."""

    class Kind(models.TextChoices):
        MEDICAL = "medical", "医疗互助"
        ACCIDENT = "accident", "意外伤害互助"
        FEMALE = "female", "女职工特殊疾病互助"
        OTHER = "other", "其他"

    name = models.CharField("计划名称", max_length=100, unique=True)
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    org = models.ForeignKey(Org, verbose_name="主办工会", on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField("保障期起")
    period_end = models.DateField("保障期止")
    premium = models.DecimalField("每人互助金（元）", max_digits=10, decimal_places=2)
    deductible = models.DecimalField("起付线（元）", max_digits=12, decimal_places=2, default=Decimal("0"))
    ratio = models.DecimalField("给付比例", max_digits=4, decimal_places=3, help_text="0 到 1，如 0.5 表示 50%")
    per_claim_cap = models.DecimalField("单次最高给付（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    yearly_cap = models.DecimalField("年度最高给付（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    claim_days = models.PositiveIntegerField("申请期限（天）", default=180,
                                             help_text="事故或就诊之日起多少天内须提出申请")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "互助保障计划"
        verbose_name_plural = "互助保障计划"
        ordering = ["-period_start", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")),
                                   name="plan_period_order"),
            models.CheckConstraint(condition=models.Q(ratio__gte=0, ratio__lte=1), name="plan_ratio_0_1"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, org: Org) -> models.Q:
        # A plan run by a union above the viewer is theirs to enrol in and to see: the subtree's plans and
        # those of the ancestors, whose paths are the org's path cut at each level (as Org.ancestors does).
        ancestors = [org.path[: i * STEP] for i in range(1, org.depth)]
        return models.Q(org__path__startswith=org.path) | models.Q(org__path__in=ancestors)


class Enrolment(models.Model):
    """单位参保: an employer union enrols a list of its members in a plan for the plan's period."""

    class Source(models.TextChoices):
        UNIT = "unit", "单位参保"
        CAMPAIGN = "campaign", "赠送活动"

    plan = models.ForeignKey(Plan, verbose_name="计划", on_delete=models.PROTECT, related_name="enrolments")
    org = models.ForeignKey(Org, verbose_name="参保工会", on_delete=models.PROTECT, related_name="+")
    source = models.CharField("方式", max_length=10, choices=Source.choices, default=Source.UNIT)
    campaign = models.ForeignKey("Campaign", verbose_name="赠送活动", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="enrolments")
    members_count = models.PositiveIntegerField("参保人数", default=0)
    premium_total = models.DecimalField("互助金合计（元）", max_digits=14, decimal_places=2, default=Decimal("0"))
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT,
                                    related_name="+")
    enrolled_at = models.DateTimeField("参保时间", auto_now_add=True)

    class Meta:
        verbose_name = "单位参保"
        verbose_name_plural = "单位参保"
        ordering = ["-enrolled_at", "-id"]

    def __str__(self) -> str:
        return f"{self.org.name} 参加 {self.plan.name}"

    @classmethod
    def scope_q(cls, org: Org) -> models.Q:
        return models.Q(org__path__startswith=org.path)


class Coverage(models.Model):
    """One member covered by one plan from `start` to `end` (within the plan's period)."""

    plan = models.ForeignKey(Plan, verbose_name="计划", on_delete=models.PROTECT, related_name="coverages")
    member = models.ForeignKey(Member, verbose_name="会员", on_delete=models.PROTECT, related_name="coverages")
    enrolment = models.ForeignKey(Enrolment, verbose_name="参保", on_delete=models.PROTECT,
                                  related_name="coverages")
    start = models.DateField("保障起")
    end = models.DateField("保障止")

    class Meta:
        verbose_name = "保障名单"
        verbose_name_plural = "保障名单"
        constraints = [models.UniqueConstraint(fields=["plan", "member"], name="one_coverage_per_plan_member")]
        indexes = [models.Index(fields=["member", "start"], name="mutualaid_coverage_member")]

    def __str__(self) -> str:
        return f"{self.member.name} {self.plan.name}"

    @classmethod
    def scope_q(cls, org: Org) -> models.Q:
        return models.Q(enrolment__org__path__startswith=org.path)


class Campaign(models.Model):
    """赠送活动: a union gives cover to the members its rule selects, e.g. accident cover for eight-groups
    members (八大群体) who joined this year, paid from the union's own funds."""

    name = models.CharField("活动名称", max_length=100)
    plan = models.ForeignKey(Plan, verbose_name="计划", on_delete=models.PROTECT, related_name="campaigns")
    org = models.ForeignKey(Org, verbose_name="赠送工会", on_delete=models.PROTECT, related_name="+")
    worker_groups = models.JSONField("限定群体", default=list, blank=True,
                                     help_text="会员的职工群体代码；空表示不限")
    joined_from = models.DateField("入会日期起", null=True, blank=True)
    joined_to = models.DateField("入会日期止", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "赠送活动"
        verbose_name_plural = "赠送活动"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, org: Org) -> models.Q:
        return models.Q(org__path__startswith=org.path)


class Claim(models.Model):
    """互助金申请: an event (visit, accident) of a covered member, the expense, the benefit computed by the
    plan's rules with its working, and — once approved — the ledger approval that pays it."""

    class Status(models.TextChoices):
        FILED = "filed", "已申请"
        APPROVED = "approved", "已核准"
        REJECTED = "rejected", "不予给付"
        PAID = "paid", "已给付"  # read, not stored: an approved claim whose ledger approval is paid (shown_status)

    plan = models.ForeignKey(Plan, verbose_name="计划", on_delete=models.PROTECT, related_name="claims")
    member = models.ForeignKey(Member, verbose_name="会员", on_delete=models.PROTECT, related_name="claims")
    coverage = models.ForeignKey(Coverage, verbose_name="保障", on_delete=models.PROTECT, related_name="claims")
    org = models.ForeignKey(Org, verbose_name="受理工会", on_delete=models.PROTECT, related_name="+")
    application = models.OneToOneField("hall.Application", verbose_name="办事大厅申请", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="mutualaid_claim")
    event_date = models.DateField("就诊或事故日期")
    filed_on = models.DateField("申请日期")
    expense = models.DecimalField("医疗费用（元）", max_digits=12, decimal_places=2)
    benefit = models.DecimalField("给付金额（元）", max_digits=12, decimal_places=2, default=Decimal("0"))
    working = models.JSONField("计算过程", default=list)
    health_consent_at = models.DateTimeField("健康信息使用同意时间")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.FILED)
    approval = models.OneToOneField("ledger.Approval", verbose_name="给付审批", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="mutualaid_claim")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核准人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("核准时间", null=True, blank=True)
    note = models.CharField("处理意见", max_length=300, blank=True, help_text="不予给付的原因等")

    class Meta:
        verbose_name = "互助金申请"
        verbose_name_plural = "互助金申请"
        ordering = ["-filed_on", "-id"]
        indexes = [models.Index(fields=["member", "event_date"], name="mutualaid_claim_member")]

    def __str__(self) -> str:
        return f"{self.member.name} {self.plan.name} {self.event_date}"

    @property
    def shown_status(self) -> str:
        """The status as people read it: an approved claim whose ledger approval has been paid reads 已给付
        (the payment is recorded on the ledger by someone else, `ledger.actions.record_payment`)."""
        if self.status == self.Status.APPROVED and self.approval_id is not None:
            approval_status = self.approval.status
            if approval_status == "paid":
                return self.Status.PAID.label
            if approval_status == "reversed":
                return "已核准（给付已冲销）"
        return self.get_status_display()

    @classmethod
    def scope_q(cls, org: Org) -> models.Q:
        # The union that handles the claim and the unions of the member (they see their members' claims).
        return models.Q(org__path__startswith=org.path) | models.Q(member__org__path__startswith=org.path)
