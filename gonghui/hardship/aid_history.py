"""The import of past aid payments (历史帮扶发放记录导入): a federation that starts using the system mid-year
brings in what it paid before, so that its figures (发放帮扶资金, 受帮扶困难职工) cover the whole year.

It lives with hardship rather than the ledger because the kinds are the aid program's (帮扶类别 of 所属业务
困难帮扶) and the ledger, an engine, never names a program; the ledger keeps the write itself
(`ledger.actions.record_history`), so a history entry obeys the ledger's rules and its running book.

Through the one import pipeline (`common.imports`): every row is checked first, in batch look-ups — the
person by the ID number's blind index **in the importer's subtree only** (one elsewhere is reported like
one that does not exist), the name against the record, the kind (name or code), the amount, the date, the
fund source, the paying union by its code (also in the subtree) — then each good row is written in its own
transaction. A row already imported (the same person, kind, amount, date and paying union: the ledger's
`history_key`) is rejected with a note, never written twice, so the same file imported again adds nothing.
Rejected rows go into the encrypted error workbook with the reasons."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from gonghui.common import dates, imports, personname
from gonghui.common.errors import DomainError
from gonghui.common.excel import cell_text, header_label, write_guide
from gonghui.common.imports import WHOLE_ROW, ImportFileError, ImportResult, Row
from gonghui.common.models import ImportJob
from gonghui.common.money import parse_yuan
from gonghui.ledger import actions as ledger
from gonghui.ledger.models import Approval, FundSource, PaymentKind
from gonghui.members.models import Member
from gonghui.members.queries import id_index_of
from gonghui.orgs.models import Org
from gonghui.orgs.queries import visible_to

KIND = "aid_history"  # ImportJob.kind
PROGRAM = "aid"  # the kinds this import takes: the aid program's (hooks.py registers it with the ledger)
SUFFIXES = (".xlsx",)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 5000  # imported in the request, a row per transaction: larger files are split

NAME, ID, KIND_COL, AMOUNT, PAID_ON, SOURCE, ORG, NOTE = (
    "姓名", "身份证号", "帮扶类别", "金额（元）", "发放日期", "资金来源", "发放工会", "备注")
TEMPLATE_COLUMNS = [NAME, ID, KIND_COL, AMOUNT, PAID_ON, SOURCE, ORG, NOTE]
REQUIRED = TEMPLATE_COLUMNS[:-1]
# Column as written in a file (header_label: NFKC, spaces removed) → the column it is.
COLUMNS = {header_label(c): c for c in TEMPLATE_COLUMNS} | {
    "金额": AMOUNT, "金额(元)": AMOUNT, "发放金额": AMOUNT, "发放金额(元)": AMOUNT, "公民身份号码": ID,
    "发放工会代码": ORG, "工会代码": ORG, "组织代码": ORG, "类别": KIND_COL}
GUIDE = [
    "历史帮扶发放记录导入说明",
    "1. 用于导入启用本系统之前已经发放的帮扶资金，导入后计入“发放帮扶资金”“受帮扶困难职工”等统计，"
    "在台账分录中标记为“历史导入”。",
    f"2. 第一行为列名，列的顺序不限；必填列：{'、'.join(REQUIRED)}；“备注”可不填。",
    "3. 只能导入本工会及下级工会会员的记录；按身份证号查找会员，姓名须与会员信息一致。",
    "4. 帮扶类别填写名称或代码，如“生活救助”“医疗救助”“送温暖”；资金来源填写名称或代码，如“中央财政帮扶资金”。",
    "5. 发放工会填写组织代码，须为本工会或下级工会。金额以元为单位，最多两位小数；"
    "发放日期写作 2026-03-15，不能晚于今天。",
    "6. 同一人、同一类别、同一金额、同一日期、同一发放工会的记录只计一次：重复导入同一文件不会重复记账；"
    "如同一天确有两笔相同的发放，请合并为一行填写合计金额。",
    "7. 有问题的行不导入，其余的行照常导入；完成后可下载错误文件，按“错误说明”修改后只导入错误文件。",
]


@dataclass
class _Context:
    by: object
    columns: dict[str, tuple[str, int]]  # column → (its name as the file writes it, index)
    today: datetime.date

    def raw(self, row: Row, column: str):
        i = self.columns[column][1] if column in self.columns else None
        return row.cells[i] if i is not None and i < len(row.cells) else None

    def text(self, row: Row, column: str) -> str:
        return cell_text(self.raw(row, column))

    def named(self, column: str) -> str:
        return self.columns[column][0] if column in self.columns else column


def _prepare(header: list[str], *, by) -> _Context:
    if not ledger.may_import_history(by):
        raise ImportFileError("您没有导入历史帮扶发放记录的权限（须为经办人或单位管理员）。")
    columns: dict[str, tuple[str, int]] = {}
    for i, cell in enumerate(header):
        if header_label(cell) in COLUMNS:
            columns.setdefault(COLUMNS[header_label(cell)], (cell, i))
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ImportFileError(f"缺少必填列：{'、'.join(missing)}。"
                              f"请使用导入模板，列名为：{'、'.join(TEMPLATE_COLUMNS)}。")
    return _Context(by=by, columns=columns, today=timezone.localdate())


def _options(model) -> dict[str, object]:
    """name or code → option; the kinds of this program only. Switched-off options count: the payment was
    made when they were in use."""
    options = model.objects.filter(program=PROGRAM) if model is PaymentKind else model.objects.all()
    return {key: o for o in options for key in (o.name, o.code, o.code.upper())}


def _parse(row: Row, ctx: _Context, kinds: dict, sources: dict) -> None:
    """The row's own values, before any look-up of people and unions."""
    v = row.values
    v["name"] = ctx.text(row, NAME)
    if not v["name"]:
        row.reject(ctx.named(NAME), "请填写姓名。")
    v["id_index"] = ""
    if not ctx.text(row, ID):
        row.reject(ctx.named(ID), "请填写身份证号。")
    else:
        try:
            v["id_index"] = id_index_of(ctx.raw(row, ID))  # the cell as read: 1.1E+17 gets its own message
        except DomainError as e:
            row.reject(ctx.named(ID), e.message)
    text = ctx.text(row, KIND_COL)
    v["kind"] = kinds.get(text)
    if v["kind"] is None:
        row.reject(ctx.named(KIND_COL), f"帮扶类别“{text}”不是困难帮扶的类别。" if text else "请填写帮扶类别。")
    text = ctx.text(row, SOURCE)
    v["fund_source"] = sources.get(text)
    if v["fund_source"] is None:
        row.reject(ctx.named(SOURCE), f"资金来源“{text}”无法识别。" if text else "请填写资金来源。")
    try:
        v["amount"] = parse_yuan(ctx.text(row, AMOUNT), label=ctx.named(AMOUNT))
        if v["amount"] <= 0:
            row.reject(ctx.named(AMOUNT), "金额应大于 0 元。")
    except DomainError as e:
        row.reject(ctx.named(AMOUNT), e.message)
    try:
        v["paid_on"] = dates.parse_date(ctx.raw(row, PAID_ON), field_label=ctx.named(PAID_ON))
    except DomainError as e:
        row.reject(ctx.named(PAID_ON), e.message)
    else:
        if v["paid_on"] > ctx.today:
            row.reject(ctx.named(PAID_ON), "发放日期不能晚于今天。")
        elif v["paid_on"] < ledger.HISTORY_SINCE:
            row.reject(ctx.named(PAID_ON), f"发放日期不能早于 {ledger.HISTORY_SINCE:%Y-%m-%d}。")
    v["org_code"] = ctx.text(row, ORG).upper()
    if not v["org_code"]:
        row.reject(ctx.named(ORG), "请填写发放工会的组织代码。")
    v["note"] = ctx.text(row, NOTE)
    if len(v["note"]) > 200:
        row.reject(ctx.named(NOTE), "备注不能超过200个字符。")


