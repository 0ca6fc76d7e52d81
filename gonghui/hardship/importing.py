"""The hardship file import (困难职工档案导入): the files a union kept on paper or in spreadsheets, from an
.xlsx with Chinese column names, into the system.

`import_files(data, filename, by=)` does the work for the page and the tests:

1. Read the first sheet (`common.excel.read_rows`); the header names the columns, in any order.
2. Check each row: the member is found by 会员证号 (会员编号) or 身份证号 **in the importer's subtree only**
   (a member elsewhere is reported like one that does not exist), the level, category, household size,
   income (family total or per capita), dates. A person twice in the file is an error on the second row.
3. Write each valid row through `actions.open_file` in its own savepoint, so that one open file per
   person (一人一档) applies as everywhere: a person already on file is an error on that row. Valid rows
   are kept, rejected rows go to the error workbook — as the member import does: the rows as they were,
   a 错误说明 column "第N行：【列】问题", the faulty cells highlighted.

The household's members are not in these sheets, only its size: the file gets the member (本人) with the
family's monthly income and one placeholder (待补录) per other person (`actions.placeholder_household`, as the
hall's 困难职工帮扶申请), so that the per-capita income is right; the names are filled in at the next review
(年度复核). The error workbook holds the file's ID numbers: it is stored encrypted, like the member import's
(`ImportJob.store_error_file`)."""

import datetime
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from gonghui.common import dates, imports, personname
from gonghui.common.errors import DomainError
from gonghui.common.excel import cell_text, header_label, write_guide
from gonghui.common.imports import ImportFileError, ImportResult, Row
from gonghui.common.models import ImportJob
from gonghui.common.money import parse_yuan
from gonghui.members.models import Member
from gonghui.members.queries import id_index_of
from gonghui.orgs.queries import visible_to

from . import actions
from .actions import PLACEHOLDER
from .models import HardshipFile

KIND = "hardship"  # ImportJob.kind
SUFFIXES = (".xlsx",)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_HOUSEHOLD = 20
MAX_ROWS = 5000  # imported in the request (each row through open_file): larger files are split

# Column → field. Spellings in use for the same column map to the same field.
COLUMNS = {
    "会员证号": "member_number", "会员编号": "member_number", "身份证号": "id_number", "姓名": "name",
    "档案级别": "level", "困难类别": "category", "致困原因": "causes", "住房情况": "housing",
    "家庭人口": "household_size", "家庭月收入": "household_income", "家庭人均月收入": "per_capita_income",
    "帮扶措施": "measures", "建档日期": "opened_on", "下次复核日期": "review_due",
}
TEMPLATE_COLUMNS = ["姓名", "会员证号", "身份证号", "档案级别", "困难类别", "致困原因", "住房情况", "家庭人口",
                    "家庭月收入", "家庭人均月收入", "帮扶措施", "建档日期", "下次复核日期"]
REQUIRED = ["档案级别", "困难类别", "家庭人口", "建档日期"]
LEVELS = {label: value for value, label in HardshipFile.Level.choices} | {
    "全国": "national", "省": "province", "省部级": "province", "市": "city", "地市级": "city", "县": "county",
    "县区级": "county", "区县级": "county", "区级": "county"} | {v: v for v in HardshipFile.Level.values}
CATEGORIES = {label: value for value, label in HardshipFile.Category.choices} | {
    "深度": "deep", "深困": "deep", "相对": "relative", "意外": "accident"} | {
    v: v for v in HardshipFile.Category.values}
_SEPARATORS = re.compile(r"[、,，;；/／\s]+")
GUIDE = [
    "困难职工档案导入说明",
    "1. 第一行为列名，列的顺序不限；“会员证号”（也可写作“会员编号”）和“身份证号”至少填写一项，用于查找会员。",
    "2. 只能为本工会及下级工会的在会会员建档；本工会及下级工会中查不到的会员不能导入。",
    f"3. 必填列：{'、'.join(REQUIRED)}，以及“家庭月收入”或“家庭人均月收入”之一。",
    "4. 档案级别：全国级、省级、市级、县级；困难类别：深度困难、相对困难、意外致困。",
    "5. 致困原因可填写多项，用顿号、逗号或分号分隔，如“因病、因残”。",
    "6. 日期写作 2024-03-15；下次复核日期不填时为建档日期后一年。",
    f"7. 一人一档：已有在档档案的职工不能再次导入，同一人在文件中只能出现一次。家庭成员明细以“{PLACEHOLDER}”占位，"
    "请在年度复核时补全。",
    "8. 有问题的行不导入，其余的行照常导入；完成后可下载错误文件，按“错误说明”修改后重新导入。",
]


