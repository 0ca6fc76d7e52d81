"""The member import (会员批量导入): an .xlsx of members with Chinese column names, into one union.

`import_members(path, org=, by=)` does the work for `gonghui import-members`, the back-office task
and tests alike:

1. Read. python-calamine iterates the first sheet's rows; the header (columns in any order, spaces
   ignored, possibly under a title row) is looked for among the first rows. Only the cells of
   rejected rows are kept, spooled to a temporary file, for the error workbook.
2. Check. Each row goes through `facts.clean()` and `actions.protect()`, the validation of the forms
   and the API, in worker processes forked from this one: chunks of rows go out, compact results
   come back (on PostgreSQL the row as a line of COPY text, or the problems) while this process
   reads and writes. Small files are checked in this process.
3. Deduplicate. The first row with an ID number is kept, later ones name it; member numbers alike.
4. Write, in batches. On PostgreSQL a batch is first written optimistically: member numbers issued
   a block at a time, ids taken from the sequence, the members COPYed straight into their table
   (in a savepoint) and a `joined` event each, nobody looked up. The unique indexes over the whole
   table make that safe: if the COPY goes in, nobody in the batch was registered anywhere. If it is
   refused, the batch (and the next ones, until one holds nobody registered) is written the
   careful way: its ID indexes looked up in one query, people active in a union rejected (this
   one: already registered; another: the transfer message, which says nothing about where),
   people whose membership ended rejoining through `actions.join_member`, and the rest COPYed into
   a temporary table and inserted with one INSERT … ON CONFLICT DO NOTHING, so that a person
   imported concurrently elsewhere is rejected, never doubled. Elsewhere (SQLite, which serializes
   writers) always the careful way, with bulk_create.

Modes. valid-only (default): each batch is one transaction that also records the job's progress,
so an interrupted import leaves whole batches that the job reports, never half a row.
all-or-nothing: every row is checked first (the valid ones spooled to disk), then all are written in
one transaction, rolled back if the database refuses any row.

No ID or mobile number appears in a message, the audit entry or the log; the error workbook (the
user's own rows) is stored encrypted.
"""

import datetime
import logging
import multiprocessing
import operator
import os
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from io import BytesIO
from pathlib import Path

import psycopg
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

from gonghui.common import changes, codesets, idcard, imports, pii
from gonghui.common.actors import is_system
from gonghui.common.errors import DomainError
from gonghui.common.excel import cell_text, header_label, write_guide
from gonghui.common.imports import (
    ALL_OR_NOTHING,
    MODES,
    VALID_ONLY,
    WHOLE_ROW,
    ImportFileError,
    ImportResult,
    Spool,
)
from gonghui.common.models import AuditEntry, ImportJob
from gonghui.orgs.models import Org

from . import actions, facts, numbers
from .models import Member, MemberEvent
from .queries import can_edit_members

FIELDS_BY_LABEL = {label: name for name, label in facts.LABELS.items()}
REQUIRED = ("name", "id_number")
TEXT_FIELDS = ("id_number", "mobile", "member_number")  # formatted as text in the template
DATE_FIELDS = ("birth_date", "join_date")
HEADER_SEARCH_ROWS = 10
BATCH_ROWS = 10_000
CHUNK_ROWS = 2_000  # rows per task sent to a worker process
PARALLEL_MIN_BYTES = 256 * 1024  # about 4,000 rows: below this, forking workers costs more than it saves
SUFFIXES = (".xlsx", ".xlsm", ".xls")
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
NOTE = "批量导入"

ALREADY_HERE = "该会员已在本工会登记，无需重复导入。"
NUMBER_TAKEN = "会员证号已被使用，请核对或留空由系统生成。"

# A checked row as a worker sends it back: the stored values in this order.
STORED = ("id_index", "id_number_enc", "id_masked", "mobile_enc", "mobile_masked", "name", "gender", "birth_date",
          "doc_type", "ethnicity", "education", "political_status", "household_type", "is_migrant_worker",
          "worker_group", "join_date", "member_number")

logger = logging.getLogger(__name__)


# Reading ----------------------------------------------------------------------------------------


def _open_sheet(path: Path):
    try:
        return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    except Exception:  # calamine raises several error types for a damaged or encrypted file
        raise ImportFileError("无法读取该 Excel 文件：请确认文件为 .xlsx 格式、没有加密，并且没有损坏。") from None


def _blank(cells: list) -> bool:
    for c in cells:
        if c is not None and c != "" and not (isinstance(c, str) and c.isspace()):
            return False
    return True