def _same_name(typed: str, member: Member) -> bool:
    try:
        return personname.normalize_name(typed) == personname.normalize_name(member.name)
    except DomainError:
        return typed == member.name


def _check(rows: list[Row], ctx: _Context) -> None:
    """Each row's values, then the people, the unions and the rows already imported in three queries."""
    if len(rows) > MAX_ROWS:
        raise ImportFileError(f"单个文件最多 {MAX_ROWS} 行，本文件有 {len(rows)} 行，请分成几个文件导入。")
    kinds, sources = _options(PaymentKind), _options(FundSource)
    for row in rows:
        _parse(row, ctx, kinds, sources)
    indexes = {r.values["id_index"] for r in rows if r.values.get("id_index")}
    members = {m.id_index: m for m in visible_to(ctx.by, Member).filter(id_index__in=indexes).select_related("org")}
    codes = {r.values["org_code"] for r in rows if r.values.get("org_code")}
    orgs = {o.code: o for o in visible_to(ctx.by, Org).filter(code__in=codes)}
    for row in rows:
        v = row.values
        member, org = members.get(v["id_index"]), orgs.get(v["org_code"])
        if v["id_index"] and member is None:
            row.reject(ctx.named(ID), "本工会及下级工会中没有该身份证号的会员。")
        elif member is not None and v["name"] and not _same_name(v["name"], member):
            row.reject(ctx.named(NAME), "姓名与该身份证号的会员信息不一致，请核对。")
        if v["org_code"] and org is None:
            row.reject(ctx.named(ORG), f"本工会及下级工会中没有组织代码为 {v['org_code']} 的工会。")
        if not row.problems:
            v["member"], v["org"] = member, org
            v["key"] = ledger.history_key(id_index=v["id_index"], kind=v["kind"], amount=v["amount"],
                                          paid_on=v["paid_on"], org=org)
    keyed = [r for r in rows if "key" in r.values]
    taken = set(Approval.objects.filter(source__in=[r.values["key"] for r in keyed]).values_list("source", flat=True))
    first: dict[str, int] = {}
    for row in keyed:
        key = row.values["key"]
        if key in taken:
            row.reject(WHOLE_ROW, ledger.HISTORY_ALREADY)
        elif key in first:
            row.reject(WHOLE_ROW, f"与第{first[key]}行重复（同一人、类别、金额、日期和发放工会），只计一次。")
        else:
            first[key] = row.number


