"""The unit enrolment list from Excel (参保名单导入): columns 姓名 and 身份证号 or 会员证号 (会员编号), matched to
the active members of the enrolling union's subtree that the uploading account may see. Declared on the one
import pipeline (`common.imports`) as `ENROLMENT`, whose write only takes the matched members.

As the member import does by default (只导入正确的行), the rows that match go on to the enrolment's preview
and the rows that do not are rejected into an error workbook — the file's own header and rows (cells as read,
dates staying dates), a 错误说明 column "第N行：【列】问题" naming each column as the file names it, and the
faulty cells highlighted, the same as the member and hardship imports'. The rejected rows are kept for their
download link as an ImportJob of kind `KIND`, the workbook stored encrypted as every import stores its own
(`keep_rejected`, `ImportJob.store_error_file` / `read_error_file`). The enrolment itself is then confirmed
all or nothing (`actions.enrol`).

A row naming someone outside the subtree gets the same message as one naming nobody: the list learns
nothing about other unions' members. No ID number appears in a message."""

from collections.abc import Callable
from dataclasses import dataclass

from gonghui.common import imports
from gonghui.common.errors import DomainError
from gonghui.common.excel import build_workbook, cell_text, header_label
from gonghui.common.imports import WHOLE_ROW, ImportFileError, ImportResult, Row
from gonghui.common.models import ImportJob
from gonghui.members.models import Member
from gonghui.members.queries import id_index_of
from gonghui.orgs.models import Org
from gonghui.orgs.queries import visible_to

from . import actions
from .models import Coverage, Plan

KIND = "mutualaid_enrol"  # ImportJob.kind of an uploaded list's rejected rows
NAME, ID, NUMBER = "姓名", "身份证号", "会员证号"
COLUMNS = {"姓名": NAME, "身份证号": ID, "证件号码": ID, "会员证号": NUMBER, "会员编号": NUMBER}  # as compared
SUFFIXES = (".xlsx", ".csv")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def template_workbook() -> bytes:
    return build_workbook("参保名单", [NAME, ID, NUMBER], [])


@dataclass
class _Context:
    by: object
    org: Org
    plan: Plan | None
    columns: dict[str, tuple[str, int]]  # NAME / ID / NUMBER → (the column as the file names it, index)

    def raw(self, row: Row, column: str):
        i = self.columns[column][1] if column in self.columns else None
        return row.cells[i] if i is not None and i < len(row.cells) else None

    def named(self, column: str) -> str:
        return self.columns[column][0] if column in self.columns else column


def _prepare(header: list[str], *, by, org: Org, plan: Plan | None = None) -> _Context:
    columns: dict[str, tuple[str, int]] = {}
    for i, cell in enumerate(header):
        if header_label(cell) in COLUMNS:
            columns.setdefault(COLUMNS[header_label(cell)], (cell, i))
    if NAME not in columns or (ID not in columns and NUMBER not in columns):
        raise ImportFileError("名单须有“姓名”列，以及“身份证号”或“会员证号”列（第一行为表头）。")
    return _Context(by=by, org=org, plan=plan, columns=columns)