def _find_header(rows: Iterator[list]) -> tuple[int, list, dict[str, int], Iterator[tuple[int, list]]]:
    """(its row number, the header cells, field → column index, the data rows as (row number, cells))
    for the first row among the first HEADER_SEARCH_ROWS that names the required columns."""
    head = [cells for _, cells in zip(range(HEADER_SEARCH_ROWS), rows, strict=False)]
    best: tuple[int, dict[str, int]] | None = None
    for i, cells in enumerate(head):
        columns: dict[str, int] = {}
        for j, cell in enumerate(cells):
            name = FIELDS_BY_LABEL.get(header_label(cell))
            if name is not None:
                columns.setdefault(name, j)
        if all(r in columns for r in REQUIRED):
            best = (i, columns)
            break
        if columns and (best is None or len(columns) > len(best[1])):
            best = (i, columns)
    if not any(not _blank(cells) for cells in head):
        raise ImportFileError("文件是空的（第一个工作表没有内容）。")
    expected = "、".join(facts.LABELS.values())
    if best is None:
        raise ImportFileError(f"没有找到表头：前{HEADER_SEARCH_ROWS}行中没有“姓名”“身份证号”等列名。"
                              f"请使用导入模板，列名可以是：{expected}。")
    i, columns = best
    missing = [facts.LABELS[r] for r in REQUIRED if r not in columns]
    if missing:
        raise ImportFileError(f"缺少必填列：{'、'.join(missing)}。表头（第{i + 1}行）应包含“姓名”和“身份证号”，"
                              f"其他列可选，列名可以是：{expected}。")

    def data() -> Iterator[tuple[int, list]]:
        number = i + 1
        for cells in head[i + 1:]:
            number += 1
            if not _blank(cells):
                yield number, cells
        for cells in rows:
            number += 1
            if not _blank(cells):
                yield number, cells

    return i + 1, head[i], columns, data()


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# Checking (in worker processes) -----------------------------------------------------------------

def check_rows(values: list[tuple], fields: tuple[str, ...], today: datetime.date, copy_text: bool = False) -> list:
    """Per row (cells in `fields` order): the stored values as a tuple in STORED order, or, for a
    rejected row, a list [its ID's blind index or None, [(field, message)]]. With `copy_text`, a
    valid row comes back as (blind index, its values but the member number as one line of COPY
    text, join date as text, member number): see `_copy_line`. Pure computation: runs in a worker process, which must
    not touch the database (the GB/T 2260 codes and the keys are loaded before the workers are
    forked)."""
    out: list = []
    for cells in values:
        raw = dict(zip(fields, cells, strict=True))
        checked, problems = facts.clean(raw, today=today)
        if checked is None:
            index = None
            if not any(f == "id_number" for f, _ in problems):
                index = pii.blind_index(idcard.parse(raw.get("id_number")).number, purpose="id_number")
            out.append([index, problems])
            continue
        s = actions.protect(checked)
        stored = (s["id_index"], s["id_number_enc"], s["id_masked"], s["mobile_enc"], s["mobile_masked"],
                  checked.name, checked.gender, checked.birth_date, checked.doc_type, checked.ethnicity,
                  checked.education, checked.political_status, checked.household_type,
                  checked.is_migrant_worker, checked.worker_group, checked.join_date, checked.member_number)
        out.append((stored[0], _copy_line(stored[:-1]), stored[15].isoformat(), stored[-1]) if copy_text else stored)
    return out


# PostgreSQL's COPY text format (https://www.postgresql.org/docs/15/sql-copy.html, "Text Format"):
# columns separated by tabs, backslash escapes for backslash, tab, newline and carriage return.
# Written by hand rather than by psycopg's COPY writer because it is done in the worker processes:
# one string per row crosses back to the writing process instead of 17 Python values, whose
# pickling and re-encoding there cost more than the formatting (bench/README.md, member import).
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _copy_line(values: tuple) -> str:
    """`values` (in STORED order, without the member number) as tab-separated COPY text. Checked
    values almost never hold a character to escape: joined as they are, then escaped value by value
    only when the line shows one (str.translate on every value cost ≈ 10 µs per row)."""
    line = "\t".join([v if type(v) is str else _copy_value(v) for v in values])
    if line.count("\t") == len(values) - 1 and "\\" not in line and "\n" not in line and "\r" not in line:
        return line
    return "\t".join(map(_copy_value, values))


def _worker_count(path: Path, workers: int | None) -> int:
    """Worker processes for checking: one per CPU for a large file; 0 (check in this process) for a
    small one, or when forking is unsafe (another thread could hold a lock the child inherits). The
    file's size stands in for its row count: the workers are forked before the sheet is loaded."""
    if workers is not None:
        return workers
    if (Path(path).stat().st_size < PARALLEL_MIN_BYTES or threading.active_count() > 1
            or "fork" not in multiprocessing.get_all_start_methods()):
        return 0
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _fork_workers(count: int) -> ProcessPoolExecutor:
    """The checking processes, forked now: before the sheet is loaded (they stay small) and before
    any thread of this import starts. They inherit the GB/T 2260 codes and the keys loaded by the
    caller and never touch the database connection."""
    pool = ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("fork"))
    pool.submit(int).result()  # the fork context starts every process at the first submit
    return pool