def _write(rows: list[Row], ctx: _Context, result: ImportResult, progress: Callable[[int], None]) -> None:
    for done, row in enumerate(rows, start=1):
        v = row.values
        try:
            row.written = ledger.record_history(
                member=v["member"], org=v["org"], kind=v["kind"], fund_source=v["fund_source"], amount=v["amount"],
                paid_on=v["paid_on"], by=ctx.by, key=v["key"], note=v["note"])
        except DomainError as e:  # e.g. the same row imported by someone else meanwhile
            row.reject(WHOLE_ROW, e.message)
        else:
            result.imported += 1
        progress(done)


AID_HISTORY = imports.Importer(
    kind=KIND, noun="历史帮扶发放记录", suffixes=SUFFIXES, max_bytes=MAX_UPLOAD_BYTES,
    counts="导入 {imported} 笔历史发放", modes=True, prepare=_prepare, check=_check, write=_write,
    urls={"page": "admin:hardship_aid_history_import", "status": "admin:hardship_aid_history_import_result",
          "errors": "admin:hardship_aid_history_import_errors",
          "template": "admin:hardship_aid_history_import_template",
          "list": "admin:ledger_entry_changelist", "list_query": "?is_history__exact=1"},
)


def import_rows(header: list[str], raw_rows: list[tuple[int, list]], *, by, filename: str = "",
                mode: str = imports.VALID_ONLY) -> ImportResult:
    """Import past aid payments from (header, [(excel_row, cells)]) as `by`, into its subtree. Raises
    ImportFileError when a required column is missing or `by` may not import them."""
    return imports.import_rows(AID_HISTORY, header, raw_rows, by=by, mode=mode, filename=filename)


def import_file(data: bytes, filename: str, *, by, mode: str = imports.VALID_ONLY) -> ImportResult:
    header, rows = AID_HISTORY.read(data, filename)
    return import_rows(header, rows, by=by, filename=filename, mode=mode)


def run_import(*, upload, by, mode: str = imports.VALID_ONLY) -> ImportJob:
    """Import an uploaded file now and record the run as an ImportJob of `by` (its summary and, if rows were
    rejected, the error workbook stored encrypted)."""
    return imports.run_in_request(AID_HISTORY, upload=upload, by=by, mode=mode)


def template_workbook() -> bytes:
    """The import template: the headers (required ones in red), text ID and org-code columns, a date column,
    and the instructions with the kinds and fund sources in use. No example row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "历史帮扶发放记录"
    fill = PatternFill("solid", fgColor="DDEBF7")
    for col, label in enumerate(TEMPLATE_COLUMNS, start=1):
        cell = ws.cell(row=1, column=col, value=label)
        cell.font = Font(bold=True, color="C00000") if label in REQUIRED else Font(bold=True)
        cell.fill = fill
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = 22 if label in (ID, NOTE, ORG) else 14
        fmt = "@" if label in (ID, ORG) else "yyyy-mm-dd" if label == PAID_ON else None
        if fmt:
            for row in range(2, 502):
                ws.cell(row=row, column=col).number_format = fmt
    ws.freeze_panes = "A2"
    kinds = "、".join(PaymentKind.objects.filter(program=PROGRAM, active=True).values_list("name", flat=True))
    sources = "、".join(FundSource.objects.filter(active=True).values_list("name", flat=True))
    write_guide(wb.create_sheet("填写说明"), GUIDE + [f"帮扶类别：{kinds}。", f"资金来源：{sources}。"], width=110)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
