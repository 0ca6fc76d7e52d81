"""The real-name member database (实名数据库): one record per person, one membership at a time.

A person is identified by the keyed blind index of their document number (`id_index`), which is
unique over the whole table: a person has one record for life. The membership is that record's
state (`status`): it is active in exactly one union (`org`) or ended (left, retired, deceased); a
rejoin reactivates the same record in its new union and keeps the member number. So "one active
membership per person across the whole database" is the unique constraint on `id_index`.

Personal data: the document number and the mobile number are stored only as authenticated
ciphertext (`common.pii`, SM4-GCM by default) bound to the record's blind index as associated
data, plus their masked forms for display (`340202********1234`, `138****8000`), so lists and
exports never decrypt. No column holds them in clear.
"""

from django.db import models

from gonghui.common import codesets, idcard
from gonghui.orgs.models import Org

ID_CONTEXT = "members.Member.id_number:"
MOBILE_CONTEXT = "members.Member.mobile:"


def choices(codeset: codesets.Codeset) -> list[tuple[str, str]]:
    return codeset.choices()


class MemberQuerySet(models.QuerySet):
    def subtree(self, org: Org) -> "MemberQuerySet":
        return self.filter(org__path__startswith=org.path)

    def active(self) -> "MemberQuerySet":
        return self.filter(status=Member.Status.ACTIVE)


