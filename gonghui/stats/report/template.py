"""The report's template language: Django's template engine with nothing but the `if` tag and the filters
below, so that a cadre editing the text can print figures and test conditions and do nothing else (no
`include`, `load`, `for`, no other filter; a figure's value is all a placeholder reaches).

    {{ members.joined }}            新增会员 → "12人", money "1.23万元", a rate "85.3%" (the figure's unit)
    {{ members.joined|数值 }}       the number alone: "12", "1.23"
    {{ members.joined|去年 }}       the same period last year, with its unit
    {{ members.joined|同比 }}       "，同比增长20.0%" / "，同比下降5.0%" / "，与去年同期持平"; for a rate
                                    "，同比提高2.1个百分点"; empty when last year's value is 0 or missing
    {{ members.joined|目标 }}       "，完成目标任务的125.0%，超额完成" / "，完成目标任务的62.5%"; empty without
                                    a target for the year
    {{ 工会 }} {{ 期间 }}           the union's name, the period ("2026年上半年")
    {% if members.joined %}…{% elif … %}…{% else %}…{% endif %}   with and, or, not, ==, !=, <, >, <=, >=

Lines starting with "# " are section headings; every other line is a paragraph. A section whose text comes
out empty (all of it in conditions that fail) is left out with its heading.
"""

import datetime
import operator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.template import Context, Engine, Library, TemplateSyntaxError, defaulttags
from django.template.base import FilterExpression, TextNode, VariableNode
from django.template.defaulttags import IfNode

from gonghui.common.contrib import app_modules
from gonghui.common.errors import DomainError

from ..registry import REGISTRY

# The names a template may use besides the figures.
NAMES = {"工会": "工会名称", "期间": "报告期间"}

TENTH = Decimal("0.1")
CONSTANTS = {"None", "True", "False"}  # Django's Context gives every template these

register = Library()


@dataclass(frozen=True, eq=False)
class FigureValue:
    """A figure as a placeholder prints it; compares (in `if`) by its value, a missing value (None) being
    neither above nor below anything."""

    key: str
    value: object
    last_year: object = None
    progress: dict | None = None  # the figure's row of stats.targets.progress, if it has a target

    @property
    def unit(self) -> str:
        return REGISTRY[self.key].unit

    def __str__(self) -> str:
        return with_unit(self.value, self.unit)

    def __bool__(self) -> bool:
        return bool(self.value)

    def __eq__(self, other) -> bool:
        return self.value == _plain(other)

    def _compare(self, other, test) -> bool:
        other = _plain(other)
        return self.value is not None and other is not None and test(self.value, other)

    def __lt__(self, other) -> bool:
        return self._compare(other, operator.lt)

    def __le__(self, other) -> bool:
        return self._compare(other, operator.le)

    def __gt__(self, other) -> bool:
        return self._compare(other, operator.gt)

    def __ge__(self, other) -> bool:
        return self._compare(other, operator.ge)


def _plain(value):
    return value.value if isinstance(value, FigureValue) else value


def number(value) -> str:
    """A figure's value as reports print it: 12, 1.23 (万元, two places), 85.3 (a rate), — for none."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


# Units read better with a measure word before them in a sentence.
_UNIT_WORDS = {"工作日": "个工作日"}


def with_unit(value, unit: str) -> str:
    if value is None:
        return "—"
    return number(value) + _UNIT_WORDS.get(unit, unit)


@register.filter(name="数值")
def bare(figure) -> str:
    return number(_plain(figure))


@register.filter(name="去年")
def last_year(figure) -> str:
    if not isinstance(figure, FigureValue):
        return ""
    return with_unit(figure.last_year, figure.unit)


@register.filter(name="同比")
def year_on_year(figure) -> str:
    """The change against the same period last year, as the reports word it; a rate changes by points."""
    if not isinstance(figure, FigureValue) or figure.value is None or figure.last_year is None:
        return ""
    now, then = figure.value, figure.last_year
    if figure.unit == "%":
        points = round(float(now) - float(then), 1)
        if points == 0:
            return "，与去年同期持平"
        return f"，同比{'提高' if points > 0 else '降低'}{abs(points):.1f}个百分点"
    if not then:
        return ""
    change = ((Decimal(str(now)) - Decimal(str(then))) * 100 / Decimal(str(then))).quantize(TENTH, ROUND_HALF_UP)
    if change == 0:
        return "，与去年同期持平"
    return f"，同比{'增长' if change > 0 else '下降'}{abs(change):.1f}%"


@register.filter(name="目标")
def target(figure) -> str:
    """Progress towards the year's target at the period's end, if the figure has one."""
    row = figure.progress if isinstance(figure, FigureValue) else None
    if not row or row.get("rate") is None:
        return ""
    rate = row["rate"]
    return f"，完成目标任务的{rate:.1f}%" + ("，超额完成" if rate > 100 else "")


register.tag("if", defaulttags.do_if)


class _Sandbox(Engine):
    default_builtins = []  # none of Django's tags and filters: only this module's


ENGINE = _Sandbox(builtins=[__name__], autoescape=False, string_if_invalid="")


# The default template, assembled from the apps' sections ---------------------------------------------------

def sections() -> list:
    """Every installed app's report sections, in order."""
    found = [s for _, module in app_modules("report") for s in getattr(module, "SECTIONS", [])]
    return sorted(found, key=lambda s: s.order)