# Checking a row ---------------------------------------------------------------------------------

class _Reader:
    """The columns of one file: field → (its column name as in the file, index)."""

    def __init__(self, header: list[str]):
        self.columns: dict[str, tuple[str, int]] = {}
        for i, cell in enumerate(header):
            name = header_label(cell)
            if name in COLUMNS:
                self.columns.setdefault(COLUMNS[name], (cell, i))

    def has(self, name: str) -> bool:
        return name in self.columns

    def column(self, name: str) -> str:
        return self.columns[name][0] if name in self.columns else _default_column(name)

    def raw(self, row: Row, name: str):
        if name not in self.columns:
            return None
        i = self.columns[name][1]
        return row.cells[i] if i < len(row.cells) else None

    def text(self, row: Row, name: str) -> str:
        return unicodedata.normalize("NFKC", cell_text(self.raw(row, name))).strip()


def _default_column(name: str) -> str:
    return next(column for column, f in COLUMNS.items() if f == name)


def _check_columns(reader: _Reader) -> None:
    missing = [c for c in REQUIRED if not reader.has(COLUMNS[c])]
    if not reader.has("member_number") and not reader.has("id_number"):
        missing.insert(0, "会员证号或身份证号")
    if not reader.has("household_income") and not reader.has("per_capita_income"):
        missing.append("家庭月收入或家庭人均月收入")
    if missing:
        raise ImportFileError(f"缺少必填列：{'、'.join(missing)}。请使用导入模板，列名可以是："
                              f"{'、'.join(TEMPLATE_COLUMNS)}。")


def _find_member(row: Row, reader: _Reader, by) -> None:
    """The member by 会员证号 and/or 身份证号, inside `by`'s subtree; a member elsewhere is reported
    like one that does not exist."""
    members = visible_to(by, Member.objects.select_related("org"))
    found = {}
    number = reader.text(row, "member_number").upper()
    if number:
        found["member_number"] = members.filter(member_number=number).first()
        if found["member_number"] is None:
            row.reject(reader.column("member_number"), f"本工会及下级工会中没有会员证号为 {number} 的会员。")
    raw_id = reader.raw(row, "id_number")
    if cell_text(raw_id):
        try:
            index = id_index_of(raw_id)
        except DomainError as e:
            row.reject(reader.column("id_number"), e.message)
        else:
            found["id_number"] = members.filter(id_index=index).first()
            if found["id_number"] is None:
                row.reject(reader.column("id_number"), "本工会及下级工会中没有该身份证号的会员。")
    if not number and not cell_text(raw_id):
        column = reader.column("member_number" if reader.has("member_number") else "id_number")
        row.reject(column, "请填写会员证号或身份证号。")
        return
    members_found = {m.pk: m for m in found.values() if m is not None}
    if len(members_found) > 1:
        row.reject(reader.column("id_number"), "会员证号与身份证号不是同一名会员，请核对。")
        return
    if row.problems or not members_found:
        return
    member = row.values["member"] = next(iter(members_found.values()))
    name = reader.text(row, "name")
    if name and _name(name) != _name(member.name):
        row.reject(reader.column("name"), "姓名与会员信息不一致，请核对会员证号或身份证号。")


def _name(text: str) -> str:
    try:
        return personname.normalize_name(text)
    except DomainError:
        return text


def _check_values(row: Row, reader: _Reader, today: datetime.date) -> None:
    v = row.values
    level = reader.text(row, "level")
    v["level"] = LEVELS.get(level.replace(" ", ""))
    if v["level"] is None:
        row.reject(reader.column("level"), ("请填写档案级别" if not level else f"档案级别“{level}”无法识别")
                   + "，应为：全国级、省级、市级或县级。")
    category = reader.text(row, "category")
    v["category"] = CATEGORIES.get(category.replace(" ", ""))
    if v["category"] is None:
        row.reject(reader.column("category"), ("请填写困难类别" if not category else f"困难类别“{category}”无法识别")
                   + "，应为：深度困难、相对困难或意外致困。")
    v["causes"] = [c for c in _SEPARATORS.split(reader.text(row, "causes")) if c]
    v["housing"] = reader.text(row, "housing")
    if len(v["housing"]) > 100:
        row.reject(reader.column("housing"), "住房情况不能超过100个字符。")
    v["measures"] = reader.text(row, "measures")
    _check_household(row, reader)
    _check_dates(row, reader, today)


