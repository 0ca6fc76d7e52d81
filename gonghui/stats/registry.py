"""The statistics registry: each app declares named figures in its `figures.py`.

A figure is a function of (org, start, end) computed over org's subtree; its key is `<app>.<name>`,
so an app's figures are found by their prefix. `compute()` evaluates any set of them.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from gonghui.orgs.models import Org


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str
    func: Callable[[Org, datetime.date, datetime.date], int | float | None]


REGISTRY: dict[str, Figure] = {}


def figure(key: str, *, label: str, unit: str):
    """Register the decorated function as figure `key` (e.g. "orgs.unions_total")."""
    if "." not in key:
        raise ValueError("统计指标的键应为 <应用>.<名称>。")

    def register(func):
        if key in REGISTRY:
            raise ValueError(f"统计指标 {key} 重复注册。")
        REGISTRY[key] = Figure(key, label, unit, func)
        return func

    return register


def compute(org: Org, start: datetime.date, end: datetime.date, *, prefix: str = "") -> dict:
    """{key: value} for every registered figure whose key starts with `prefix`."""
    return {key: fig.func(org, start, end) for key, fig in sorted(REGISTRY.items()) if key.startswith(prefix)}
