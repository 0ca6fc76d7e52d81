"""The unit enrolment list from Excel (参保名单导入): columns 姓名 and 身份证号 or 会员证号 (会员编号), matched to
the active members of the enrolling union's subtree.

As the member import does by default (只导入正确的行), the rows that match go on to the enrolment's preview
and the rows that do not are rejected into an error workbook — the file's own rows with a 错误说明 column and
the faulty cells highlighted (`common.excel.build_workbook`), the same as the member import's. The enrolment
itself is then confirmed all or nothing (`actions.enrol`).

A row naming someone outside the subtree gets the same message as one naming nobody: the list learns
nothing about other unions' members. No ID number appears in a message."""

from dataclasses import dataclass, field

from gonghui.common import idcard, pii
from gonghui.common.errors import DomainError
from gonghui.common.excel import ExcelError, build_workbook, cell_text, read_rows
from gonghui.members.models import Member
from gonghui.orgs.models import Org

from .models import Coverage, Plan

NAME, ID, NUMBER = "姓名", "身份证号", "会员证号"
ALIASES = {"会员编号": NUMBER, "证件号码": ID}
ERROR_COLUMN = "错误说明"
WHOLE_ROW = "整行"
MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024


@dataclass
class RowError:
    row: int  # as Excel shows it
    column: str
    message: str


@dataclass
class EnrolmentList:
    header: list[str]
    members: list[Member] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rejected: list[tuple[int, list]] = field(default_factory=list)  # (row number, cells) of the rejected rows
    rows: int = 0

    def error_workbook(self) -> bytes:
        """The rejected rows as they were in the file, with a 错误说明 column; faulty cells highlighted."""
        columns = {name: i for i, name in reversed(list(enumerate(self.header)))}
        by_row: dict[int, list[RowError]] = {}
        for e in self.errors:
            by_row.setdefault(e.row, []).append(e)
        out, cells_marked = [], {}
        for r, (number, cells) in enumerate(self.rejected):
            cells = [cell_text(c) for c in cells][: len(self.header)]
            cells += [""] * (len(self.header) - len(cells))
            errors = by_row[number]
            out.append(cells + [f"第{number}行：" + "；".join(f"【{e.column}】{e.message}" for e in errors)])
            cells_marked[r] = sorted({columns[e.column] for e in errors if e.column in columns} | {len(self.header)})
        return build_workbook("导入错误", self.header + [ERROR_COLUMN], out, error_cells=cells_marked)


def template_workbook() -> bytes:
    return build_workbook("参保名单", [NAME, ID, NUMBER], [])


def read_enrolment_list(data: bytes, filename: str, *, org: Org, plan: Plan | None = None) -> EnrolmentList:
    """The members a list names, and its rejected rows. A file that cannot be read at all (or lacks the
    columns) raises DomainError."""
    if len(data) > MAX_BYTES:
        raise DomainError("文件不能超过 10 MB；名单较大时请分批导入。", field="file")
    try:
        header, rows = read_rows(data, filename)
    except ExcelError as e:
        raise DomainError(str(e), field="file") from None
    index = {}
    for i, name in enumerate(header):
        name = ALIASES.get(name.replace(" ", ""), name.replace(" ", ""))
        index.setdefault(name, i)
    if NAME not in index or (ID not in index and NUMBER not in index):
        raise DomainError("名单须有“姓名”列，以及“身份证号”或“会员证号”列（第一行为表头）。", field="file")
    if len(rows) > MAX_ROWS:
        raise DomainError(f"一次最多导入{MAX_ROWS}行，请分批导入。", field="file")
    result = EnrolmentList(header=header, rows=len(rows))

    def raw(cells, column):
        i = index.get(column)
        return cells[i] if i is not None and i < len(cells) else None

    def value(cells, column):
        return cell_text(raw(cells, column))

    # Parse, then look everyone up in two queries.
    parsed = []  # (number, cells, name, id_index, member_number, problems)
    for number, cells in rows:
        name, raw_id, member_number = value(cells, NAME), value(cells, ID), value(cells, NUMBER).upper()
        problems, id_index = [], ""
        if not name:
            problems.append((NAME, "姓名不能为空。"))
        if raw_id:
            try:
                # The cell as read: a number Excel turned into 1.1E+17 gets the message saying so.
                id_index = pii.blind_index(idcard.parse(raw(cells, ID)).number, purpose="id_number")
            except DomainError as e:
                problems.append((ID, e.message))
        elif not member_number:
            problems.append((WHOLE_ROW, "请填写身份证号或会员证号。"))
        parsed.append((number, cells, name, id_index, member_number, problems))
    subtree = Member.objects.subtree(org).select_related("org")
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
            column = ID if id_index else NUMBER
            if member is None or member.name != name or (id_index and member_number
                                                         and member.member_number != member_number):
                problems.append((column, f"在{org.name}及下级工会的会员中未找到该会员（姓名与证件号或会员证号不符）。"))
            elif member.status != Member.Status.ACTIVE:
                problems.append((WHOLE_ROW, f"会籍状态为“{member.get_status_display()}”，不是在会会员。"))
            elif member.pk in seen:
                problems.append((WHOLE_ROW, f"与第{seen[member.pk]}行是同一会员。"))
            elif member.pk in covered:
                problems.append((WHOLE_ROW, "已参加该计划，不能重复参保。"))
        if problems:
            result.errors += [RowError(number, column, message) for column, message in problems]
            result.rejected.append((number, cells))
        else:
            seen[member.pk] = number
            result.members.append(member)
    return result
