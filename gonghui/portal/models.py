"""The worker portal (职工之家): worker accounts signed in by mobile and one-time code, online join
applications (网上申请入会), union join links behind the QR posters (扫码入会), electronic member cards
(电子会员卡) and the notifications a worker reads, and the binding of an account to its member record
(实名绑定), proven by the member's registered mobile or confirmed by the union.

Mobile and ID numbers are stored as on `members.Member`: blind index, ciphertext bound to it, masked copy."""

from django.conf import settings
from django.db import models

from gonghui.common import codesets
from gonghui.members.models import Member, choices
from gonghui.orgs.models import Org

MOBILE_CONTEXT = "portal.Worker.mobile:"
APPLICATION_ID_CONTEXT = "portal.JoinApplication.id_number:"
APPLICATION_MOBILE_CONTEXT = "portal.JoinApplication.mobile:"


class Worker(models.Model):
    """A worker's account (职工账号), beside the cadre accounts: it signs in with its mobile number and a
    code, has no org and no role, and is linked to its member record once bound (实名绑定) or admitted."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.CASCADE,
                                related_name="worker")
    mobile_index = models.CharField("手机号索引", max_length=64, unique=True, editable=False)
    mobile_enc = models.TextField("手机号（密文）", editable=False)
    mobile_masked = models.CharField("手机号", max_length=11)
    member = models.OneToOneField(Member, verbose_name="会员", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="worker")
    created_at = models.DateTimeField("注册时间", auto_now_add=True)

    class Meta:
        verbose_name = "职工账号"
        verbose_name_plural = "职工账号"

    def __str__(self) -> str:
        return self.mobile_masked


class LoginCode(models.Model):
    """A one-time code sent by SMS: only its keyed hash is kept. Single use, expires, at most
    CODE_ATTEMPTS wrong guesses. A sign-in code proves the number to whoever types it; a binding code
    proves a member's registered mobile to the one worker account that asked for it."""

    class Purpose(models.TextChoices):
        SIGN_IN = "sign_in", "登录或更换手机号"
        BIND = "bind", "实名绑定"

    mobile_index = models.CharField(max_length=64, editable=False)
    purpose = models.CharField(max_length=8, choices=Purpose.choices, default=Purpose.SIGN_IN)
    worker = models.ForeignKey(Worker, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64, editable=False)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        indexes = [models.Index(fields=["mobile_index", "created_at"], name="login_code_mobile"),
                   models.Index(fields=["ip", "created_at"], name="login_code_ip")]

    def __str__(self) -> str:
        return f"验证码 {self.created_at:%Y-%m-%d %H:%M}"


class SignInFailure(models.Model):
    """A wrong code or password, per address and number: what the throttles count."""

    mobile_index = models.CharField(max_length=64, editable=False)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["ip", "at"], name="signin_failure_ip"),
                   models.Index(fields=["mobile_index", "at"], name="signin_failure_mobile")]

    def __str__(self) -> str:
        return f"登录失败 {self.at:%Y-%m-%d %H:%M}"


class BindingRequest(models.Model):
    """A worker's binding of their account to a member record (实名绑定), made once the name and ID number
    they gave matched an active member. `via` says how the person is proven: the account's sign-in mobile is
    the member's registered mobile (bound at once); a code sent to the registered mobile; or, for a record
    without a mobile, the member's union confirming. Pending until proven; a newer request of the same
    worker lapses an SMS one left unfinished."""

    class Via(models.TextChoices):
        SIGN_IN = "sign_in", "登录手机号即会员登记手机"
        SMS = "sms", "会员登记手机验证码"
        UNION = "union", "工会确认"

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        BOUND = "bound", "已绑定"
        REJECTED = "rejected", "已驳回"
        LAPSED = "lapsed", "已失效"

    worker = models.ForeignKey(Worker, verbose_name="职工账号", on_delete=models.PROTECT,
                               related_name="binding_requests")
    member = models.ForeignKey(Member, verbose_name="会员", on_delete=models.PROTECT, related_name="+")
    via = models.CharField("核验方式", max_length=8, choices=Via.choices)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办理人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("驳回原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "实名绑定确认"
        verbose_name_plural = "实名绑定确认"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["worker"], condition=models.Q(status="pending"),
                                    name="one_pending_binding_per_worker"),
        ]
        indexes = [models.Index(fields=["via", "status"], name="binding_request_via_status")]

    def __str__(self) -> str:
        return f"{self.member.name} 的实名绑定"

    @classmethod
    def scope_q(cls, org: Org) -> models.Q:
        return models.Q(member__org__path__startswith=org.path)


