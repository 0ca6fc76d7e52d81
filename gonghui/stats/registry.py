"""The statistics registry: each app declares named figures in its `figures.py`.

A figure is a function of (org, start, end) over org's subtree and the days [start, end]; its key is
`<app>.<name>`, so an app's figures are found by their prefix. Each declares its Chinese label, its unit and
a one-sentence definition (docs/figures.md is generated from them). A figure is *additive* when the
children's values sum to the parent's own (less what the parent's own union holds); only additive figures
take targets. A ratio names its parts (numerator, denominator), which are figures too.

`compute()` evaluates any set of them; `catalogue()` lists them.
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
    definition: str = ""
    additive: bool = True
    parts: tuple[str, ...] = ()  # a ratio's (numerator, denominator)

    @property
    def app(self) -> str:
        return self.key.split(".", 1)[0]


REGISTRY: dict[str, Figure] = {}


def figure(key: str, *, label: str, unit: str, definition: str = "", additive: bool | None = None,
           parts: tuple[str, ...] = ()):
    """Register the decorated function as figure `key` (e.g. "orgs.unions_total"). A figure in % or a mean is
    not additive unless said otherwise."""
    if "." not in key:
        raise ValueError("统计指标的键应为 <应用>.<名称>。")
    if additive is None:
        additive = not parts and unit not in {"%", "星", "工作日"}

    def register(func):
        if key in REGISTRY:
            raise ValueError(f"统计指标 {key} 重复注册。")
        REGISTRY[key] = Figure(key, label, unit, func, definition, additive, tuple(parts))
        return func

    return register


def catalogue(prefix: str = "") -> list[Figure]:
    """The registered figures whose key starts with `prefix`, by key."""
    return [fig for key, fig in sorted(REGISTRY.items()) if key.startswith(prefix)]


def compute(org: Org, start: datetime.date, end: datetime.date, *, prefix: str = "",
            keys: list[str] | None = None) -> dict:
    """{key: value} for every registered figure whose key starts with `prefix` (or for exactly `keys`)."""
    chosen = [REGISTRY[k] for k in keys] if keys is not None else catalogue(prefix)
    return {fig.key: fig.func(org, start, end) for fig in chosen}
