"""The dashboard's reads (统计分析): every figure through `registry.compute`, one call per (organization, period)
and only the figures shown — the panels' key figures and compositions for the period, the key figures for the
same period last year, the trend figures for each month of the year, the key figures for each direct child,
and the targeted figures over the year to the period's end."""

import json
from dataclasses import dataclass, field
from decimal import Decimal

from gonghui.orgs.models import Org

from .panels import Panel, panels
from .periods import Period
from .registry import REGISTRY, Figure, compute
from .targets import progress, progress_of_children, shown

# Chart colours: unfold's own palette (CSS variables its chart script resolves), then fixed ones.
COLOURS = ["var(--color-primary-600)", "var(--color-primary-300)", "#f59e0b", "#10b981", "#ef4444", "#6366f1",
           "#8b5cf6", "#14b8a6"]
MINUS = "\u2212"


def text(value) -> str:
    """A figure as the dashboard and its exports print it: 1234, 12.30 (万元), 92.5 (%), or — for none."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, float):
        return f"{value:g}" if value == round(value, 2) else f"{value:.2f}"
    return str(value)


def change(fig: Figure, value, last) -> str:
    """同比: the change on the same period last year, in % (a rate's in percentage points); — where last year
    had nothing to compare with."""
    if value is None or last is None:
        return "—"
    if fig.unit == "%":
        diff = float(value) - float(last)
        return f"{'+' if diff >= 0 else MINUS}{abs(diff):.1f} 个百分点"
    if not last:
        return "—"
    ratio = (float(value) - float(last)) / float(last) * 100
    return f"{'+' if ratio >= 0 else MINUS}{abs(ratio):.1f}%"


@dataclass
class Row:
    """One key figure of a panel: the period's value, last year's, and the change."""

    figure: Figure
    value: object
    last: object

    @property
    def change(self) -> str:
        return change(self.figure, self.value, self.last)

    @property
    def rising(self) -> bool | None:
        if self.value is None or self.last is None or self.value == self.last:
            return None
        return self.value > self.last

    @property
    def shown(self) -> str:
        return text(self.value)

    @property
    def last_shown(self) -> str:
        return text(self.last)


@dataclass
class Board:
    panel: Panel
    rows: list[Row]
    trend: str = ""  # Chart.js data, JSON
    composition: str = ""


@dataclass
class Child:
    org: Org
    values: dict
    progress: list[dict] = field(default_factory=list)

    @property
    def cells(self) -> list[tuple[str, str]]:
        """(key, value as shown) of each key figure, in the columns' order."""
        return [(f.key, text(self.values[f.key])) for f in key_figures()]

    @property
    def behind(self) -> list[dict]:
        return [p for p in self.progress if p["behind_pace"]]


def key_figures() -> list[Figure]:
    """Every panel's key figures, in panel order: the columns of 各下级对比 and its export."""
    return [REGISTRY[k] for p in panels() for k in p.keys]


def boards(org: Org, period: Period) -> list[Board]:
    """Each panel's key figures with last year's and the change, its monthly trend and its composition."""
    chosen = panels()
    keys = list(dict.fromkeys(k for p in chosen for k in p.keys))
    parts = [f.key for p in chosen for f in p.figures(p.composition)]
    now = compute(org, period.start, period.end, keys=list(dict.fromkeys(keys + parts)))
    before = period.last_year()
    last = compute(org, before.start, before.end, keys=keys)
    trend_keys = list(dict.fromkeys(f.key for p in chosen for f in p.figures(p.trend)))
    months = [(month, compute(org, first, end, keys=trend_keys)) for month, first, end in period.months()]
    return [Board(panel=p, rows=[Row(REGISTRY[k], now[k], last[k]) for k in p.keys],
                  trend=_trend(p, months), composition=_composition(p, now)) for p in chosen]


def _number(value):
    return float(value) if isinstance(value, Decimal) else value


def _trend(panel: Panel, months: list[tuple[int, dict]]) -> str:
    figures = panel.figures(panel.trend)
    if not figures:
        return ""
    return json.dumps({
        "labels": [f"{month}月" for month, _ in months],
        "datasets": [{"label": f"{f.label}（{f.unit}）", "data": [_number(values[f.key]) for _, values in months],
                      "borderColor": COLOURS[i % len(COLOURS)], "backgroundColor": COLOURS[i % len(COLOURS)]}
                     for i, f in enumerate(figures)],
    }, ensure_ascii=False)


def _composition(panel: Panel, values: dict) -> str:
    figures = panel.figures(panel.composition)
    if not figures:
        return ""
    return json.dumps({
        "labels": [f.label.split("：其中")[-1] for f in figures],
        "datasets": [{"label": panel.composition_title or panel.title,
                      "data": [_number(values[f.key]) for f in figures],
                      "backgroundColor": [COLOURS[i % len(COLOURS)] for i in range(len(figures))]}],
    }, ensure_ascii=False)


def children(org: Org, period: Period, *, sort: str = "") -> list[Child]:
    """The active direct children of `org` with the key figures over the period, and their targets' progress
    over the year to the period's end; sorted by `sort` (a key figure, "-" first for descending; a child
    without the value last) or by code."""
    keys = [f.key for f in key_figures()]
    kids = [Child(child, compute(child, period.start, period.end, keys=keys))
            for child in Org.objects.filter(parent=org).active().order_by("code")]
    behind = progress_of_children(org, period.year, period.end)
    for child in kids:
        child.progress = behind.get(child.org.pk, [])
    name = sort.removeprefix("-")
    if name in keys:
        present = [c for c in kids if c.values[name] is not None]
        present.sort(key=lambda c: c.values[name], reverse=sort.startswith("-"))
        kids = present + [c for c in kids if c.values[name] is None]
    return kids


def targets(org: Org, period: Period) -> list[dict]:
    """The progress of org's own targets of the period's year at the period's end, with the texts shown."""
    rows = progress(org, period.year, period.end)
    for row in rows:
        row["target_shown"] = shown(row["target"])
        row["value_shown"] = text(row["value"])
        row["rate_shown"] = "—" if row["rate"] is None else f"{row['rate']:.1f}%"
    return rows