def _check_household(row: Row, reader: _Reader) -> None:
    v = row.values
    size_text = reader.text(row, "household_size")
    size = None
    try:
        number = Decimal(size_text.removesuffix("人"))
        if number == number.to_integral_value() and 1 <= number <= MAX_HOUSEHOLD:
            size = int(number)
    except ArithmeticError:
        pass
    if size is None:
        problem = "请填写家庭人口" if not size_text else f"家庭人口“{size_text}”无效"
        row.reject(reader.column("household_size"), f"{problem}，应为 1 至 {MAX_HOUSEHOLD} 的整数（含本人）。")
    incomes = {}
    for name in ("household_income", "per_capita_income"):
        if reader.text(row, name):
            try:
                incomes[name] = parse_yuan(reader.text(row, name), label=reader.column(name))
            except DomainError as e:
                row.reject(reader.column(name), e.message)
                return
    if not incomes:
        row.reject(reader.column("household_income" if reader.has("household_income") else "per_capita_income"),
                   "请填写家庭月收入或家庭人均月收入（元）。")
        return
    if size is None:
        return
    total = incomes.get("household_income")
    if total is None:
        total = incomes["per_capita_income"] * size
    elif "per_capita_income" in incomes and actions.per_capita_income(total, size) != incomes["per_capita_income"]:
        row.reject(reader.column("per_capita_income"),
                   f"家庭人均月收入应为家庭月收入÷家庭人口＝{actions.per_capita_income(total, size)} 元，请核对。")
        return
    v["household_size"], v["household_income"] = size, total


def _check_dates(row: Row, reader: _Reader, today: datetime.date) -> None:
    v = row.values
    try:
        v["opened_on"] = dates.parse_date(reader.raw(row, "opened_on"), field_label="建档日期")
    except DomainError as e:
        row.reject(reader.column("opened_on"), e.message)
        v["opened_on"] = None
    else:
        if v["opened_on"] > today:
            row.reject(reader.column("opened_on"), "建档日期不能晚于今天。")
    v["review_due"] = None
    if cell_text(reader.raw(row, "review_due")):
        try:
            v["review_due"] = dates.parse_date(reader.raw(row, "review_due"), field_label="下次复核日期")
        except DomainError as e:
            row.reject(reader.column("review_due"), e.message)
            return
        if v["opened_on"] and v["review_due"] <= v["opened_on"]:
            row.reject(reader.column("review_due"), "下次复核日期应晚于建档日期。")


# Writing ----------------------------------------------------------------------------------------

def _write_one(row: Row, reader: _Reader, by) -> HardshipFile | None:
    """Open the row's file through the action in its own savepoint (一人一档 applies as everywhere)."""
    v = row.values
    try:
        with transaction.atomic():
            return actions.open_file(
                member=v["member"], level=v["level"], category=v["category"], by=by, causes=v["causes"],
                household=actions.placeholder_household(v["member"], v["household_size"], v["household_income"]),
                housing=v["housing"], measures=v["measures"], opened_on=v["opened_on"], review_due=v["review_due"])
    except DomainError as e:
        column = {"level": "level", "category": "category", "household": "household_income"}.get(e.field or "")
        row.reject(reader.column(column) if column else _member_column(reader), e.message)
        return None


def _member_column(reader: _Reader) -> str:
    return reader.column("member_number" if reader.has("member_number") else "id_number")


@dataclass
class _Context:
    by: object
    reader: _Reader
    today: datetime.date


def _prepare(header: list[str], *, by) -> _Context:
    if not actions.may_manage(by):
        raise ImportFileError("您没有导入困难职工档案的权限。")
    reader = _Reader(header)
    _check_columns(reader)
    return _Context(by=by, reader=reader, today=timezone.localdate())


