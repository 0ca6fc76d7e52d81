"""The one import pipeline: every Excel import (organizations, members, hardship files, enrolment lists)
reads, checks, writes and reports through it.

An import declares itself with an `Importer`: its `ImportJob.kind`, what it imports (for the pages and the
audit), the files it takes, and three functions:

- `prepare(header, by=, **options)` → a context object, after checking the columns (ImportFileError);
- `check(rows, context)` puts checked `values` or `problems` on each `Row` (batch look-ups welcome);
- `write(rows, context, result, progress)` writes the rows that passed, may still reject some (a rule that
  needs the database), counts `result.imported` / `result.updated`, and calls `progress(done)` as it goes.

`import_rows()` runs them: valid-only (the importer's writes commit as they go; rejected rows are left out)
or all-or-nothing (one transaction, rolled back if any row is rejected). Either way each rejected row lands
in the result once, with its problems, and goes into the error workbook: the file's own header and cells,
a 错误说明 column, faulty cells highlighted (`common.excel.error_workbook`), stored encrypted on the job.

The member import streams millions of rows through its own COPY path, but on the same `RowError`,
`ImportResult`, `ImportFileError`, job runner (`run_job`), upload check and pages (`common.import_views`).
"""

import logging
import operator
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from . import audit
from .excel import ExcelError, error_workbook, header_label, read_rows
from .models import ImportJob

VALID_ONLY = "valid-only"
ALL_OR_NOTHING = "all-or-nothing"
MODES = {
    VALID_ONLY: "只导入正确的行（有错误的行不导入，列入错误文件）",
    ALL_OR_NOTHING: "全部正确才导入（任何一行有错误，整个文件都不导入）",
}
WHOLE_ROW = "整行"
SHOWN_ERRORS = 200  # listed on the page and kept in the job's summary; the error workbook has them all

logger = logging.getLogger(__name__)


class ImportFileError(Exception):
    """The file cannot be imported at all (unreadable, a required column missing, no permission)."""


@dataclass
class RowError:
    row: int  # as Excel shows it (the header is row 1)
    column: str  # as the file names it, or 整行
    message: str


@dataclass
class Row:
    """One data row on its way through an import."""

    number: int
    cells: list
    values: dict = field(default_factory=dict)  # checked values, by field
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    written: Any = None  # what the write produced (an Org, a file …), for rows that depend on it

    def reject(self, column: str, message: str) -> None:
        self.problems.append((column, message))


