"""The unit enrolment list from Excel (参保名单导入): columns 姓名 and 身份证号 or 会员证号 (会员编号), matched to
the active members of the enrolling union's subtree that the uploading account may see.

As the member import does by default (只导入正确的行), the rows that match go on to the enrolment's preview
and the rows that do not are rejected into an error workbook — the file's own header and rows (cells as read,
dates staying dates), a 错误说明 column "第N行：【列】问题" naming each column as the file names it, and the
faulty cells highlighted, the same as the member and hardship imports'. The rejected rows are kept for their
download link as an ImportJob of kind `KIND`, the workbook stored encrypted as every import stores its own
(`keep_rejected`, `ImportJob.store_error_file` / `read_error_file`). The enrolment itself is then confirmed
all or nothing (`actions.enrol`).

A row naming someone outside the subtree gets the same message as one naming nobody: the list learns
nothing about other unions' members. No ID number appears in a message."""

from dataclasses import dataclass, field
from pathlib import Path

from gonghui.common.errors import DomainError
from gonghui.common.excel import (
    ExcelError,
    build_workbook,
    cell_text,
    error_workbook,
    header_label,
    read_rows,
)
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
WHOLE_ROW = "整行"
SUFFIXES = (".xlsx", ".csv")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
SHOWN_ERRORS = 200  # on the page; the error workbook has them all


@dataclass
class RowError:
    row: int  # as Excel shows it
    column: str  # as the file names it, or 整行
    message: str


@dataclass
class EnrolmentList:
    header: list[str]  # the file's header cells, as read
    members: list[Member] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rejected: list[tuple[int, list, list[tuple[str, str]]]] = field(default_factory=list)  # (row, cells, problems)
    rows: int = 0

    def summary(self) -> dict:
        return {"rows": self.rows, "rejected": len(self.rejected), "errors": [
            {"row": e.row, "column": e.column, "message": e.message} for e in self.errors[:SHOWN_ERRORS]]}

    def error_workbook(self) -> bytes:
        return error_workbook(self.header, self.rejected)


def template_workbook() -> bytes:
    return build_workbook("参保名单", [NAME, ID, NUMBER], [])


def read_enrolment_list(data: bytes, filename: str, *, org: Org, by, plan: Plan | None = None) -> EnrolmentList:
    """The members a list names among those of `org`'s subtree that `by` may see, and its rejected rows.
    A file that cannot be read at all (lacks the columns, has too many rows) raises DomainError. The upload's
    type and size are checked before it is read (`views.EnrolForm`)."""
    try:
        header, rows = read_rows(data, filename)
    except ExcelError as e:
        raise DomainError(str(e), field="file") from None
    columns: dict[str, tuple[str, int]] = {}  # NAME / ID / NUMBER → (the column as the file names it, index)
    for i, cell in enumerate(header):
        if header_label(cell) in COLUMNS:
            columns.setdefault(COLUMNS[header_label(cell)], (cell, i))
    if NAME not in columns or (ID not in columns and NUMBER not in columns):
        raise DomainError("名单须有“姓名”列，以及“身份证号”或“会员证号”列（第一行为表头）。", field="file")
    if len(rows) > actions.ENROLMENT_LIMIT:
        raise DomainError(f"一次参保最多{actions.ENROLMENT_LIMIT}人，请分批导入。", field="file")
    result = EnrolmentList(header=header, rows=len(rows))

    def raw(cells, column):
        i = columns[column][1] if column in columns else None
        return cells[i] if i is not None and i < len(cells) else None

    def named(column):
        return columns[column][0] if column in columns else column

    # Parse, then look everyone up in two queries.
    parsed = []  # (number, cells, name, id_index, member_number, problems)
    for number, cells in rows:
        name, member_number = cell_text(raw(cells, NAME)), cell_text(raw(cells, NUMBER)).upper()
        problems, id_index = [], ""
        if not name:
            problems.append((named(NAME), "姓名不能为空。"))
        if cell_text(raw(cells, ID)):
            try:
                # The cell as read: a number Excel turned into 1.1E+17 gets the message saying so.
                id_index = id_index_of(raw(cells, ID))
            except DomainError as e:
                problems.append((named(ID), e.message))
        elif not member_number:
            problems.append((WHOLE_ROW, "请填写身份证号或会员证号。"))
        parsed.append((number, cells, name, id_index, member_number, problems))
    subtree = visible_to(by, Member.objects.subtree(org)).select_related("org")
    by_index = {m.id_index: m for m in subtree.filter(id_index__in=[p[3] for p in parsed if p[3]])}
    by_number = {m.member_number: m for m in subtree.filter(member_number__in=[p[4] for p in parsed if p[4]])}
    covered = set()
    if plan is not None:
        found = [m.pk for m in (*by_index.values(), *by_number.values())]
        covered = set(Coverage.objects.filter(plan=plan, member__in=found).values_list("member_id", flat=True))
    seen: dict[int, int] = {}
    for number, cells, name, id_index, member_number, problems in parsed:
        member = None
        if not problems:
            member = by_index.get(id_index) if id_index else by_number.get(member_number)
            if member is None or member.name != name or (id_index and member_number
                                                         and member.member_number != member_number):
                problems.append((named(ID if id_index else NUMBER),
                                 f"在{org.name}及下级工会的会员中未找到该会员（姓名与证件号或会员证号不符）。"))
            elif member.status != Member.Status.ACTIVE:
                problems.append((WHOLE_ROW, f"会籍状态为“{member.get_status_display()}”，不是在会会员。"))
            elif member.pk in seen:
                problems.append((WHOLE_ROW, f"与第{seen[member.pk]}行是同一会员。"))
            elif member.pk in covered:
                problems.append((WHOLE_ROW, "已参加该计划，不能重复参保。"))
        if problems:
            result.errors += [RowError(number, column, message) for column, message in problems]
            result.rejected.append((number, cells, problems))
        else:
            seen[member.pk] = number
            result.members.append(member)
    return result


def keep_rejected(listing: EnrolmentList, *, filename: str, by) -> ImportJob | None:
    """The rejected rows of `by`'s uploaded list, kept for the page's download link: an ImportJob of `by`
    (scoped to its union's subtree like every import run) with the summary and the error workbook stored
    encrypted. None when every row matched."""
    if not listing.rejected:
        return None
    job = ImportJob.objects.create(kind=KIND, created_by=by, org=by.org, filename=Path(filename).name[:200],
                                   status=ImportJob.Status.RUNNING, total=listing.rows)
    job.store_error_file(listing.error_workbook(), name="mutualaid-errors")
    job.finish(ImportJob.Status.DONE, listing.summary(), done=listing.rows)
    return job
