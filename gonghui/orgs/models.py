"""The organization tree.

The tree is a materialized path: each org's `path` is its parent's path plus its own primary key
in six base-36 digits. A subtree is `path LIKE 'prefix%'`, one range scan of the path index
(Django adds a varchar_pattern_ops index on PostgreSQL for an indexed CharField). Moving a subtree
is one UPDATE of the paths under it. Written by hand rather than with django-treebeard because
treebeard's paths encode sibling order, so bulk loads (84 k orgs, imports whose parents come after
their children) would have to go through its one-node-at-a-time API.
"""

from django.db import models

from gonghui.common.regions import region_prefix

STEP = 6  # base-36 digits per level: 2.1 billion ids
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def path_step(pk: int) -> str:
    digits = []
    for _ in range(STEP):
        pk, rem = divmod(pk, 36)
        digits.append(ALPHABET[rem])
    if pk:
        raise ValueError("组织编号超出路径容量。")
    return "".join(reversed(digits))


class OrgQuerySet(models.QuerySet):
    def subtree(self, org: "Org") -> "OrgQuerySet":
        """`org` and everything below it: one range scan of the path index."""
        return self.filter(path__startswith=org.path)

    def active(self) -> "OrgQuerySet":
        return self.filter(status=Org.Status.ACTIVE)


class Org(models.Model):
    class Kind(models.TextChoices):
        FEDERATION = "federation", "总工会"
        INDUSTRIAL = "industrial", "产业工会"
        SECTOR = "sector", "行业工会联合会"
        AREA = "area", "区域工会联合会"
        GRASSROOTS = "grassroots", "基层工会"
        JOINT = "joint", "联合基层工会"

    class Level(models.TextChoices):
        NATIONAL = "national", "全国"
        PROVINCE = "province", "省级"
        CITY = "city", "市级"
        COUNTY = "county", "县级"
        TOWN = "town", "乡镇（街道）"
        GRASSROOTS = "grassroots", "基层"

    class Status(models.TextChoices):
        ACTIVE = "active", "正常"
        DISSOLVED = "dissolved", "撤销"
        MERGED = "merged", "合并"

    class EmployerType(models.TextChoices):
        STATE = "state", "国有企业"
        COLLECTIVE = "collective", "集体企业"
        PRIVATE = "private", "私营企业"
        FOREIGN = "foreign", "外商投资企业"
        HMT = "hmt", "港澳台投资企业"
        INSTITUTION = "institution", "事业单位"
        ORGAN = "organ", "机关"
        SOCIAL = "social", "社会组织"
        OTHER = "other", "其他"

    code = models.CharField("组织代码", max_length=32, unique=True)
    name = models.CharField("组织名称", max_length=100, db_index=True)
    kind = models.CharField("组织类型", max_length=12, choices=Kind.choices)
    level = models.CharField("层级", max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级组织", null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("路径", max_length=255, db_index=True, editable=False)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    region_code = models.CharField("行政区划代码", max_length=6, blank=True, db_index=True)
    employer_name = models.CharField("单位名称", max_length=100, blank=True)
    employer_uscc = models.CharField("单位统一社会信用代码", max_length=18, blank=True, db_index=True)
    employer_type = models.CharField("单位性质", max_length=12, choices=EmployerType.choices, blank=True)
    industry = models.CharField("所属行业", max_length=60, blank=True)
    employee_count = models.PositiveIntegerField("职工人数", null=True, blank=True)
    founded_on = models.DateField("建会日期", null=True, blank=True, db_index=True)
    chair_name = models.CharField("工会主席", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    has_congress = models.BooleanField("已建立职代会", default=False)
    has_disclosure = models.BooleanField("已实行厂务公开", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    merged_into = models.ForeignKey(
        "self", verbose_name="并入组织", null=True, blank=True, on_delete=models.PROTECT,
        related_name="merged_from",
    )
    closed_on = models.DateField("撤销/合并日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        verbose_name = "工会组织"
        verbose_name_plural = "工会组织"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return len(self.path) // STEP

    @classmethod
    def scope_q(cls, org: "Org") -> models.Q:
        return models.Q(path__startswith=org.path)

    def ancestors(self) -> "OrgQuerySet":
        prefixes = [self.path[: i * STEP] for i in range(1, self.depth)]
        return Org.objects.filter(path__in=prefixes).order_by("path")

    def is_within(self, other: "Org") -> bool:
        return self.path.startswith(other.path)


class Employer(models.Model):
    """An employer in the registry (from organization rosters or the market-regulation registry).
    `union` is the union that covers it; empty means the employer has none."""

    name = models.CharField("单位名称", max_length=100)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    employer_type = models.CharField("单位性质", max_length=12, choices=Org.EmployerType.choices, blank=True)
    industry = models.CharField("所属行业", max_length=60, blank=True)
    employee_count = models.PositiveIntegerField("职工人数", null=True, blank=True)
    region_code = models.CharField("行政区划代码", max_length=6, blank=True, db_index=True)
    union = models.ForeignKey(
        Org, verbose_name="所属工会", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="employers",
    )

    class Meta:
        verbose_name = "用人单位"
        verbose_name_plural = "用人单位"
        ordering = ["uscc"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, org: Org) -> models.Q:
        """Employers whose union is in the subtree, and, for a federation with a region, the
        employers without a union in that region (the ones it should organise)."""
        q = models.Q(union__path__startswith=org.path)
        if org.kind == Org.Kind.FEDERATION and org.region_code:
            q |= models.Q(union__isnull=True, region_code__startswith=region_prefix(org.region_code))
        return q


class OrgEvent(models.Model):
    """The history of an organization: created, moved, merged, dissolved."""

    class Kind(models.TextChoices):
        CREATED = "created", "成立"
        UPDATED = "updated", "变更"
        MOVED = "moved", "调整隶属关系"
        DISSOLVED = "dissolved", "撤销"
        MERGED = "merged", "合并"
        ABSORBED = "absorbed", "并入组织"

    org = models.ForeignKey(Org, verbose_name="组织", on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("事件", max_length=12, choices=Kind.choices)
    at = models.DateTimeField("时间", auto_now_add=True)
    by = models.ForeignKey(
        "accounts.User", verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "组织沿革"
        verbose_name_plural = "组织沿革"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.org} {self.get_kind_display()}"

    @classmethod
    def scope_q(cls, org: Org) -> models.Q:
        return models.Q(org__path__startswith=org.path)