class Spool:
    """Items pickled to an anonymous temporary file and read back in order: rows kept out of memory."""

    FLUSH = 1_000

    def __init__(self):
        self._file = None
        self._buffer: list = []
        self.count = 0

    def append(self, item) -> None:
        self._buffer.append(item)
        self.count += 1
        if len(self._buffer) >= self.FLUSH:
            self._flush()

    def _flush(self) -> None:
        if not self._buffer:
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="gonghui-import-")
        self._file.seek(0, os.SEEK_END)
        pickle.dump(self._buffer, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._buffer = []

    def __iter__(self) -> Iterator:
        self._flush()
        if self._file is None:
            return
        self._file.seek(0)
        while True:
            try:
                items = pickle.load(self._file)
            except EOFError:
                return
            yield from items

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._buffer = []


@dataclass
class ImportResult:
    """What a run did. `rejected_rows` keeps each rejected row as read (a list, or a Spool for files too
    large to hold), `error_cells` the faulty cells' columns, for the error workbook."""

    rows: int = 0
    imported: int = 0
    updated: int = 0
    rejected: int = 0
    seconds: float = 0.0
    batches: int = 0  # committed batches (valid-only)
    errors: list[RowError] = field(default_factory=list)
    header: list[str] = field(default_factory=list)  # the file's header cells, as read
    positions: dict[str, int] = field(default_factory=dict)  # column name as reported → its index in the file
    rejected_rows: Any = field(default_factory=list, repr=False)  # (row, cells, [(column, message)])
    error_cells: dict[int, list[int]] = field(default_factory=dict, repr=False)
    written: list = field(default_factory=list, repr=False)  # what the rows wrote, in file order

    def __post_init__(self):
        if not self.positions:
            for i, name in enumerate(self.header):
                self.positions.setdefault(name, i)
                self.positions.setdefault(header_label(name), i)

    def reject(self, number: int, cells: list, problems: list[tuple[str, str]]) -> None:
        """Record one rejected row (call in file order)."""
        self.errors += [RowError(number, column, message) for column, message in problems]
        width = len(self.header)
        self.error_cells[self.rejected] = sorted(
            {self.positions[c] for c, _ in problems if c in self.positions and self.positions[c] < width} | {width})
        self.rejected_rows.append((number, cells, problems))
        self.rejected += 1

    def as_dict(self) -> dict:
        return {"rows": self.rows, "imported": self.imported, "updated": self.updated, "rejected": self.rejected,
                "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors]}

    def summary(self) -> dict:
        """For the job and the page: the counts, and the first SHOWN_ERRORS errors."""
        data = self.as_dict() | {"seconds": self.seconds, "batches": self.batches}
        data["errors"] = data["errors"][:SHOWN_ERRORS]
        return data

    def error_workbook(self) -> bytes:
        return error_workbook(self.header, self.rejected_rows, error_cells=self.error_cells)

    def close(self) -> None:
        if isinstance(self.rejected_rows, Spool):
            self.rejected_rows.close()


@dataclass(frozen=True)
class Importer:
    """One import's declaration. `noun` names what it imports (组织, 会员 …); `counts` is the page's
    sentence for what was written, formatted with the summary (e.g. "导入 {imported} 名会员");
    `urls` are the admin URL names of its pages: page, status, errors and (optional) template and list, with
    `list_query` appended to the list's URL (a list shared with other records, filtered to the imported ones)."""

    kind: str
    noun: str
    suffixes: tuple[str, ...]
    max_bytes: int
    counts: str
    urls: dict[str, str]
    prepare: Callable | None = None
    check: Callable | None = None
    write: Callable | None = None
    modes: bool = False  # whether the upload page offers valid-only / all-or-nothing
    audited: bool = True  # False for a list only read (the action that uses it is audited)

    @property
    def title(self) -> str:
        return f"导入{self.noun}"

    @property
    def kinds_text(self) -> str:
        """The accepted files in words: Excel 文件（.xlsx）或 CSV 文件."""
        names = dict.fromkeys("Excel 文件（.xlsx）" if s != ".csv" else "CSV 文件" for s in self.suffixes)
        return "或 ".join(names)

    def upload_problem(self, upload) -> str | None:
        """The one upload check: the type by its suffix, then the size; None when acceptable."""
        if Path(upload.name).suffix.lower() not in self.suffixes:
            return f"只支持 {self.kinds_text}，请用导入模板填写。"
        if upload.size > self.max_bytes:
            return f"文件不能超过 {self.max_bytes // (1024 * 1024)} MB；更大的文件请分成几个文件导入。"
        return None

    def read(self, data: bytes, filename: str) -> tuple[list[str], list[tuple[int, list]]]:
        """The header and the data rows of an uploaded file; ImportFileError when it cannot be read."""
        if Path(filename).suffix.lower() not in self.suffixes:
            raise ImportFileError(f"只支持 {self.kinds_text}，请用导入模板填写。")
        try:
            return read_rows(data, filename)
        except ExcelError as e:
            raise ImportFileError(str(e)) from None


def import_rows(importer: Importer, header: list[str], raw_rows: list[tuple[int, list]], *, by,
                mode: str = VALID_ONLY, filename: str = "", progress: Callable[[dict], None] | None = None,
                audit_name: str = "", **options) -> ImportResult:
    """Run `importer` over (header, [(excel_row, cells)]) as `by` (a cadre, or the system actor). `progress(counts)`
    is called as rows are written, with done/total/imported/updated. Raises ImportFileError when the file
    cannot be imported at all. One audit entry for the run; the importer's actions write their own."""
    if mode not in MODES:
        raise ImportFileError("导入方式应为 valid-only（只导入正确的行）或 all-or-nothing（全部正确才导入）。")
    started = time.monotonic()
    context = importer.prepare(list(header), by=by, **options)
    rows = [Row(number, list(cells)) for number, cells in raw_rows]
    result = ImportResult(rows=len(rows), header=list(header))

    def report(done: int) -> None:
        if progress:
            progress({"done": done, "total": len(rows), "imported": result.imported, "updated": result.updated})

    report(0)
    importer.check(rows, context)
    if mode == VALID_ONLY:
        importer.write([r for r in rows if not r.problems], context, result, report)
    elif not any(r.problems for r in rows):
        with transaction.atomic():
            importer.write(rows, context, result, report)
            if any(r.problems for r in rows):
                transaction.set_rollback(True)
    if mode == ALL_OR_NOTHING and any(r.problems for r in rows):
        result.imported = result.updated = 0
        for row in rows:
            row.written = None
    for row in sorted(rows, key=operator.attrgetter("number")):
        if row.problems:
            result.reject(row.number, row.cells, row.problems)
        elif row.written is not None:
            result.written.append(row.written)
    result.seconds = round(time.monotonic() - started, 2)
    report(len(rows))
    if importer.audited:
        record_run(importer, result, by=by, filename=filename, actor_name=audit_name, mode=mode)
    return result


def record_run(importer: Importer, result: ImportResult, *, by, filename: str, mode: str = VALID_ONLY,
               actor_name: str = "", target: str = "", job: ImportJob | None = None,
               outcome: str = audit.AuditEntry.Outcome.SUCCESS) -> None:
    """The run's one audit entry (the rows' own entries come from the actions)."""
    changes = {"rows": result.rows, "imported": result.imported, "updated": result.updated,
               "rejected": result.rejected}
    if importer.modes:
        changes["mode"] = mode
    if target:
        changes["org"] = target
    repr_ = f"{importer.noun}导入 {filename}".strip() + (f" → {target}" if target else "")
    audit.record("import", actor=by, actor_name=actor_name or "命令行", obj=job, outcome=outcome,
                 object_repr=repr_, changes=changes)


# The back-office run ----------------------------------------------------------------------------

PROGRESS_EVERY = 0.5  # seconds between progress writes


def start_job(importer: Importer, *, upload, by, task, summary: dict | None = None) -> ImportJob:
    """Record a run of `importer` for `by`, keep the uploaded file outside the web root and queue `task`
    (which runs `run_job` as the uploading account)."""
    job = ImportJob.objects.create(kind=importer.kind, created_by=by, org=by.org, filename=Path(upload.name).name[:200],
                                   summary=summary or {})
    job.keep_upload(upload)
    task.enqueue(job.pk)
    return job


def job_progress(job: ImportJob) -> Callable[[dict], None]:
    """A `progress` callback that writes the counts onto the job, at most every PROGRESS_EVERY seconds."""
    last = [0.0]
    base = dict(job.summary)

    def progress(counts: dict) -> None:
        now = time.monotonic()
        if counts["done"] not in (0, counts["total"]) and now - last[0] < PROGRESS_EVERY:
            return
        last[0] = now
        ImportJob.objects.filter(pk=job.pk).update(
            done=counts["done"], total=counts["total"],
            summary=base | {k: counts[k] for k in ("imported", "updated", "batches") if k in counts})

    return progress


def run_job(importer: Importer, job_id: int, work: Callable[[ImportJob, Path], ImportResult]) -> None:
    """Run a queued job: `work(job, upload_path)` imports as `job.created_by` and returns the result. The
    job ends done (summary, error workbook stored encrypted) or failed (the reason; after an unexpected
    error, what earlier committed batches kept). The uploaded file is removed either way."""
    job = ImportJob.objects.select_related("created_by__org").get(pk=job_id, kind=importer.kind)
    upload = job.upload_path
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    base = dict(job.summary)
    try:
        result = work(job, upload)
    except ImportFileError as e:
        job.finish(ImportJob.Status.FAILED, base | {"message": str(e)})
        return
    except Exception:
        committed = ImportJob.objects.filter(pk=job.pk).values_list("summary", flat=True).first() or {}
        message = "导入过程中出现系统错误，已停止。"
        if base.get("mode") == ALL_OR_NOTHING:
            message += f"本次没有导入任何{importer.noun}。"
        elif committed.get("imported") or committed.get("updated"):
            counts = importer.counts.format(**{"imported": 0, "updated": 0} | committed)
            message += f"此前已完成的 {committed.get('batches', 0)} 批：{counts}，其余未导入。"
        job.finish(ImportJob.Status.FAILED, committed | base | {"message": message + "请联系系统管理员。"})
        raise
    finally:
        upload.unlink(missing_ok=True)
    finish_job(job, result, base)


def finish_job(job: ImportJob, result: ImportResult, base: dict | None = None) -> ImportJob:
    """Record a finished run on its job: the summary, and the error workbook (the file's own rows, ID
    numbers and phones included) stored encrypted."""
    if result.rejected:
        job.store_error_file(result.error_workbook())
    result.close()
    job.finish(ImportJob.Status.DONE, (base or {}) | result.summary(), done=result.rows)
    return job


def keep_run(importer: Importer, result: ImportResult, *, by, filename: str, summary: dict | None = None
             ) -> ImportJob:
    """A run done in the request (small files) recorded as a finished job of `by`, for its result page and
    error workbook."""
    job = ImportJob.objects.create(kind=importer.kind, created_by=by, org=by.org, filename=Path(filename).name[:200],
                                   status=ImportJob.Status.RUNNING, total=result.rows)
    return finish_job(job, result, summary)


def failed_run(importer: Importer, error: ImportFileError, *, by, filename: str) -> ImportJob:
    """A run in the request that could not read its file, recorded as a failed job with the reason."""
    job = ImportJob.objects.create(kind=importer.kind, created_by=by, org=by.org, filename=Path(filename).name[:200],
                                   status=ImportJob.Status.RUNNING)
    job.finish(ImportJob.Status.FAILED, {"message": str(error)})
    return job


def run_in_request(importer: Importer, *, upload, by, mode: str = VALID_ONLY) -> ImportJob:
    """Import an uploaded file now (the small sheets: hundreds or a few thousand rows) and record the run as a
    job of `by`: its summary and, if rows were rejected, the error workbook stored encrypted; a file that
    cannot be read is a failed job with the reason."""
    try:
        header, rows = importer.read(upload.read(), upload.name)
        result = import_rows(importer, header, rows, by=by, mode=mode, filename=upload.name)
    except ImportFileError as e:
        return failed_run(importer, e, by=by, filename=upload.name)
    return keep_run(importer, result, by=by, filename=upload.name, summary={"mode": mode})