def _checked(rows: Iterator[tuple[int, list]], pick: Callable, fields: tuple[str, ...], today: datetime.date,
             pool: ProcessPoolExecutor | None, ahead: int, copy_text: bool) -> Iterator[tuple[list, list]]:
    """(chunk of rows, their results) in file order.

    With worker processes, a reader thread iterates the sheet and submits chunks up to `ahead`
    chunks ahead (a bounded queue), so that reading and checking go on while this thread waits for
    the database, without holding the file's rows in memory."""
    if pool is None:
        for chunk in _chunks(rows, CHUNK_ROWS):
            yield chunk, check_rows([pick(cells) for _, cells in chunk], fields, today, copy_text)
        return
    pending: queue.Queue = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                pending.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for chunk in _chunks(rows, CHUNK_ROWS):
                values = [pick(cells) for _, cells in chunk]
                if not put((chunk, pool.submit(check_rows, values, fields, today, copy_text))):
                    return
            put(None)
        except BaseException as e:  # handed to the consuming thread, which raises it
            put((None, e))

    reader = threading.Thread(target=read, name="member-import-reader", daemon=True)
    reader.start()
    try:
        while (item := pending.get()) is not None:
            chunk, future = item
            if chunk is None:
                raise future
            yield chunk, future.result()
    finally:
        stop.set()
        reader.join()


# Writing ----------------------------------------------------------------------------------------

class _RolledBack(Exception):
    """All-or-nothing: the database refused a row, so nothing is kept."""


_PLAIN_RE = re.compile(r"^[0-9A-Za-z,-]*$")


def _array(values: list[str]) -> str | list[str]:
    """A PostgreSQL text[] parameter: blind indexes and member numbers need no quoting, and a literal
    is much cheaper to send than a list psycopg inspects value by value."""
    literal = ",".join(values)
    return "{" + literal + "}" if _PLAIN_RE.match(literal) else values


def _members_with(column: str, values: list, *fields: str, between: tuple[str, str] | None = None) -> list[tuple]:
    """`fields` of the members whose `column` is one of `values` (or, with `between`, in that range).
    On PostgreSQL one query joins the values, sent as one array literal (a list of 10,000
    placeholders costs more to send and plan than the look-ups themselves), to the index: written
    as `column = ANY(array)` instead, the planner scans the whole table for 10,000 values (16 µs per
    value at 1 M members, and growing with the table; the join: 4 µs). Sorted, neighbouring values
    hit neighbouring index pages. Elsewhere one query per 5,000 values."""
    if not values and between is None:
        return []
    if connection.vendor == "postgresql":
        qn = connection.ops.quote_name
        meta = Member._meta
        target = qn(meta.get_field(column).column)
        select = f"SELECT {', '.join('m.' + qn(meta.get_field(f).column) for f in fields)} FROM "
        found = []
        with connection.cursor() as cursor:
            if values:
                cursor.execute(f"{select} unnest(%s::text[]) AS k(v) JOIN {qn(meta.db_table)} m ON m.{target} = k.v",
                               [_array(sorted(values))])
                found += cursor.fetchall()
            if between is not None:
                cursor.execute(f"{select} {qn(meta.db_table)} m WHERE m.{target} BETWEEN %s AND %s", list(between))
                found += cursor.fetchall()
        return found
    found = []
    for i in range(0, len(values), 5_000):
        found += Member.objects.filter(**{f"{column}__in": values[i:i + 5_000]}).values_list(*fields)
    if between is not None:
        found += Member.objects.filter(**{f"{column}__range": between}).values_list(*fields)
    return found


STAGING = "gh_member_import"
_STAGING_TYPES = {"birth_date": "date", "join_date": "date", "is_migrant_worker": "boolean"}


def _copy_sql() -> tuple[str, str, str]:
    """(create staging, copy into it, insert members + events from it) for PostgreSQL."""
    qn = connection.ops.quote_name
    member, event = Member._meta, MemberEvent._meta
    staging_columns = ", ".join(f"{c} {_STAGING_TYPES.get(c, 'text')}" for c in STORED)
    create = f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} (row_no integer, {staging_columns}) ON COMMIT DELETE ROWS"
    copy = f"COPY {STAGING} (row_no, {', '.join(STORED)}) FROM STDIN"
    fixed = {"org": "%(org)s", "status": "'active'", "status_date": "NULL", "source": "'import'",
             "import_job": "%(job)s", "created_at": "%(now)s", "updated_at": "%(now)s"}
    target = [qn(member.get_field(f).column) for f in (*STORED, *fixed)]
    values = [f"s.{f}" for f in STORED] + list(fixed.values())
    ev = {"member": "id", "kind": "'joined'", "date": "join_date", "org": "%(org)s", "to_org": "NULL",
          "at": "%(now)s", "by": "%(by)s", "note": "%(note)s", "detail": "'{}'::jsonb"}
    insert = (
        f"WITH ins AS (INSERT INTO {qn(member.db_table)} ({', '.join(target)}) "
        f"SELECT {', '.join(values)} FROM {STAGING} s "
        f"ON CONFLICT DO NOTHING RETURNING id, {qn(member.get_field('id_index').column)} AS id_index, "
        f"{qn(member.get_field('join_date').column)} AS join_date), "
        f"ev AS (INSERT INTO {qn(event.db_table)} ({', '.join(qn(event.get_field(f).column) for f in ev)}) "
        f"SELECT {', '.join(ev.values())} FROM ins) "
        f"SELECT id_index, id FROM ins"
    )
    return create, copy, insert