class Member(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "在会"
        LEFT = "left", "退会"
        RETIRED = "retired", "退休"
        DECEASED = "deceased", "去世"

    class DocType(models.TextChoices):
        RESIDENT = idcard.RESIDENT, "居民身份证"
        HMT_RESIDENCE = idcard.HMT_RESIDENCE, "港澳台居民居住证"
        FOREIGN_PERMANENT = idcard.FOREIGN_PERMANENT, "外国人永久居留身份证"

    class Source(models.TextChoices):
        MANUAL = "manual", "手工录入"
        IMPORT = "import", "批量导入"
        ONLINE = "online", "网上申请"

    # Indexes are chosen for the import's write cost: org is covered by member_org_status; the unique
    # and name indexes are plain btrees (a CharField's own unique/db_index adds a second, LIKE index on
    # PostgreSQL that nothing here uses: lookups are exact).
    org = models.ForeignKey(Org, verbose_name="所属工会", on_delete=models.PROTECT, related_name="members",
                            db_index=False)
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=choices(codesets.GENDER))
    birth_date = models.DateField("出生日期")
    doc_type = models.CharField("证件类型", max_length=20, choices=DocType.choices, default=DocType.RESIDENT)
    id_number_enc = models.TextField("证件号码（密文）", editable=False)
    id_index = models.CharField("证件号码索引", max_length=64, editable=False)
    id_masked = models.CharField("证件号码", max_length=24, editable=False)
    mobile_enc = models.TextField("手机号（密文）", blank=True, editable=False)
    mobile_masked = models.CharField("手机号", max_length=11, blank=True, editable=False)
    ethnicity = models.CharField("民族", max_length=2, choices=choices(codesets.ETHNICITY), blank=True)
    education = models.CharField("学历", max_length=2, choices=choices(codesets.EDUCATION), blank=True)
    political_status = models.CharField(
        "政治面貌", max_length=2, choices=choices(codesets.POLITICAL_STATUS), blank=True)
    household_type = models.CharField(
        "户籍类型", max_length=20, choices=choices(codesets.HOUSEHOLD_TYPE), blank=True)
    is_migrant_worker = models.BooleanField("农民工", default=False)
    worker_group = models.CharField(
        "八大群体/新就业形态", max_length=24, choices=choices(codesets.WORKER_GROUP), blank=True)
    join_date = models.DateField("入会日期")
    member_number = models.CharField("会员证号", max_length=20)
    status = models.CharField("会籍状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    status_date = models.DateField("会籍变动日期", null=True, blank=True)
    source = models.CharField("入会方式", max_length=10, choices=Source.choices, default=Source.MANUAL)
    import_job = models.ForeignKey(
        "common.ImportJob", verbose_name="导入批次", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
        # Provenance only: Django's SET_NULL keeps it right; a per-row foreign-key trigger and an
        # index would cost a bulk import ≈ 5 µs per member (bench/README.md, member import).
        db_constraint=False, db_index=False,
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = "会员"
        verbose_name_plural = "会员"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["org", "status"], name="member_org_status"),
            models.Index(fields=["name"], name="member_name"),
        ]
        constraints = [
            # One record per person for life, hence one active membership per person.
            models.UniqueConstraint(fields=["id_index"], name="member_id_index_unique"),
            models.UniqueConstraint(fields=["member_number"], name="member_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.member_number}）"

    @classmethod
    def scope_q(cls, org: Org) -> models.Q:
        return models.Q(org__path__startswith=org.path)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class MemberEvent(models.Model):
    """The member's timeline. A transfer is one event naming both unions, so each side's history
    (and each side's transfer figures) comes from the same row."""

    class Kind(models.TextChoices):
        JOINED = "joined", "入会"
        REJOINED = "rejoined", "重新入会"
        TRANSFERRED = "transferred", "转会"
        LEFT = "left", "退会"
        RETIRED = "retired", "退休"
        DECEASED = "deceased", "去世"
        UPDATED = "updated", "信息变更"

    member = models.ForeignKey(Member, verbose_name="会员", on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("事件", max_length=12, choices=Kind.choices)
    date = models.DateField("日期")  # searched with kind: member_event_kind_date
    org = models.ForeignKey(Org, verbose_name="工会", on_delete=models.PROTECT, related_name="+")
    to_org = models.ForeignKey(
        Org, verbose_name="转入工会", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False)
    at = models.DateTimeField("记录时间", auto_now_add=True)
    by = models.ForeignKey(
        "accounts.User", verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        # Who acted, kept by Django's PROTECT (users are deactivated, never deleted in use); no per-row
        # trigger: it cost a bulk import ≈ 4 µs per member (bench/README.md, member import).
        db_index=False, db_constraint=False)
    note = models.CharField("说明", max_length=200, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "会籍记录"
        verbose_name_plural = "会籍记录"
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["kind", "date"], name="member_event_kind_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"

    @classmethod
    def scope_q(cls, org: Org) -> models.Q:
        """Either side of a transfer sees the event: history is kept on both sides."""
        return models.Q(org__path__startswith=org.path) | models.Q(to_org__path__startswith=org.path)


class Transfer(models.Model):
    """A transfer (转会) request: the receiving union asks, the current union or an ancestor decides."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已同意"
        REJECTED = "rejected", "已拒绝"
        CANCELLED = "cancelled", "已撤回"

    member = models.ForeignKey(Member, verbose_name="会员", on_delete=models.PROTECT, related_name="transfers")
    from_org = models.ForeignKey(Org, verbose_name="转出工会", on_delete=models.PROTECT, related_name="+")
    to_org = models.ForeignKey(Org, verbose_name="转入工会", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField("申请说明", max_length=200, blank=True)
    requested_by = models.ForeignKey(
        "accounts.User", verbose_name="申请人", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.User", verbose_name="审批人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=200, blank=True)

    class Meta:
        verbose_name = "转会申请"
        verbose_name_plural = "转会申请"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(status="pending"), name="one_pending_transfer_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.member.name} {self.from_org} → {self.to_org}"

    @classmethod
    def scope_q(cls, org: Org) -> models.Q:
        return models.Q(from_org__path__startswith=org.path) | models.Q(to_org__path__startswith=org.path)


class NumberSequence(models.Model):
    """The last member number serial issued per prefix (province digits + year); see numbers.py."""

    prefix = models.CharField("前缀", max_length=8, unique=True)
    last = models.PositiveBigIntegerField("已用序号", default=0)

    class Meta:
        verbose_name = "会员证号序列"
        verbose_name_plural = "会员证号序列"

    def __str__(self) -> str:
        return f"{self.prefix}:{self.last}"
