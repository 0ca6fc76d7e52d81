from django.conf import settings
from django.db import models

from gonghui.orgs.models import Org


class Tally(models.Model):
    """One cell of the rollups: the sum of one counter's contributions from one organization's own records
    (not its subtree's) on one day (grain DAY), in one month (MONTH, `day` its first day) or ever (ALL, `day`
    the epoch). A subtree's figure sums the cells of the organizations on its path range, so moving or
    merging an organization changes no cell. Kept in the writing transaction by `rollups.changing`; recreated
    from the records by `rollups.rebuild`."""

    class Grain(models.IntegerChoices):
        DAY = 0, "日"
        MONTH = 1, "月"
        ALL = 2, "累计"

    # The cell's coordinates are its key: no surrogate id, one index fewer to keep on every write.
    pk = models.CompositePrimaryKey("grain", "key", "day", "org")
    grain = models.PositiveSmallIntegerField("粒度", choices=Grain.choices)
    key = models.CharField("计数项", max_length=64)
    day = models.DateField("日期")
    org = models.ForeignKey(Org, verbose_name="组织", on_delete=models.CASCADE, related_name="+",
                            db_index=False)  # the index below leads with it
    value = models.BigIntegerField("值", default=0)

    class Meta:
        verbose_name = "统计汇总"
        verbose_name_plural = "统计汇总"
        # A small subtree is read from its organizations' cells (this index); a large one from the counter's
        # cells by grain and day (the primary key).
        indexes = [models.Index(fields=["org", "grain", "key", "day"], name="stats_tally_org")]

    def __str__(self) -> str:
        return f"{self.key} {self.org_id} {self.day}: {self.value}"


# The work report's template --------------------------------------------------------------------------------

class ReportTemplate(models.Model):
    """A version of the work report's text (stats/report/template.py says its language). Saving makes a new
    version; one is active, and making an older one active again is the rollback. None saved: the default
    assembled from the apps' sections is used. One template for the province, kept by its administrators."""

    number = models.PositiveIntegerField("版本号", unique=True)
    body = models.TextField("报告模板")
    note = models.CharField("修改说明", max_length=200, blank=True)
    active = models.BooleanField("当前使用", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("修改时间", auto_now_add=True)

    class Meta:
        verbose_name = "工作报告模板"
        verbose_name_plural = "工作报告模板"
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["active"], condition=models.Q(active=True),
                                               name="one_active_report_template")]

    def __str__(self) -> str:
        return f"工作报告模板 第{self.number}版"