class _Run:
    """One import's state: what was seen, the batch being collected, the counts."""

    def __init__(self, *, org: Org, by, job: ImportJob | None, mode: str, today: datetime.date, batch_rows: int,
                 fields: tuple[str, ...], pick: Callable, report: Callable[[dict], None] | None, estimate: int):
        self.org, self.by, self.job, self.mode, self.today = org, by, job, mode, today
        self.batch_rows, self.fields, self.pick, self.report, self.estimate = batch_rows, fields, pick, report, estimate
        self.result = ImportResult(rejected_rows=Spool())
        self.first_row_of_id: dict[str, int] = {}
        self.first_row_of_number: dict[str, int] = {}
        self.batch: list[tuple[int, tuple, list]] = []  # (row, stored values, cells) passing the file checks
        self.refused: list[tuple[int, list, list[tuple[str, str]]]] = []  # (row, cells, [(column, message)])
        self.rows_in_batch = 0
        self.spool = Spool() if mode == ALL_OR_NOTHING else None
        self.base_summary = dict(job.summary) if job is not None else {}
        self.optimistic = True  # see write()
        self.id_sequence: str | None = None  # the member ids' sequence (PostgreSQL)

    # Taking rows in file order

    def take(self, number: int, cells: list, outcome) -> None:
        self.result.rows += 1
        self.rows_in_batch += 1
        if isinstance(outcome, list):
            index, problems = outcome
            problems = [(facts.LABELS.get(f, WHOLE_ROW), m) for f, m in problems]
            if index is not None and (first := self.first_row_of_id.setdefault(index, number)) != number:
                problems.append(("身份证号", f"与第{first}行的身份证号重复：同一人只导入第一次出现的行。"))
            self.refused.append((number, cells, problems))
        else:
            first = self.first_row_of_id.setdefault(outcome[0], number)
            given = outcome[-1]
            if first != number:
                self.refused.append((number, cells, [
                    ("身份证号", f"与第{first}行的身份证号重复：同一人只导入第一次出现的行。")]))
            elif given and (first := self.first_row_of_number.setdefault(given, number)) != number:
                self.refused.append((number, cells, [
                    ("会员证号", f"与第{first}行的会员证号重复，请核对或留空由系统生成。")]))
            else:
                self.batch.append((number, outcome, cells))
        if self.rows_in_batch >= self.batch_rows:
            self.end_batch()

    def end_batch(self) -> None:
        if self.mode == VALID_ONLY:
            with transaction.atomic():
                refused, imported = self.write(self.batch) if self.batch else ([], 0)
                rejected = len(self.refused) + len(refused)
                self.save_progress(imported=self.result.imported + imported, batches=self.result.batches + 1,
                                   rejected=self.result.rejected + rejected)
            self.result.imported += imported
            self.result.batches += 1
            self.reject(self.refused + refused)
            if self.report:
                self.report({"batch": self.result.batches, "rows": self.result.rows,
                             "imported": self.result.imported, "rejected": self.result.rejected})
        else:
            if not self.refused and not self.result.rejected:  # once a row is refused, nothing will be written
                for row in self.batch:
                    self.spool.append(row)
            self.reject(self.refused)
            self.save_progress(imported=0, batches=0, rejected=self.result.rejected)
        self.batch, self.refused, self.rows_in_batch = [], [], 0

    def finish(self) -> None:
        if self.rows_in_batch:
            self.end_batch()
        if self.mode == VALID_ONLY or self.result.rejected:
            return
        refused_all: list = []
        try:
            with transaction.atomic():
                imported = 0
                for batch in _chunks(self.spool, self.batch_rows):
                    refused, n = self.write(batch)
                    refused_all += refused
                    imported += n
                if refused_all:
                    raise _RolledBack
                self.save_progress(imported=imported, batches=1, rejected=0)
        except _RolledBack:
            self.reject(sorted(refused_all, key=operator.itemgetter(0)))
            return
        finally:
            self.spool.close()
        self.result.imported = imported

    def reject(self, rows: list[tuple[int, list, list[tuple[str, str]]]]) -> None:
        """Record refused rows (in file order) for the report and the error workbook."""
        for number, cells, problems in sorted(rows, key=operator.itemgetter(0)):
            self.result.reject(number, cells, problems)

    def save_progress(self, *, imported: int, batches: int, rejected: int) -> None:
        """The job's progress; in valid-only mode inside the batch's transaction, so that the job
        reports exactly what was committed."""
        if self.job is None:
            return
        ImportJob.objects.filter(pk=self.job.pk).update(
            done=self.result.rows, total=max(self.estimate, self.result.rows),
            summary=self.base_summary | {"imported": imported, "rejected": rejected, "batches": batches})

    # The database

    def write(self, batch: list[tuple[int, tuple, list]]) -> tuple[list, int]:
        """Write a batch inside the caller's transaction: (refused rows, members imported).

        On PostgreSQL, first optimistically (`_copy`): numbers issued, the batch copied in without
        looking anyone up. The unique indexes over the whole table make that safe: if it goes in,
        nobody in it was registered anywhere (nor any number taken). If the database refuses it,
        the batch is written the careful way (`_write_checked`), and so are the next ones until a
        batch holds nobody already registered (a failed attempt wastes the time of its COPY and the
        numbers issued for the registered people)."""
        if self.optimistic and connection.vendor == "postgresql":
            blank = sum(1 for _, stored, _ in batch if not stored[-1])
            issued = numbers.allocate(self.org, self.today.year, blank) if blank else []
            free = iter(issued)
            rows = [(number, stored, cells, stored[-1] or next(free)) for number, stored, cells in batch]
            if self._copy(rows):
                return [], len(rows)
            return self._write_checked(batch, issued)
        return self._write_checked(batch, None)

    def _write_checked(self, batch: list[tuple[int, tuple, list]], issued: list[str] | None) -> tuple[list, int]:
        """Write a batch after looking its people up: those active in a union are refused, those whose
        membership ended rejoin, numbers are checked. `issued`: numbers already issued for the batch."""
        org = self.org
        existing = {i: (s, o) for i, s, o in _members_with(
            "id_index", [stored[0] for _, stored, _ in batch], "id_index", "status", "org")}
        self.optimistic = not existing  # see write()
        refused, fresh, returning = [], [], []
        for row in batch:
            found = existing.get(row[1][0])
            if found is None:
                fresh.append(row)
            elif found[0] == Member.Status.ACTIVE:
                message = ALREADY_HERE if found[1] == org.pk else actions.NEEDS_TRANSFER
                refused.append((row[0], row[2], [("身份证号", message)]))
            else:
                returning.append(row)
        blank = sum(1 for _, stored, _ in fresh if not stored[-1])
        if issued is None:
            issued = numbers.allocate(org, self.today.year, blank) if blank else []
        # Issued numbers are checked too (one range: they are consecutive), as a number imported
        # from an earlier system may match the scheme.
        taken = {n for n, in _members_with("member_number", [stored[-1] for _, stored, _ in fresh if stored[-1]],
                                           "member_number", between=(issued[0], issued[-1]) if issued else None)}
        given_here = {stored[-1] for _, stored, _ in fresh if stored[-1]}
        free = iter(n for n in issued if n not in taken and n not in given_here)
        rows = []
        for number, stored, cells in fresh:
            if stored[-1] and stored[-1] in taken:
                refused.append((number, cells, [("会员证号", NUMBER_TAKEN)]))
                continue
            member_number = stored[-1] or next(free, None) or self._fresh_number(taken | given_here)
            rows.append((number, stored, cells, member_number))
        missed = self._insert_staged(rows) if connection.vendor == "postgresql" else self._insert_orm(rows)
        refused += missed
        imported = len(rows) - len(missed)
        for number, _, cells in returning:
            outcome = self._rejoin(cells)
            if outcome is None:
                imported += 1
            else:
                refused.append((number, cells, [outcome]))
        return refused, imported

    def _fresh_number(self, taken: set[str]) -> str:
        """A number from the sequence that no legacy number already uses (a rare collision)."""
        while True:
            number = numbers.allocate(self.org, self.today.year)[0]
            if number not in taken and not Member.objects.filter(member_number=number).exists():
                return number

    def _insert_orm(self, rows: list) -> list:
        """Insert on a database that serializes writers (SQLite): the check above still holds, so
        no row is refused here."""
        org, by, job = self.org, self.by, self.job
        members = [Member(org=org, source=Member.Source.IMPORT, import_job=job, member_number=member_number,
                          **dict(zip(STORED[:-1], stored[:-1], strict=True)))
                   for _, stored, _, member_number in rows]
        Member.objects.bulk_create(members, batch_size=500)
        MemberEvent.objects.bulk_create(
            [MemberEvent(member=m, kind=MemberEvent.Kind.JOINED, date=m.join_date, org=org, by=by, note=NOTE)
             for m in members], batch_size=500)
        changes.created(Member, [m.pk for m in members])
        return []

    def _copy(self, rows: list) -> bool:
        """Write `rows` (with their member numbers) on PostgreSQL with nobody looked up: ids taken
        from the sequence, the members COPYed straight into their table in a savepoint, then their
        events. False, with nothing written, when a unique index refuses the batch: someone in it is
        registered (or a concurrent import took them meanwhile), or a number is taken."""
        if not rows:
            return True
        qn = connection.ops.quote_name
        member, event = Member._meta, MemberEvent._meta
        now = timezone.now()
        job = self.job.pk if self.job else r"\N"
        member_columns = ", ".join(qn(member.get_field(f).column) for f in (
            "id", *STORED, "org", "status", "status_date", "source", "import_job", "created_at", "updated_at"))
        member_tail = f"\t{self.org.pk}\tactive\t\\N\timport\t{job}\t{now.isoformat()}\t{now.isoformat()}\n"
        event_columns = ", ".join(qn(event.get_field(f).column) for f in (
            "member", "kind", "date", "org", "to_org", "at", "by", "note", "detail"))
        with connection.cursor() as cursor:
            if self.id_sequence is None:  # resolved once: per row, the look-up cost more than the nextval
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [member.db_table])
                self.id_sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [self.id_sequence, len(rows)])
            ids = [i for i, in cursor.fetchall()]
            try:
                with transaction.atomic():
                    with cursor.cursor.copy(f"COPY {qn(member.db_table)} ({member_columns}) FROM STDIN") as copy:
                        # Member numbers are [0-9A-Z-] (numbers.LEGACY_RE): nothing to escape.
                        copy.write("".join([f"{i}\t{stored[1]}\t{member_number}{member_tail}"
                                            for i, (_, stored, _, member_number) in zip(ids, rows, strict=True)]))
            except (psycopg.errors.UniqueViolation, psycopg.errors.DeadlockDetected):
                return False
            # The events from two arrays: literals are much cheaper to send than lists of parameters.
            cursor.execute(
                f"INSERT INTO {qn(event.db_table)} ({event_columns}) "
                f"SELECT m, 'joined', d, %(org)s, NULL, %(now)s, %(by)s, %(note)s, '{{}}'::jsonb "
                f"FROM unnest(%(ids)s::bigint[], %(dates)s::date[]) AS t(m, d)",
                {"org": self.org.pk, "now": now, "by": self.by.pk, "note": NOTE,
                 "ids": "{" + ",".join(map(str, ids)) + "}",
                 "dates": "{" + ",".join(stored[2] for _, stored, _, _ in rows) + "}"})
        changes.created(Member, ids)
        return True

    def _insert_staged(self, rows: list) -> list:
        """Insert checked rows on PostgreSQL: COPY into a temporary table, then one INSERT … ON
        CONFLICT DO NOTHING (members) with their events. A row not inserted was taken meanwhile by a
        concurrent import: it comes back refused."""
        create, copy_sql, insert = _copy_sql()
        with connection.cursor() as cursor:
            cursor.execute(create)
            cursor.execute(f"TRUNCATE {STAGING}")
            with cursor.cursor.copy(copy_sql) as copy:
                copy.write("".join([f"{number}\t{stored[1]}\t{member_number}\n"
                                    for number, stored, _, member_number in rows]))
            cursor.execute(insert, {"org": self.org.pk, "job": self.job.pk if self.job else None,
                                    "now": timezone.now(), "by": self.by.pk,
                                    "note": NOTE})
            found = cursor.fetchall()
        changes.created(Member, [pk for _, pk in found])
        inserted = {index for index, _ in found}
        missed = [row for row in rows if row[1][0] not in inserted]
        if not missed:
            return []
        holders = dict(_members_with("id_index", [row[1][0] for row in missed], "id_index", "org"))
        refused = []
        for number, stored, cells, _ in missed:
            holder = holders.get(stored[0])
            if holder is None:
                refused.append((number, cells, [("会员证号", NUMBER_TAKEN)]))
            else:
                refused.append((number, cells, [
                    ("身份证号", ALREADY_HERE if holder == self.org.pk else actions.NEEDS_TRANSFER)]))
        return refused

    def _rejoin(self, cells: list) -> tuple[str, str] | None:
        """A person whose membership ended rejoins through the action (rare: one row at a time).
        None when done, else (column, message)."""
        checked, _ = facts.clean(dict(zip(self.fields, self.pick(cells), strict=True)), today=self.today)
        try:
            with transaction.atomic():
                member = actions.join_member(org=self.org, facts=checked, by=self.by, source=Member.Source.IMPORT,
                                             note=NOTE)
                if self.job is not None:
                    Member.objects.filter(pk=member.pk).update(import_job=self.job)
        except DomainError as e:
            return facts.LABELS.get(e.field or "", WHOLE_ROW), e.message
        return None


