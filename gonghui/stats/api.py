"""The figures over the API (统计指标): every registered figure over an organization's subtree and a period, and
the catalogue of figures with their definitions. Scoped like the pages: an organization outside the account's
subtree, or one that does not exist, is 404; the values are `registry.compute()`'s.

Values in JSON: counts are integers; rates are numbers (or null when there is nothing to divide by); amounts
(万元, `Decimal` in the engine) are strings with two decimals ("1.72"), so that no client reads them through
a binary float. The unit says which is which."""

import datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status

from gonghui.orgs.models import Org
from gonghui.orgs.queries import get_visible_or_404

from . import registry

router = Router(tags=["统计指标"])

MAX_YEARS = 10  # a longer span is a mistake, and would make one request scan decades of rollups


class FiguresQuery(Schema):
    org: str = Field(description="组织代码：统计该组织及其全部下级工会")
    start: datetime.date = Field(alias="from", description="统计起始日（含），如 2026-01-01")
    end: datetime.date = Field(alias="to", description="统计截止日（含），如 2026-06-30")
    keys: str = Field("", description="指标键前缀，如 hardship. 或 members.joined；不填为全部指标")


class CatalogueQuery(Schema):
    keys: str = Field("", description="指标键前缀；不填为全部指标")


class FigureValue(Schema):
    key: str
    label: str
    unit: str
    value: int | float | str | None = Field(
        description="人、户、家等为整数；率为数值（无分母时为 null）；万元为两位小数的字符串，如 \"1.72\"")


class FiguresOut(Schema):
    org: str = Field(description="组织代码")
    name: str = Field(description="组织名称")
    start: datetime.date = Field(alias="from")
    end: datetime.date = Field(alias="to")
    figures: list[FigureValue]


class CatalogueEntry(Schema):
    key: str
    label: str
    unit: str
    definition: str = Field(description="口径：一句话的定义")
    additive: bool = Field(description="下级之和等于上级（可设目标任务）")
    parts: list[str] = Field(description="比率的分子、分母指标键；非比率为空")


class Problem(Schema):
    field: str | None
    message: str


class Problems(Schema):
    detail: str
    errors: list[Problem]


class Detail(Schema):
    detail: str


def _json_value(value):
    return f"{value:.2f}" if isinstance(value, Decimal) else value


def _period_problem(start: datetime.date, end: datetime.date) -> Problems | None:
    if start > end:
        return Problems(detail="统计期间有误。", errors=[Problem(field="from", message="起始日不能晚于截止日")])
    if (end - start).days >= 366 * MAX_YEARS:
        return Problems(detail="统计期间有误。",
                        errors=[Problem(field="to", message=f"统计期间不能超过 {MAX_YEARS} 年")])
    return None


@router.get("/figures", response={200: FiguresOut, 401: Detail, 404: Detail, 422: Problems}, by_alias=True,
            url_name="stats_figures", summary="统计指标：某组织（含全部下级）在某期间的指标值")
def stats_figures(request, query: Query[FiguresQuery]):
    org = get_visible_or_404(request.user, Org, code=query.org)
    if problem := _period_problem(query.start, query.end):
        return Status(422, problem)
    values = registry.compute(org, query.start, query.end, prefix=query.keys)
    figures = [{"key": key, "label": registry.REGISTRY[key].label, "unit": registry.REGISTRY[key].unit,
                "value": _json_value(value)} for key, value in values.items()]
    return {"org": org.code, "name": org.name, "from": query.start, "to": query.end, "figures": figures}


@router.get("/catalogue", response={200: list[CatalogueEntry], 401: Detail}, url_name="stats_catalogue",
            summary="指标目录：每个统计指标的名称、单位和口径")
def stats_catalogue(request, query: Query[CatalogueQuery]):
    return [CatalogueEntry(key=f.key, label=f.label, unit=f.unit, definition=f.definition, additive=f.additive,
                           parts=list(f.parts)) for f in registry.catalogue(query.keys)]
