"""Targets in and out of Excel (目标任务导入/导出), through the one import pipeline (`common.imports`).

Columns: 组织代码, 年度, 指标 (the figure's key, e.g. members.joined, or its label as the dashboard shows it,
with or without the unit), 目标值. Other columns (组织名称, 单位 — the export's) are ignored, so an exported
sheet, edited, imports back. Each row goes through `actions.set_target` (the parent's 单位管理员 only) in
its own savepoint: a new target is counted imported, a changed one updated.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

from django.db import transaction
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from gonghui.common import imports
from gonghui.common.errors import DomainError
from gonghui.common.excel import cell_text, header_label, write_guide
from gonghui.common.imports import ImportFileError, ImportResult, Row
from gonghui.common.models import ImportJob
from gonghui.orgs.models import Org
from gonghui.orgs.queries import visible_to

from . import actions
from .registry import REGISTRY
from .targets import shown, targetable

KIND = "targets"
SUFFIXES = (".xlsx", ".csv")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
COLUMNS = {"组织代码": "org", "年度": "year", "指标": "key", "目标值": "value"}
EXPORT_HEADER = ["组织代码", "组织名称", "年度", "指标", "单位", "目标值"]
_UNIT = re.compile(r"[（(][^（()）]*[)）]$")
GUIDE = [
    "目标任务导入说明",
    "1. 第一行为列名：组织代码、年度、指标、目标值（必填，顺序不限）；其他列（如组织名称、单位）不导入。",
    "2. 只能为本工会的直接下级工会设定目标任务（省总工会的单位管理员也可为本级设定）。",
    "3. 指标填写指标名称（如“期内新入会会员”）或指标代码（如 members.joined）；"
    "只有可累加的指标（人数、户数、件数、金额等）可设定目标，比率、平均数不能设定。",
    "4. 目标值按指标的单位填写，金额以万元计，最多两位小数。同一组织、年度、指标已有目标的，以本次导入的为准。",
    "5. 导出的目标任务表修改后可直接导入。有问题的行不导入，完成后可下载错误文件，修改后重新导入。",
]


def _figure_names() -> dict[str, str]:
    """A figure as a sheet may name it → its key: the key, the label, the label with its unit."""
    names = {}
    for fig in targetable():
        for name in (fig.key, fig.label, f"{fig.label}（{fig.unit}）"):
            names[header_label(name)] = fig.key
    return names


@dataclass
class _Context:
    by: object
    columns: dict[str, tuple[str, int]]  # field → (column as the file names it, index)

    def text(self, row: Row, name: str) -> str:
        i = self.columns[name][1]
        return cell_text(row.cells[i] if i < len(row.cells) else None)

    def column(self, name: str) -> str:
        return self.columns[name][0]


def _prepare(header: list[str], *, by) -> _Context:
    if not actions.sets_targets(by):
        raise ImportFileError("只有单位管理员可以导入目标任务。")
    columns: dict[str, tuple[str, int]] = {}
    for i, cell in enumerate(header):
        name = header_label(cell)
        if name in COLUMNS:
            columns.setdefault(COLUMNS[name], (cell, i))
    missing = [name for name, field in COLUMNS.items() if field not in columns]
    if missing:
        raise ImportFileError(f"缺少必填列：{'、'.join(missing)}。请使用导入模板（或导出的目标任务表）。")
    return _Context(by=by, columns=columns)


def _check(rows: list[Row], ctx: _Context) -> None:
    """Each row's union (in the importer's subtree, one it sets targets for), year, figure and value; one row
    per (union, year, figure)."""
    if len(rows) > MAX_ROWS:
        raise ImportFileError(f"单个文件最多 {MAX_ROWS} 行，本文件有 {len(rows)} 行，请分成几个文件导入。")
    codes = {ctx.text(r, "org").upper() for r in rows} | {ctx.text(r, "org") for r in rows}
    unions = {o.code: o for o in visible_to(ctx.by, Org).filter(code__in=codes)}
    names = _figure_names()
    first: dict[tuple, int] = {}
    for row in rows:
        code = ctx.text(row, "org")
        org = unions.get(code) or unions.get(code.upper())
        if not code:
            row.reject(ctx.column("org"), "请填写组织代码。")
        elif org is None:
            row.reject(ctx.column("org"), f"本工会及下级工会中没有组织代码为 {code} 的工会。")
        elif not actions.may_set_target(ctx.by, org):
            row.reject(ctx.column("org"), f"{org.name}的目标任务由其上级工会设定：只能为本工会的直接下级工会设定。")
        row.values["org"] = org
        try:
            row.values["year"] = actions.check_year(ctx.text(row, "year"))
        except DomainError as e:
            row.reject(ctx.column("year"), e.message)
        row.values["key"] = _key(row, ctx, names)
        try:
            row.values["value"] = actions.check_value(ctx.text(row, "value"))
        except DomainError as e:
            row.reject(ctx.column("value"), "请填写目标值。" if not ctx.text(row, "value") else e.message)
        if not row.problems:
            seen = (org.pk, row.values["year"], row.values["key"])
            if seen in first:
                row.reject(ctx.column("key"), f"与第{first[seen]}行是同一组织、年度和指标，不能重复。")
            else:
                first[seen] = row.number


def _key(row: Row, ctx: _Context, names: dict[str, str]) -> str | None:
    written = ctx.text(row, "key")
    name = header_label(written)
    key = names.get(name) or names.get(_UNIT.sub("", name))
    if key:
        return key
    if not written:
        row.reject(ctx.column("key"), "请填写指标。")
    elif written in REGISTRY or _UNIT.sub("", name) in {header_label(f.label) for f in REGISTRY.values()}:
        row.reject(ctx.column("key"), f"“{written}”不是可累加的指标（比率、平均数等），不能设定目标任务。")
    else:
        row.reject(ctx.column("key"), f"没有名为“{written}”的指标，请填写指标名称或指标代码。")
    return None


def _write(rows: list[Row], ctx: _Context, result: ImportResult, progress: Callable[[int], None]) -> None:
    for done, row in enumerate(rows, start=1):
        try:
            with transaction.atomic():
                target, created = actions.set_target(by=ctx.by, **row.values)
        except DomainError as e:
            row.reject(imports.WHOLE_ROW, e.message)
        else:
            row.written = target
            if created:
                result.imported += 1
            else:
                result.updated += 1
        progress(done)


TARGETS = imports.Importer(
    kind=KIND, noun="目标任务", suffixes=SUFFIXES, max_bytes=MAX_UPLOAD_BYTES,
    counts="新设定 {imported} 项、修改 {updated} 项目标任务", modes=True,
    prepare=_prepare, check=_check, write=_write,
    urls={"page": "admin:stats_target_import", "status": "admin:stats_target_import_result",
          "errors": "admin:stats_target_import_errors", "template": "admin:stats_target_import_template",
          "list": "admin:stats_target_changelist"},
)


def import_file(data: bytes, filename: str, *, by, mode: str = imports.VALID_ONLY) -> ImportResult:
    """Import targets from an .xlsx or .csv as `by`. Raises ImportFileError when it cannot be read at all."""
    header, rows = TARGETS.read(data, filename)
    return imports.import_rows(TARGETS, header, rows, by=by, mode=mode, filename=filename)


def run_import(*, upload, by, mode: str = imports.VALID_ONLY) -> ImportJob:
    """Import an uploaded file now (a union's targets are a few hundred rows) and record the run as a job."""
    return imports.run_in_request(TARGETS, upload=upload, by=by, mode=mode)


def export_rows(targets) -> list[list]:
    """The targets as rows under EXPORT_HEADER: the import's columns, so the sheet imports back."""
    return [[t.org.code, t.org.name, t.year, t.label, t.unit, shown(t.value)]
            for t in targets.select_related("org")]


def template_workbook() -> bytes:
    """The import template: the export's header (required columns in red), no rows, and a sheet of instructions."""
    wb = Workbook()
    ws = wb.active
    ws.title = "目标任务"
    for col, label in enumerate(EXPORT_HEADER, start=1):
        ws.cell(row=1, column=col, value=label).font = Font(bold=True, color="C00000" if label in COLUMNS else None)
        ws.column_dimensions[get_column_letter(col)].width = 30 if label in ("组织名称", "指标") else 14
    ws.freeze_panes = "A2"
    write_guide(wb.create_sheet("填写说明"), GUIDE)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