def _check_target(org: Org, by) -> None:
    if org.status != Org.Status.ACTIVE:
        raise ImportFileError("该工会已撤销或合并，不能导入会员。")
    if not is_system(by) and not (can_edit_members(by) and org.is_within(by.org)):
        raise ImportFileError("您没有在该工会办理会员业务的权限。")


def import_members(
    path: str | Path,
    *,
    org: Org,
    by,
    mode: str = VALID_ONLY,
    job: ImportJob | None = None,
    filename: str = "",
    report: Callable[[dict], None] | None = None,
    batch_rows: int = BATCH_ROWS,
    workers: int | None = None,
) -> ImportResult:
    """Import the members in the .xlsx at `path` into `org`, as `by` (a cadre, or the system actor).

    `mode`: VALID_ONLY or ALL_OR_NOTHING. `job`: the back-office run, whose progress is kept up to
    date (in valid-only mode in each batch's transaction). `report(counts)` is called after each
    committed batch. `workers`: checking processes (None: one per CPU for a large file; 0: none).
    Raises ImportFileError when the file cannot be imported at all; a database failure propagates
    after the batches before it were committed (valid-only) or nothing was (all-or-nothing)."""
    started = time.monotonic()
    if mode not in MODES:
        raise ImportFileError("导入方式应为 valid-only（只导入正确的行）或 all-or-nothing（全部正确才导入）。")
    _check_target(org, by)
    if Path(path).suffix.lower() not in SUFFIXES:
        raise ImportFileError("只支持 Excel 文件（.xlsx），请用导入模板填写。")
    if not Path(path).is_file():
        raise ImportFileError("找不到导入文件。")
    # Loaded before the workers are forked: they inherit them and never touch the database.
    idcard.historical_codes()
    pii.keys()
    count = _worker_count(path, workers)
    pool = _fork_workers(count) if count else None
    try:
        return _import(path, pool=pool, org=org, by=by, mode=mode, job=job, filename=filename or Path(path).name,
                       report=report, batch_rows=batch_rows, started=started)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _import(path, *, pool, org, by, mode, job, filename, report, batch_rows, started) -> ImportResult:
    sheet = _open_sheet(path)
    header_row, header, columns, data = _find_header(iter(sheet.iter_rows()))
    end = sheet.end
    estimate = max(0, (end[0] + 1 if end else 0) - header_row)
    fields = tuple(columns)
    pick = operator.itemgetter(*(columns[f] for f in fields))
    today = timezone.localdate()
    run = _Run(org=org, by=by, job=job, mode=mode, today=today, batch_rows=batch_rows, fields=fields, pick=pick,
               report=report, estimate=estimate)
    result = run.result
    result.header = [cell_text(c) for c in header]
    result.positions = {facts.LABELS[f]: i for f, i in columns.items()}
    if job is not None:
        ImportJob.objects.filter(pk=job.pk).update(total=estimate, done=0)
    ahead = max(4, 2 * batch_rows // CHUNK_ROWS + 1)  # the workers keep checking while a batch is written
    try:
        copy_text = connection.vendor == "postgresql"  # rows come back ready for _insert_copy
        checking = _checked(data, pick, fields, today, pool, ahead, copy_text)
        with closing(checking) as checked:  # closing stops the reader
            for chunk, outcomes in checked:
                for (number, cells), outcome in zip(chunk, outcomes, strict=True):
                    run.take(number, cells, outcome)
        run.finish()
    except Exception:
        result.seconds = round(time.monotonic() - started, 2)
        _audit(result, org=org, by=by, job=job, filename=filename, mode=mode, failed=True)
        raise
    result.seconds = round(time.monotonic() - started, 2)
    _audit(result, org=org, by=by, job=job, filename=filename, mode=mode)
    return result


def _audit(result: ImportResult, *, org, by, job, filename: str, mode: str, failed: bool = False) -> None:
    """One audit entry per import (not per row). After a failure the database may be gone too."""
    outcome = AuditEntry.Outcome.FAILURE if failed else AuditEntry.Outcome.SUCCESS
    try:
        imports.record_run(MEMBERS, result, by=by, filename=filename, mode=mode, target=f"{org.name}（{org.code}）",
                           job=job, outcome=outcome)
    except Exception:
        if not failed:
            raise
        logger.warning("会员导入中断，审计记录未能写入（工会 %s，已提交 %s 行）", org.code, result.imported)


# The template -----------------------------------------------------------------------------------

LISTS_SHEET = "代码表"
GUIDE_SHEET = "填写说明"
_LISTS = {
    "gender": codesets.GENDER, "ethnicity": codesets.ETHNICITY, "education": codesets.EDUCATION,
    "political_status": codesets.POLITICAL_STATUS, "household_type": codesets.HOUSEHOLD_TYPE,
    "worker_group": codesets.WORKER_GROUP,
}
GUIDE = [
    "会员信息导入填写说明",
    "1. 在第一个工作表“会员信息”中每行填写一名会员，不要改动表头；列的顺序可以调整，表头上方可以有一行标题，"
    "多余的列会被忽略，空行会被跳过。",
    "2. 必填列：姓名、身份证号。其他列可以留空：性别和出生日期留空时由身份证号自动生成，填写时须与身份证号一致；"
    "入会日期留空时为导入当天；会员证号留空时由系统按编号规则生成。",
    "3. 身份证号、手机号、会员证号三列已设置为“文本”格式，请不要改成数字格式："
    "Excel 会把18位身份证号变成科学计数法并丢失后几位，这样的行不能导入。"
    "从其他表格粘贴时请使用“选择性粘贴 → 数值/文本”。",
    "4. 身份证号：18位（末位可以是 X），或15位的旧号码（自动升为18位）；全角数字和空格会被自动处理。",
    "5. 手机号：11位，以13–19开头；可以带 +86、空格或短横线。",
    "6. 日期（出生日期、入会日期）：可以是 Excel 日期，或写作 2020-05-01、2020/5/1、2020年5月1日、20200501。"
    "入会时须年满16周岁，入会日期不能晚于今天。",
    "7. 性别、民族、学历、政治面貌、户籍类型、八大群体可从下拉列表选择，"
    "也可以填写国家标准代码或常用简称（如“汉”“本科”“党员”）。是否农民工填写“是”或“否”。",
    "8. 同一身份证号在文件中出现多次时，只导入第一次出现的行。已在其他工会登记为在会会员的人员不能导入，请办理转会；"
    "曾经退会或退休的人员会重新入会，保留原会员证号。",
    "9. 导入方式：“只导入正确的行”时，正确的行全部导入，有错误的行列入错误文件；“全部正确才导入”时，只要有一行有错误，"
    "整个文件都不导入。",
    "10. 导入完成后可下载错误文件：保留原来的各列，最后一列“错误说明”写明每行的问题，出错的单元格标红。"
    "改正后可直接再次导入。",
]


def template_workbook() -> bytes:
    """The import template: the headers, the number columns formatted as text, dropdowns for the
    enumerations (lists on a hidden sheet), and a sheet of instructions. No example row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "会员信息"
    lists = wb.create_sheet(LISTS_SHEET)
    guide = wb.create_sheet(GUIDE_SHEET)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    required_font = Font(bold=True, color="C00000")
    list_columns = 0
    for col, (name, label) in enumerate(facts.LABELS.items(), start=1):
        cell = ws.cell(row=1, column=col, value=label)
        cell.font = required_font if name in REQUIRED else Font(bold=True)
        cell.fill = header_fill
        letter = get_column_letter(col)
        dimension = ws.column_dimensions[letter]
        dimension.width = 22 if name in TEXT_FIELDS else 14
        if name in TEXT_FIELDS or name in DATE_FIELDS:
            fmt = "@" if name in TEXT_FIELDS else "yyyy-mm-dd"
            dimension.number_format = fmt
            for row in range(2, 1002):  # also on the cells: some programs ignore a column's format
                ws.cell(row=row, column=col).number_format = fmt
        choices = _choices(name)
        if choices:
            list_columns += 1
            list_col = get_column_letter(list_columns)
            lists[f"{list_col}1"] = label
            for i, choice in enumerate(choices, start=2):
                lists[f"{list_col}{i}"] = choice
            validation = DataValidation(
                type="list", formula1=f"'{LISTS_SHEET}'!${list_col}$2:${list_col}${len(choices) + 1}",
                allow_blank=True, errorStyle="warning", showErrorMessage=True,
                errorTitle=label, error=f"请从下拉列表选择{label}，或填写标准代码、常用简称。")
            validation.add(f"{letter}2:{letter}1048576")
            ws.add_data_validation(validation)
    ws.freeze_panes = "A2"
    lists.sheet_state = "hidden"
    write_guide(guide, GUIDE, width=120)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _choices(name: str) -> list[str]:
    if name == "is_migrant_worker":
        return ["是", "否"]
    codeset = _LISTS.get(name)
    return list(codeset.entries.values()) if codeset else []


# The back-office run ----------------------------------------------------------------------------

MEMBERS = imports.Importer(
    kind="members", noun="会员", suffixes=SUFFIXES, max_bytes=MAX_UPLOAD_BYTES, counts="导入 {imported} 名会员",
    modes=True,
    urls={"page": "admin:members_member_import", "status": "admin:members_member_import_status",
          "errors": "admin:members_member_import_errors", "template": "admin:members_member_import_template",
          "list": "admin:members_member_changelist"},
)


def start_member_import(*, upload, org: Org, mode: str, by) -> ImportJob:
    """Record an import run for `by` into `org`, keep the uploaded file outside the web root and
    queue the background task (which checks the permission again, as `by`)."""
    return imports.start_job(MEMBERS, upload=upload, by=by, task=run_member_import,
                             summary={"org_id": org.pk, "org": org.name, "mode": mode})


@task()
def run_member_import(job_id: int) -> None:
    """Run a queued member import as the account that uploaded it."""
    def work(job: ImportJob, upload: Path) -> ImportResult:
        org = Org.objects.filter(pk=job.summary.get("org_id")).first()
        if org is None:
            raise ImportFileError("导入的目标工会不存在。")
        return import_members(upload, org=org, by=job.created_by, mode=job.summary.get("mode", VALID_ONLY), job=job,
                              filename=job.filename)

    imports.run_job(MEMBERS, job_id, work)
