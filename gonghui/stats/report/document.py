"""A work report's figures and its two files: the Word document (python-docx) and its Excel annex (openpyxl).

The figures are those the template names, computed once for the period, once for the same period last year
(同比) and once per direct child organization (the annex); the year's targets come from `stats.targets`.
"""

import datetime
import io
from dataclasses import dataclass

from django.db.models import Q
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from gonghui.orgs.models import Org

from ..registry import REGISTRY, compute, compute_children
from ..targets import progress
from . import template

CHINESE_NUMBERS = "一二三四五六七八九十"
QUARTERS = {(1, 3): "一季度", (4, 6): "二季度", (7, 9): "三季度", (10, 12): "四季度"}


def period_name(start: datetime.date, end: datetime.date) -> str:
    """The period as reports name it: 2026年上半年, 2026年下半年, 2026年全年, 2026年一季度, 2026年3月, else
    2026年1月1日至2026年9月30日."""
    whole_months = start.day == 1 and (end + datetime.timedelta(days=1)).day == 1
    if start.year == end.year and whole_months:
        months = (start.month, end.month)
        named = {(1, 12): "全年", (1, 6): "上半年", (7, 12): "下半年", **QUARTERS}.get(months)
        if named:
            return f"{start.year}年{named}"
        if start.month == end.month:
            return f"{start.year}年{start.month}月"
    return f"{_day(start)}至{_day(end)}"


def _day(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def title(org: Org, start: datetime.date, end: datetime.date) -> str:
    return f"{org.name}{period_name(start, end)}工作情况报告"


def targets_of(org: Org, on: datetime.date) -> dict[str, dict]:
    """{figure key: progress row} of org's targets for the year of `on`, at `on`: the one call of the
    targets' progress (the dashboard's maths)."""
    return {row["key"]: row for row in progress(org, on.year, on)}


@dataclass
class Report:
    org: Org
    start: datetime.date
    end: datetime.date
    keys: list[str]
    blocks: list[template.Block]
    figures: dict[str, template.FigureValue]

    @property
    def title(self) -> str:
        return title(self.org, self.start, self.end)


def prepare(org: Org, start: datetime.date, end: datetime.date, *, text: str | None = None) -> Report:
    """The report of `org`'s subtree over [start, end] with the active template (or `text`)."""
    text = template.active_text() if text is None else text
    keys = template.check(text)
    now = compute(org, start, end, keys=keys) if keys else {}
    before = compute(org, template.same_day_last_year(start), template.same_day_last_year(end),
                     keys=keys) if keys else {}
    targets = targets_of(org, end) if keys else {}
    figures = {key: template.FigureValue(key, now[key], before[key], targets.get(key)) for key in keys}
    blocks = template.render(text, org_name=org.name, period=period_name(start, end), figures=figures)
    return Report(org, start, end, keys, blocks, figures)


# Word ------------------------------------------------------------------------------------------------------

BODY_FONT, HEADING_FONT, TITLE_FONT = "仿宋", "黑体", "方正小标宋简体"


def docx_bytes(report: Report) -> bytes:
    """The report as a Word document: the title, the opening, numbered sections (一、二、…), and a line
    naming the annex."""
    doc = Document()
    _font(doc.styles["Normal"], BODY_FONT, 16)
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(heading, report.title, TITLE_FONT, 22, bold=True)
    number = 0
    for block in report.blocks:
        if block.title:
            p = doc.add_paragraph()
            _indent(p)
            _run(p, f"{_chinese(number)}、{block.title}", HEADING_FONT, 16)
            number += 1
        for text in block.paragraphs:
            _indent(doc.add_paragraph(text))
    annex = doc.add_paragraph()
    _indent(annex)
    annex.add_run(f"附件：{report.org.name}{period_name(report.start, report.end)}各直属下级组织主要指标（Excel）")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _chinese(n: int) -> str:
    return CHINESE_NUMBERS[n] if n < 10 else "十" + (CHINESE_NUMBERS[n - 10] if n > 10 else "")


def _font(style_or_run, name: str, size: int, *, bold: bool = False):
    font = style_or_run.font
    font.name, font.size, font.bold = name, Pt(size), bold or None
    # Word takes the font of Chinese text from the East Asian slot, which python-docx does not set.
    properties = style_or_run.element.get_or_add_rPr()
    properties.get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _run(paragraph, text: str, font: str, size: int, *, bold: bool = False):
    run = paragraph.add_run(text)
    _font(run, font, size, bold=bold)
    return run


def _indent(paragraph):
    paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters, as official documents indent
    return paragraph


# Excel annex -----------------------------------------------------------------------------------------------

def xlsx_bytes(report: Report) -> bytes:
    """The figures of the report by direct child organization (one compute_children), the union's own total last;
    a title row with the union and the period."""
    keys = report.keys
    # A child closed before the period had no part in it.
    children = list(Org.objects.filter(parent=report.org).filter(
        Q(status=Org.Status.ACTIVE) | Q(closed_on__gte=report.start)).order_by("path"))
    wb = Workbook()
    ws = wb.active
    ws.title = "各下级组织主要指标"
    heading = f"{report.org.name}{period_name(report.start, report.end)}各直属下级组织主要指标"
    ws.append([heading])
    ws.append([f"统计期间：{report.start.isoformat()} 至 {report.end.isoformat()}"])
    ws.append(["组织代码", "组织名称", *(f"{REGISTRY[k].label}（{REGISTRY[k].unit}）" for k in keys)])
    by_child = compute_children(report.org, report.start, report.end, keys=keys, children=children) if keys else {}
    for child in children:
        values = by_child.get(child, {})
        ws.append([child.code, child.name, *(_cell(values[k]) for k in keys)])
    ws.append([report.org.code, f"合计（{report.org.name}全部）", *(_cell(report.figures[k].value) for k in keys)])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(2, len(keys) + 2))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 32
    for i in range(3, len(keys) + 3):
        ws.column_dimensions[get_column_letter(i)].width = 16
    ws.freeze_panes = "C4"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(value):
    # Numbers stay numbers in the sheet (Decimal 万元 and rates as floats) so that a reader can sum them.
    return float(value) if value is not None and not isinstance(value, int) else value
