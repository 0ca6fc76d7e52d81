"""Targets (目标任务): a union's yearly target on an additive figure, for itself or for one of its children, and the
progress towards it.

A target is set by the 单位管理员 of the union's parent (the province root's own by its own administrator:
`stats.actions.set_target`). Progress counts from 1 January of the target's year to a day `on` (a period's end),
so a dashboard's period and a work report's both show the year's progress at that day. A union is *behind the
pace* when its share of the target done is below the share of the year gone by (time-proportional pace).
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models

from gonghui.orgs.models import Org

from .registry import REGISTRY, compute


class Target(models.Model):
    org = models.ForeignKey(Org, verbose_name="工会组织", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    key = models.CharField("指标", max_length=64)
    value = models.DecimalField("目标值", max_digits=14, decimal_places=2)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="设定人", on_delete=models.PROTECT,
                               related_name="+")
    set_at = models.DateTimeField("设定时间")

    class Meta:
        app_label = "stats"
        verbose_name = "目标任务"
        verbose_name_plural = "目标任务"
        ordering = ["-year", "org__path", "key"]
        constraints = [models.UniqueConstraint(fields=["org", "year", "key"], name="one_target_per_figure")]

    def __str__(self) -> str:
        return f"{self.org.name} {self.year}年 {self.label}：{shown(self.value)}{self.unit}"

    @classmethod
    def scope_q(cls, org: Org) -> models.Q:
        return models.Q(org__path__startswith=org.path)

    @property
    def label(self) -> str:
        fig = REGISTRY.get(self.key)
        return fig.label if fig else self.key

    @property
    def unit(self) -> str:
        fig = REGISTRY.get(self.key)
        return fig.unit if fig else ""


def targetable() -> list:
    """The figures a target may be set on: the additive ones (children's values sum to the parent's)."""
    return [fig for _, fig in sorted(REGISTRY.items()) if fig.additive]


def shown(value) -> str:
    """A target or a figure as people write it: 400, 1.25 (万元), never 400.00."""
    if value is None:
        return "—"
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return str(value)


def year_span(year: int, on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The days of `year` counted at `on`: from 1 January to `on`, held inside the year."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return first, min(max(on, first), last)


def pace(year: int, on: datetime.date) -> float:
    """The share of `year` gone by at `on` (1 January counts as one day gone, 31 December as the whole year)."""
    first, end = year_span(year, on)
    days = (datetime.date(year, 12, 31) - first).days + 1
    return ((end - first).days + 1) / days


def rows_of(targets: list[Target], values: dict, year: int, on: datetime.date) -> list[dict]:
    """Progress rows of `targets` (one union's) given the figures' values over the year to `on`."""
    share = pace(year, on)
    rows = []
    for target in targets:
        value = values.get(target.key)
        rate = float(Decimal(value) / target.value * 100) if target.value and value is not None else None
        rows.append({
            "key": target.key, "label": target.label, "unit": target.unit, "target": target.value, "value": value,
            "rate": rate, "over": rate is not None and rate >= 100,
            "behind_pace": rate is not None and rate / 100 < share,
        })
    return rows


def progress(org: Org, year: int, on: datetime.date) -> list[dict]:
    """The progress of `org`'s targets of `year` at day `on`: one row per target, by key —
    {key, label, unit, target, value (over 1 January..on), rate (float %, None for a target of 0), over
    (rate ≥ 100: 超额完成 or 完成), behind_pace (value/target below the share of the year gone by)}.
    One `compute()` of the targeted figures only."""
    targets = list(Target.objects.filter(org=org, year=year).order_by("key"))
    targets = [t for t in targets if t.key in REGISTRY]  # a figure since withdrawn keeps its row but no progress
    if not targets:
        return []
    start, end = year_span(year, on)
    values = compute(org, start, end, keys=[t.key for t in targets])
    return rows_of(targets, values, year, on)


def progress_of_children(parent: Org, year: int, on: datetime.date) -> dict[int, list[dict]]:
    """{child org id: its progress rows} for the direct children of `parent` that have targets of `year`:
    one query for the targets and one `compute()` per child that has any."""
    by_org: dict[int, list[Target]] = {}
    for target in Target.objects.filter(org__parent=parent, year=year).order_by("key"):
        if target.key in REGISTRY:
            by_org.setdefault(target.org_id, []).append(target)
    start, end = year_span(year, on)
    children = Org.objects.in_bulk(list(by_org))
    return {org_id: rows_of(targets, compute(children[org_id], start, end, keys=[t.key for t in targets]), year, on)
            for org_id, targets in by_org.items()}
