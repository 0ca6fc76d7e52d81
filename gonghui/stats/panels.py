"""What the dashboard (统计分析) shows of each program: a `Panel` per app, declared in the app's own `dashboard.py`
as `PANELS` (the engine's own apps, organizations and members, in gonghui/stats/dashboard.py), found through
`common.contrib.app_modules("dashboard")`. A program that lands adds its panel beside its figures; the
dashboard names none.

- `key`: the figures in the panel's table (value, same period last year, 同比) and in 各下级对比;
- `trend`: the figures drawn month by month over the year (one unit per panel, they share an axis);
- `composition`: the parts drawn against each other for the period (`composition_kind`: "doughnut" for parts
  of a whole, "bar" for parts that overlap, such as 其中 women and 其中 migrant workers).
"""

import functools
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from gonghui.common.contrib import app_modules

from .registry import REGISTRY, Figure


@dataclass(frozen=True)
class Panel:
    app: str
    title: str
    order: int
    key: tuple[str, ...]
    trend: tuple[str, ...] = ()
    composition: tuple[str, ...] = ()
    composition_title: str = ""
    composition_kind: str = "bar"

    def figures(self, names: tuple[str, ...]) -> list[Figure]:
        """The panel's figures of `names` that are registered (a figure withdrawn drops out)."""
        return [REGISTRY[k] for k in names if k in REGISTRY]

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.figures(self.key)]


@functools.cache  # the installed apps' panels are fixed once started
def panels() -> tuple[Panel, ...]:
    found = []
    for _, module in app_modules("dashboard"):
        for panel in module.PANELS:
            for name in (*panel.key, *panel.trend, *panel.composition):
                if not name.startswith(panel.app + "."):
                    raise ImproperlyConfigured(f"Dashboard panel {panel.app}: {name} is another app's figure.")
            if panel.composition_kind not in {"bar", "doughnut"}:
                raise ImproperlyConfigured(f"Dashboard panel {panel.app}: composition_kind bar or doughnut.")
            found.append(panel)
    return tuple(sorted(found, key=lambda p: p.order))
