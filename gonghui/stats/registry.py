"""The statistics registry: each app declares named figures in its `figures.py`.

A figure is a function of (org, start, end) over org's subtree and the days [start, end]; its key is
`<app>.<name>`, so an app's figures are found by their prefix. Each declares its Chinese label, its unit and
a one-sentence definition (docs/figures.md is generated from them). A figure is *additive* when the
children's values sum to the parent's own (less what the parent's own union holds); only additive figures
take targets. A ratio names its parts (numerator, denominator), which are figures too.

A figure answered from the rollups declares how (`tally=`): a `Flow` of a counter over the period, a `Stock`
of a counter at the period's end, or a `Ratio` of two figures. Its function stays the definition by the
records: `recount()` calls it, and `gonghui stats --verify` compares the two. A figure without `tally` is
computed from the records each time (a distinct count, a percentile).

`compute()` evaluates any set of them; `catalogue()` lists them.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from gonghui.common.money import wan
from gonghui.orgs.models import Org

from . import rollups


@dataclass(frozen=True)
class Flow:
    """The sum of `counter` over the period's days; `money`: the counter is in fen, the figure in 万元."""

    counter: str
    money: bool = False


@dataclass(frozen=True)
class Stock:
    """The value of `counter` (a running sum of changes) at the end of the period's last day."""

    counter: str


@dataclass(frozen=True)
class Ratio:
    """`scale` × numerator / denominator (figure keys) rounded to `places`; `empty` when the denominator is 0."""

    num: str
    den: str
    scale: int = 100
    places: int = 2
    empty: float | None = None


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str
    func: Callable[[Org, datetime.date, datetime.date], int | float | None]
    definition: str = ""
    additive: bool = True
    parts: tuple[str, ...] = ()  # a ratio's (numerator, denominator)
    tally: Flow | Stock | Ratio | None = None

    @property
    def app(self) -> str:
        return self.key.split(".", 1)[0]


REGISTRY: dict[str, Figure] = {}


def figure(key: str, *, label: str, unit: str, definition: str = "", additive: bool | None = None,
           parts: tuple[str, ...] = (), tally: Flow | Stock | Ratio | None = None):
    """Register the decorated function as figure `key` (e.g. "orgs.unions_total"). A figure in % or a mean is
    not additive unless said otherwise; a ratio's parts are its tally's."""
    if "." not in key:
        raise ValueError("统计指标的键应为 <应用>.<名称>。")
    if isinstance(tally, Ratio):
        parts = (tally.num, tally.den)
    if additive is None:
        additive = not parts and unit not in {"%", "星", "工作日"}

    def register(func):
        if key in REGISTRY:
            raise ValueError(f"统计指标 {key} 重复注册。")
        REGISTRY[key] = Figure(key, label, unit, func, definition, additive, tuple(parts), tally)
        return func

    return register


def catalogue(prefix: str = "") -> list[Figure]:
    """The registered figures whose key starts with `prefix`, by key."""
    return [fig for key, fig in sorted(REGISTRY.items()) if key.startswith(prefix)]


def _chosen(prefix: str, keys) -> list[Figure]:
    return [REGISTRY[k] for k in keys] if keys is not None else catalogue(prefix)


def compute(org: Org, start: datetime.date, end: datetime.date, *, prefix: str = "",
            keys: list[str] | None = None) -> dict:
    """{key: value} for every registered figure whose key starts with `prefix` (or for exactly `keys`): the
    rollups' figures from one query, the others from the records."""
    chosen = _chosen(prefix, keys)
    flows, stocks = _counters(chosen)
    return _evaluate(chosen, rollups.sums(org.path, start, end, flows=flows, stocks=stocks), org, start, end)


def compute_children(org: Org, start: datetime.date, end: datetime.date, *, prefix: str = "",
                     keys: list[str] | None = None) -> dict[Org, dict]:
    """{child: {key: value}} for each direct child organization of `org` (各下级对比), the rollups' figures
    of all of them from one query."""
    chosen = _chosen(prefix, keys)
    flows, stocks = _counters(chosen)
    children = list(org.children.order_by("path"))
    if not children:
        return {}
    by_child = rollups.sums(org.path, start, end, flows=flows, stocks=stocks, by_child=len(children[0].path))
    return {child: _evaluate(chosen, by_child.get(child.path, {}), child, start, end) for child in children}


def _counters(chosen: list[Figure]) -> tuple[set[str], set[str]]:
    needed: dict[str, Figure] = {}

    def need(fig: Figure) -> None:
        needed[fig.key] = fig
        if isinstance(fig.tally, Ratio):
            need(REGISTRY[fig.tally.num])
            need(REGISTRY[fig.tally.den])

    for fig in chosen:
        need(fig)
    return ({f.tally.counter for f in needed.values() if isinstance(f.tally, Flow)},
            {f.tally.counter for f in needed.values() if isinstance(f.tally, Stock)})


def _evaluate(chosen: list[Figure], sums: dict, org: Org, start, end) -> dict:
    values: dict = {}

    def value(fig: Figure):
        if fig.key not in values:
            values[fig.key] = _value(fig, sums, value, org, start, end)
        return values[fig.key]

    return {fig.key: value(fig) for fig in chosen}


def _value(fig: Figure, sums: dict, value, org, start, end):
    tally = fig.tally
    if isinstance(tally, Flow):
        total = sums.get(("flow", tally.counter), 0)
        return wan(Decimal(total) / 100) if tally.money else total
    if isinstance(tally, Stock):
        return sums.get(("stock", tally.counter), 0)
    if isinstance(tally, Ratio):
        num, den = value(REGISTRY[tally.num]), value(REGISTRY[tally.den])
        return round(tally.scale * num / den, tally.places) if den else tally.empty
    return fig.func(org, start, end)


def recount(org: Org, start: datetime.date, end: datetime.date, *, prefix: str = "",
            keys: list[str] | None = None) -> dict:
    """{key: value} by each figure's definition over the records, without the rollups."""
    return {fig.key: fig.func(org, start, end) for fig in _chosen(prefix, keys)}


def differences(org: Org, start: datetime.date, end: datetime.date, *, prefix: str = "") -> list[tuple]:
    """[(key, engine's value, recount's value)] for every figure answered from the rollups whose value differs
    from the recount by its definition."""
    keys = [f.key for f in catalogue(prefix) if f.tally is not None]
    engine, truth = compute(org, start, end, keys=keys), recount(org, start, end, keys=keys)
    return [(key, engine[key], truth[key]) for key in keys if engine[key] != truth[key]]