class BindingAttempt(models.Model):
    """One try at binding (a name and ID number, or a code), whatever its outcome: what the binding
    throttles count, per worker account and per address."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="+")
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["worker", "at"], name="binding_attempt_worker"),
                   models.Index(fields=["ip", "at"], name="binding_attempt_ip")]

    def __str__(self) -> str:
        return f"绑定尝试 {self.at:%Y-%m-%d %H:%M}"


class JoinLink(models.Model):
    """A union's join link, printed as the QR code of its poster. The link carries the union and the
    link's version, signed: rotating (a new version) or revoking makes every printed poster invalid."""

    org = models.OneToOneField(Org, verbose_name="工会", on_delete=models.PROTECT, related_name="join_link")
    version = models.PositiveIntegerField("版本", default=1)
    revoked = models.BooleanField("已停用", default=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "入会二维码"
        verbose_name_plural = "入会二维码"

    def __str__(self) -> str:
        return f"{self.org.name} 入会二维码（第{self.version}版）"

    @classmethod
    def scope_q(cls, org: Org) -> models.Q:
        return models.Q(org__path__startswith=org.path)


class QrScan(models.Model):
    """One scan of a valid join link (counted per union and period)."""

    link = models.ForeignKey(JoinLink, on_delete=models.CASCADE, related_name="scans")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"扫码 {self.at:%Y-%m-%d %H:%M}"


class JoinApplication(models.Model):
    """An online application to join a union (网上申请入会). The facts are those of a member record,
    checked by `members.facts.clean`; identity numbers are stored as on Member."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待审核"
        RETURNED = "returned", "已退回"
        ACCEPTED = "accepted", "已通过"
        WITHDRAWN = "withdrawn", "已撤回"

    class Channel(models.TextChoices):
        SEARCH = "search", "查找工会"
        QR = "qr", "扫码入会"
        FEDERATION = "federation", "区域或行业工会（不通知单位）"

    worker = models.ForeignKey(Worker, verbose_name="申请人", on_delete=models.PROTECT, related_name="applications")
    org = models.ForeignKey(Org, verbose_name="申请加入的工会", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField("申请方式", max_length=12, choices=Channel.choices)
    employer_name = models.CharField("工作单位", max_length=100, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    name = models.CharField("姓名", max_length=50)
    id_index = models.CharField("证件号码索引", max_length=64, editable=False)
    id_number_enc = models.TextField("证件号码（密文）", editable=False)
    id_masked = models.CharField("身份证号", max_length=24)
    mobile_enc = models.TextField("手机号（密文）", editable=False, blank=True)
    mobile_masked = models.CharField("手机号", max_length=11, blank=True)
    gender = models.CharField("性别", max_length=1, choices=[("1", "男"), ("2", "女")])
    birth_date = models.DateField("出生日期")
    ethnicity = models.CharField("民族", max_length=2, choices=choices(codesets.ETHNICITY), blank=True)
    education = models.CharField("学历", max_length=2, choices=choices(codesets.EDUCATION), blank=True)
    political_status = models.CharField(
        "政治面貌", max_length=2, choices=choices(codesets.POLITICAL_STATUS), blank=True)
    household_type = models.CharField(
        "户籍类型", max_length=20, choices=choices(codesets.HOUSEHOLD_TYPE), blank=True)
    is_migrant_worker = models.BooleanField("农民工", default=False)
    worker_group = models.CharField(
        "八大群体/新就业形态", max_length=24, choices=choices(codesets.WORKER_GROUP), blank=True)
    reason = models.CharField("退回原因", max_length=200, blank=True)
    member = models.ForeignKey(Member, verbose_name="会员", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    submitted_at = models.DateTimeField("提交时间")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "入会申请"
        verbose_name_plural = "入会申请"
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["worker"], condition=models.Q(status__in=["submitted", "returned"]),
                                    name="one_open_application_per_worker"),
        ]
        indexes = [models.Index(fields=["org", "status"], name="join_application_org_status")]

    def __str__(self) -> str:
        return f"{self.name} 申请加入 {self.org.name}"

    @classmethod
    def scope_q(cls, org: Org) -> models.Q:
        return models.Q(org__path__startswith=org.path)


class ApplicationEvent(models.Model):
    """The history of an application, shown to the worker and the union."""

    application = models.ForeignKey(JoinApplication, on_delete=models.CASCADE, related_name="events")
    status = models.CharField("状态", max_length=10, choices=JoinApplication.Status.choices)
    at = models.DateTimeField("时间", auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+", db_constraint=False)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_status_display()}"


class MemberCard(models.Model):
    """An electronic member card (电子会员卡). Valid while not revoked and the member is still active in
    the union it was issued in: a transfer makes it stale and the card page issues a new one."""

    member = models.ForeignKey(Member, verbose_name="会员", on_delete=models.PROTECT, related_name="cards")
    org = models.ForeignKey(Org, verbose_name="发卡工会", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField("发卡时间", auto_now_add=True, db_index=True)
    revoked_at = models.DateTimeField("注销时间", null=True, blank=True)
    revoked_reason = models.CharField("注销原因", max_length=100, blank=True)

    class Meta:
        verbose_name = "电子会员卡"
        verbose_name_plural = "电子会员卡"
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"电子会员卡 {self.pk}"

    @classmethod
    def scope_q(cls, org: Org) -> models.Q:
        return models.Q(org__path__startswith=org.path)

    @property
    def current(self) -> bool:
        return (self.revoked_at is None and self.member.status == Member.Status.ACTIVE
                and self.member.org_id == self.org_id)


class CardCheck(models.Model):
    """One use of the public verification page (counted: e-cards verified)."""

    class Outcome(models.TextChoices):
        VALID = "valid", "有效"
        REVOKED = "revoked", "已失效"
        EXPIRED = "expired", "已过期"

    card = models.ForeignKey(MemberCard, on_delete=models.CASCADE, related_name="checks")
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_outcome_display()}"