def _check(rows: list[Row], ctx: _Context) -> None:
    """The member of each row in the importer's subtree, its values, and one row per person."""
    if len(rows) > MAX_ROWS:
        raise ImportFileError(f"单个文件最多 {MAX_ROWS} 行，本文件有 {len(rows)} 行，请分成几个文件导入。")
    first_row: dict[int, int] = {}
    for row in rows:
        _find_member(row, ctx.reader, ctx.by)
        _check_values(row, ctx.reader, ctx.today)
        member = row.values.get("member")
        if member is not None and not row.problems:  # the first row of a person that could be imported
            if member.pk in first_row:
                row.reject(_member_column(ctx.reader), f"与第{first_row[member.pk]}行是同一名会员（一人一档），"
                                                       "不能重复导入。")
            else:
                first_row[member.pk] = row.number


def _write(rows: list[Row], ctx: _Context, result: ImportResult, progress: Callable[[int], None]) -> None:
    for done, row in enumerate(rows, start=1):
        row.written = _write_one(row, ctx.reader, ctx.by)
        if row.written is not None:
            result.imported += 1
        progress(done)


HARDSHIP = imports.Importer(
    kind=KIND, noun="困难职工档案", suffixes=SUFFIXES, max_bytes=MAX_UPLOAD_BYTES, counts="导入 {imported} 份档案",
    modes=True, prepare=_prepare, check=_check, write=_write,
    urls={"page": "admin:hardship_hardshipfile_import", "status": "admin:hardship_hardshipfile_import_result",
          "errors": "admin:hardship_hardshipfile_import_errors",
          "template": "admin:hardship_hardshipfile_import_template", "list": "admin:hardship_hardshipfile_changelist"},
)


def import_rows(header: list[str], raw_rows: list[tuple[int, list]], *, by, filename: str = "",
                mode: str = imports.VALID_ONLY) -> ImportResult:
    """Import hardship files from (header, [(excel_row, cells)]) as `by`, into its subtree. Raises
    ImportFileError when a required column is missing or `by` may not open files."""
    return imports.import_rows(HARDSHIP, header, raw_rows, by=by, mode=mode, filename=filename)


def import_file(data: bytes, filename: str, *, by, mode: str = imports.VALID_ONLY) -> ImportResult:
    header, rows = HARDSHIP.read(data, filename)
    return import_rows(header, rows, by=by, filename=filename, mode=mode)


# The back-office run ----------------------------------------------------------------------------

def run_import(*, upload, by, mode: str = imports.VALID_ONLY) -> ImportJob:
    """Import an uploaded file now (hardship sheets are small: hundreds of rows) and record the run as an
    ImportJob of `by`, with its summary and, if rows were rejected, the error workbook stored encrypted."""
    return imports.run_in_request(HARDSHIP, upload=upload, by=by, mode=mode)


# The template ------------------------------------------------------------------------------------

def template_workbook() -> bytes:
    """The import template: the headers (required ones in red), text-formatted number columns, date columns,
    dropdowns for level and category, and a sheet of instructions. No example row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "困难职工档案"
    guide = wb.create_sheet("填写说明")
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    lists = {"档案级别": HardshipFile.Level.labels, "困难类别": HardshipFile.Category.labels}
    for col, label in enumerate(TEMPLATE_COLUMNS, start=1):
        cell = ws.cell(row=1, column=col, value=label)
        cell.font = Font(bold=True, color="C00000") if label in REQUIRED else Font(bold=True)
        cell.fill = header_fill
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = 22 if label in ("会员证号", "身份证号", "帮扶措施", "致困原因") else 14
        fmt = "@" if label in ("会员证号", "身份证号") else "yyyy-mm-dd" if label.endswith("日期") else None
        if fmt:
            ws.column_dimensions[letter].number_format = fmt
            for row in range(2, 502):  # also on the cells: some programs ignore a column's format
                ws.cell(row=row, column=col).number_format = fmt
        if label in lists:
            validation = DataValidation(type="list", formula1='"' + ",".join(lists[label]) + '"', allow_blank=True,
                                        showErrorMessage=True, errorTitle=label,
                                        error=f"请从下拉列表选择{label}。")
            validation.add(f"{letter}2:{letter}1048576")
            ws.add_data_validation(validation)
    ws.freeze_panes = "A2"
    write_guide(guide, GUIDE, width=110)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