def active_text() -> str:
    """The text of the report: the active saved version, else the default assembled from the sections."""
    from ..models import ReportTemplate

    active = ReportTemplate.objects.filter(active=True).values_list("body", flat=True).first()
    return active if active is not None else default_text()


def default_text() -> str:
    parts = []
    for section in sections():
        parts.append(f"# {section.title}\n{section.text}" if section.title else section.text)
    return "\n".join(parts) + "\n"


# Checking --------------------------------------------------------------------------------------------------

def check(text: str) -> list[str]:
    """The figure keys `text` uses, in order of first use; DomainError (Chinese) for a syntax error, a tag or
    filter the language lacks, or a placeholder that names no figure."""
    try:
        compiled = ENGINE.from_string(text)
    except TemplateSyntaxError as e:
        raise DomainError(f"模板有误：{_explain(e)}", field="body") from None
    keys: list[str] = []
    for node in compiled.nodelist.get_nodes_by_type(TextNode):
        if any(mark in node.s for mark in ("{{", "}}", "{%", "%}")):
            raise DomainError(f"模板有误：“{node.s.strip()[:30]}”附近的 {{{{ }}}} 或 {{% %}} 不成对。", field="body")
    for expression in _expressions(compiled.nodelist):
        var = expression.var
        if not hasattr(var, "lookups") or var.lookups is None:
            continue  # a literal: "…", 100
        name = ".".join(var.lookups)
        if name in NAMES or name in CONSTANTS:
            continue
        if name not in REGISTRY:
            raise DomainError(f"模板中的“{{{{ {name} }}}}”不是已登记的统计指标，请检查拼写（如 members.joined）。"
                              "可用的指标见模板页的“可用指标”。", field="body")
        if name not in keys:
            keys.append(name)
    return keys


def _explain(error: TemplateSyntaxError) -> str:
    message = str(error)
    if message.startswith("Invalid block tag"):
        tag = message.split("'")[1] if "'" in message else ""
        return f"不支持的标签“{tag}”，只能使用 if、elif、else、endif。"
    if message.startswith("Invalid filter"):
        name = message.split("'")[1] if "'" in message else ""
        return f"不支持的格式“{name}”，只能使用 数值、去年、同比、目标。"
    if "arguments" in message:
        return "格式（数值、去年、同比、目标）不带参数，请去掉冒号及其后的内容。"
    if "Unclosed tag" in message:
        return "有未结束的 if，请补上 {% endif %}。"
    return "请检查 {{ }} 和 {% %} 是否成对、写法是否正确。"


def _expressions(nodelist):
    """Every FilterExpression of the nodes: printed placeholders and the operands of `if` conditions."""
    for node in nodelist:
        if isinstance(node, VariableNode):
            yield node.filter_expression
        elif isinstance(node, IfNode):
            for condition, branch in node.conditions_nodelists:
                if condition is not None:
                    yield from _operands(condition)
                yield from _expressions(branch)


def _operands(condition):
    value = getattr(condition, "value", None)
    if isinstance(value, FilterExpression):
        yield value
    for side in (getattr(condition, "first", None), getattr(condition, "second", None)):
        if side is not None:
            yield from _operands(side)


# Rendering -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Block:
    """A rendered part of the report: its heading ("" for the opening) and its paragraphs."""

    title: str
    paragraphs: list[str]


def render(text: str, *, org_name: str, period: str, figures: dict[str, FigureValue]) -> list[Block]:
    """The report's blocks: `text` rendered with the figures (by key) and the names, split at headings."""
    context: dict = {"工会": org_name, "期间": period}
    for key, fig in figures.items():
        app, name = key.split(".", 1)
        context.setdefault(app, {})[name] = fig
    out = ENGINE.from_string(text).render(Context(context, autoescape=False))
    blocks: list[Block] = []
    title, paragraphs = "", []
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("# "):
            if title or paragraphs:
                blocks.append(Block(title, paragraphs))
            title, paragraphs = line[2:].strip(), []
        elif line:
            paragraphs.append(line)
    blocks.append(Block(title, paragraphs))
    return [b for b in blocks if b.paragraphs]


def same_day_last_year(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
