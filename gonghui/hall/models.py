"""The online service hall (网上办事大厅, 全网通办): service items as data, each application routed to
the union that must handle it, moved through its steps by one transition function, on a working-day
clock. Items are versioned: an application keeps the version it was filed under."""

from django.conf import settings
from django.db import models

from gonghui.orgs.models import Org


class HolidayDay(models.Model):
    """A day the administrators set for a year the `chinesecalendar` package does not cover yet (or to
    correct it): a public holiday (放假) or an adjusted working day on a weekend (调休上班)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假"
        WORKDAY = "workday", "调休上班"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    name = models.CharField("名称", max_length=30, blank=True, help_text="如：春节、国庆节")

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class Level(models.TextChoices):
    """Which union handles an item's applications: the applicant's own, or the first one above it of a level."""

    OWN = "own", "申请人所在工会"
    TOWN = "town", "乡镇（街道）工会"
    COUNTY = "county", "县级工会"
    CITY = "city", "市级工会"
    PROVINCE = "province", "省级工会"


class ServiceItem(models.Model):
    """A service item (办事项). What it asks and how it is handled live in its versions; `current` is the one
    new applications are filed under."""

    code = models.SlugField("事项编码", max_length=40, unique=True)
    name = models.CharField("事项名称", max_length=60)
    active = models.BooleanField("开放申请", default=True)
    current = models.ForeignKey("ItemVersion", verbose_name="当前版本", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField("排序", default=100)

    class Meta:
        verbose_name = "办事项"
        verbose_name_plural = "办事项"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class ItemVersion(models.Model):
    """One version of an item, never changed once an application uses it (a change makes a new version).

    `fields`: [{"name", "label", "type": text|textarea|date|number|money|choice|bool, "required", "choices",
    "max_length"}]. `attachments`: [{"name", "label", "types": ["pdf", "jpg", ...], "max_mb", "required"}].
    `steps`: [{"name": "受理", "role": "operator"}, …] — the first step is acceptance (受理), the last one's
    completion is 办结. `effect`: the key of the effect hook run at completion (`hall.effects`), or "".
    `entry_url`: the item is handled on its own page of the platform (入会申请: the portal's join flow, /w/join/);
    the hall shows its guide with a link there and files no application for it."""

    item = models.ForeignKey(ServiceItem, verbose_name="办事项", on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    guide = models.TextField("办事指南")
    applicants = models.JSONField("申请人范围", default=list)  # "worker", "member", "union"
    fields = models.JSONField("表单字段", default=list)
    attachments = models.JSONField("所需材料", default=list)
    level = models.CharField("办理层级", max_length=10, choices=Level.choices, default=Level.OWN)
    steps = models.JSONField("办理环节", default=list)
    time_limit_days = models.PositiveSmallIntegerField("办理时限（工作日）")
    effect = models.CharField("办结效果", max_length=40, blank=True)
    entry_url = models.CharField("办理入口", max_length=200, blank=True,
                                 help_text="在平台其他页面办理的事项（如 /w/join/）：大厅只展示办事指南和入口。")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", db_constraint=False)

    class Meta:
        verbose_name = "办事项版本"
        verbose_name_plural = "办事项版本"
        ordering = ["item", "-number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="item_version_unique")]

    def __str__(self) -> str:
        return f"{self.item.name}（第{self.number}版）"


class Application(models.Model):
    """An application for a service item (办件). Its status changes only through `actions.transition`."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        ACCEPTED = "accepted", "已受理"
        IN_PROGRESS = "in_progress", "办理中"
        RETURNED = "returned", "已退回补正"
        REJECTED = "rejected", "不予受理"
        COMPLETED = "completed", "已办结"
        WITHDRAWN = "withdrawn", "已撤回"

    version = models.ForeignKey(ItemVersion, verbose_name="事项版本", on_delete=models.PROTECT, related_name="+")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT,
                                  related_name="hall_applications")
    applicant_name = models.CharField("申请人姓名", max_length=50)
    applicant_org = models.ForeignKey(Org, verbose_name="申请人所在工会", on_delete=models.PROTECT, related_name="+")
    on_behalf_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="代为申请的工会干部", null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    handling_org = models.ForeignKey(Org, verbose_name="办理工会", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    step = models.PositiveSmallIntegerField("当前环节", default=0)
    # The role that acts at the current step while open, "" otherwise: what "待我办理" filters on.
    step_role = models.CharField("当前环节角色", max_length=12, blank=True)
    data = models.JSONField("申请内容", default=dict)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    due_date = models.DateField("办理期限", null=True, blank=True)
    due_uncovered = models.BooleanField("期限含未公布节假日的年份", default=False)
    suspended_on = models.DateField("补正开始日期", null=True, blank=True)
    reminded_on = models.DateField("最近提醒日期", null=True, blank=True)
    rating = models.PositiveSmallIntegerField("满意度", null=True, blank=True)
    rating_comment = models.CharField("评价", max_length=200, blank=True)

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["handling_org", "status"], name="hall_app_handling_status"),
            models.Index(fields=["status", "due_date"], name="hall_app_status_due"),
            models.Index(fields=["step_role", "status"], name="hall_app_step_role"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.version.item.name}"

    @property
    def number(self) -> str:
        """受理编号: the year filed and the primary key, e.g. 2026-00001234."""
        return f"{self.created_at:%Y}-{self.pk:08d}" if self.pk else ""

    @classmethod
    def scope_q(cls, org: Org) -> models.Q:
        """The handling union's subtree, and the unions of the applicant's subtree (they see their members' files)."""
        return models.Q(handling_org__path__startswith=org.path) | models.Q(applicant_org__path__startswith=org.path)

    def is_applicant(self, user) -> bool:
        """`user` filed it: the applicant, or the cadre who filed it for them (为他人申请)."""
        pk = getattr(user, "pk", None)
        return pk is not None and pk in {self.applicant_id, self.on_behalf_by_id}

    @property
    def step_name(self) -> str:
        steps = self.version.steps
        return steps[self.step]["name"] if self.step < len(steps) else ""


class ApplicationEvent(models.Model):
    """Every transition of an application, with before and after (the applicant sees these as its history)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=12)
    from_status = models.CharField("原状态", max_length=12, choices=Application.Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=12, choices=Application.Status.choices)
    step = models.PositiveSmallIntegerField("环节", default=0)
    org = models.ForeignKey(Org, verbose_name="办理工会", on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+", db_constraint=False)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    note = models.CharField("意见", max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_to_status_display()}"


class Attachment(models.Model):
    """A file attached to an application (材料), stored under MEDIA_ROOT (outside the web root) and served
    only through the scoped view. `kind` is the type found by reading the file's first bytes, not its name."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    slot = models.CharField("材料项", max_length=40)  # the name of the version's attachment spec
    filename = models.CharField("文件名", max_length=200)
    kind = models.CharField("文件类型", max_length=8)  # pdf, jpg, png, …
    size = models.PositiveIntegerField("大小（字节）")
    path = models.CharField("存储路径", max_length=200, editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    db_constraint=False)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.filename

    @classmethod
    def scope_q(cls, org: Org) -> models.Q:
        return (models.Q(application__handling_org__path__startswith=org.path)
                | models.Q(application__applicant_org__path__startswith=org.path))