def _check(rows: list[Row], ctx: _Context) -> None:
    """Parse every row, then look everyone up in two queries (and the plan's coverage in a third)."""
    if len(rows) > actions.ENROLMENT_LIMIT:
        raise ImportFileError(f"一次参保最多{actions.ENROLMENT_LIMIT}人，请分批导入。")
    for row in rows:
        name, number = cell_text(ctx.raw(row, NAME)), cell_text(ctx.raw(row, NUMBER)).upper()
        row.values.update(name=name, number=number, id_index="")
        if not name:
            row.reject(ctx.named(NAME), "姓名不能为空。")
        if cell_text(ctx.raw(row, ID)):
            try:
                # The cell as read: a number Excel turned into 1.1E+17 gets the message saying so.
                row.values["id_index"] = id_index_of(ctx.raw(row, ID))
            except DomainError as e:
                row.reject(ctx.named(ID), e.message)
        elif not number:
            row.reject(WHOLE_ROW, "请填写身份证号或会员证号。")
    subtree = visible_to(ctx.by, Member.objects.subtree(ctx.org)).select_related("org")
    by_index = {m.id_index: m for m in subtree.filter(id_index__in=[r.values["id_index"] for r in rows
                                                                    if r.values["id_index"]])}
    by_number = {m.member_number: m for m in subtree.filter(member_number__in=[r.values["number"] for r in rows
                                                                               if r.values["number"]])}
    covered = set()
    if ctx.plan is not None:
        found = [m.pk for m in (*by_index.values(), *by_number.values())]
        covered = set(Coverage.objects.filter(plan=ctx.plan, member__in=found).values_list("member_id", flat=True))
    seen: dict[int, int] = {}
    for row in rows:
        if not row.problems:
            _match(row, ctx, by_index, by_number, covered, seen)


def _match(row: Row, ctx: _Context, by_index: dict, by_number: dict, covered: set, seen: dict[int, int]) -> None:
    v = row.values
    member = by_index.get(v["id_index"]) if v["id_index"] else by_number.get(v["number"])
    if member is None or member.name != v["name"] or (v["id_index"] and v["number"]
                                                       and member.member_number != v["number"]):
        row.reject(ctx.named(ID if v["id_index"] else NUMBER),
                   f"在{ctx.org.name}及下级工会的会员中未找到该会员（姓名与证件号或会员证号不符）。")
    elif member.status != Member.Status.ACTIVE:
        row.reject(WHOLE_ROW, f"会籍状态为“{member.get_status_display()}”，不是在会会员。")
    elif member.pk in seen:
        row.reject(WHOLE_ROW, f"与第{seen[member.pk]}行是同一会员。")
    elif member.pk in covered:
        row.reject(WHOLE_ROW, "已参加该计划，不能重复参保。")
    else:
        seen[member.pk] = row.number
        v["member"] = member


def _take(rows: list[Row], ctx: _Context, result: ImportResult, progress: Callable[[int], None]) -> None:
    """Nothing is written here: the matched members go on to the enrolment's preview and its confirmation
    (`actions.enrol`, all or nothing)."""
    for row in rows:
        row.written = row.values["member"]
        result.imported += 1
    progress(len(rows))


ENROLMENT = imports.Importer(
    kind=KIND, noun="参保名单", suffixes=SUFFIXES, max_bytes=MAX_UPLOAD_BYTES, counts="匹配 {imported} 人",
    prepare=_prepare, check=_check, write=_take, audited=False,
    urls={"page": "admin:mutualaid_enrolment_add", "errors": "admin:mutualaid_enrolment_errors",
          "template": "admin:mutualaid_enrolment_template"},
)


def read_enrolment_list(data: bytes, filename: str, *, org: Org, by, plan: Plan | None = None) -> ImportResult:
    """The members a list names among those of `org`'s subtree that `by` may see (`written`), and its
    rejected rows. A file that cannot be read at all (lacks the columns, has too many rows) raises
    DomainError. The upload's type and size are checked before it is read (`views.EnrolForm`)."""
    try:
        header, rows = ENROLMENT.read(data, filename)
        return imports.import_rows(ENROLMENT, header, rows, by=by, filename=filename, org=org, plan=plan)
    except ImportFileError as e:
        raise DomainError(str(e), field="file") from None


def keep_rejected(listing: ImportResult, *, filename: str, by) -> ImportJob | None:
    """The rejected rows of `by`'s uploaded list, kept for the page's download link: an ImportJob of `by`
    (scoped to its union's subtree like every import run) with the summary and the error workbook stored
    encrypted. None when every row matched."""
    if not listing.rejected:
        return None
    return imports.keep_run(ENROLMENT, listing, by=by, filename=filename)
