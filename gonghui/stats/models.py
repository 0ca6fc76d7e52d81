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
