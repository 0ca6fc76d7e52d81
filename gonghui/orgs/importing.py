"""The organization import: a sheet of orgs (.xlsx or .csv, Chinese column names) upserted by 组织代码.

`import_orgs()` does the work for the command, the back-office task and tests alike. Rows are
parsed and checked first, then written parents-first (a parent may come after its children in the
file), each row in its own savepoint through the actions, so a row is written whole or not at all
and the valid rows are kept. Rejected rows come back with the Excel row number, the column and a
Chinese message; `error_workbook()` turns them into a workbook the user can fix and upload again.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, transaction
from django_tasks import task

from gonghui.common import audit, dates
from gonghui.common import uscc as uscc_lib
from gonghui.common.actors import is_system
from gonghui.common.errors import DomainError
from gonghui.common.excel import ERROR_COLUMN, ExcelError, build_workbook, cell_text, plain_cell, read_rows
from gonghui.common.models import IMPORT_DIR, ImportJob

from . import actions
from .models import Org
from .queries import can_manage_orgs

# Column → Org field. 上级组织代码 is read separately: it places the org, it is not a fact.
PARENT_COLUMN = "上级组织代码"
COLUMNS = {
    "组织代码": "code",
    "组织名称": "name",
    "组织类型": "kind",
    "统一社会信用代码": "uscc",
    "行政区划代码": "region_code",
    "单位名称": "employer_name",
    "单位统一社会信用代码": "employer_uscc",
    "单位性质": "employer_type",
    "所属行业": "industry",
    "职工人数": "employee_count",
    "建会日期": "founded_on",
    "工会主席": "chair_name",
    "联系电话": "phone",
    "是否建立职代会": "has_congress",
    "是否实行厂务公开": "has_disclosure",
}
REQUIRED_COLUMNS = ["组织代码", PARENT_COLUMN, "组织名称", "组织类型"]
FIELD_COLUMNS = {f: c for c, f in COLUMNS.items()} | {"parent": PARENT_COLUMN}
EXPORT_HEADER = ["组织代码", PARENT_COLUMN] + [c for c in COLUMNS if c != "组织代码"] + ["层级", "状态"]
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

KINDS = {label: value for value, label in Org.Kind.choices}
EMPLOYER_TYPES = {label: value for value, label in Org.EmployerType.choices} | {
    "国有": "state", "国企": "state", "国有控股": "state", "国有控股企业": "state",
    "集体": "collective",
    "私营": "private", "民营": "private", "私企": "private", "民营企业": "private",
    "外资": "foreign", "外商": "foreign", "外资企业": "foreign", "外商投资": "foreign", "外企": "foreign",
    "港澳台": "hmt", "港澳台企业": "hmt", "港澳台资": "hmt", "港澳台投资": "hmt",
    "事业": "institution",
    "机关单位": "organ", "党政机关": "organ",
    "社团": "social",
    "其它": "other",
}
YES = {"是", "有", "Y", "YES", "1", "TRUE", "√"}
NO = {"否", "无", "N", "NO", "0", "FALSE", "×", ""}

logger = logging.getLogger(__name__)


class ImportFileError(Exception):
    """The file cannot be imported at all (unreadable, or a required column is missing)."""


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    rows: int = 0
    imported: int = 0
    updated: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"rows": self.rows, "imported": self.imported, "updated": self.updated, "rejected": self.rejected,
                "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors]}


@dataclass
class _Row:
    number: int  # the Excel row number (the header is row 1)
    code: str = ""
    parent_code: str = ""
    facts: dict = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    org: Org | None = None  # set once written

    def reject(self, column: str, message: str) -> None:
        self.problems.append((column, message))


def read_file(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, list]]]:
    """The header and rows of an import file; ImportFileError when it cannot be imported at all."""
    try:
        header, rows = read_rows(data, filename)
    except ExcelError as e:
        raise ImportFileError(str(e)) from None
    return header, rows


def import_orgs(
    rows_source: tuple[list[str], list[tuple[int, list]]],
    *,
    by,
    filename: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Upsert the orgs of `rows_source` (header, [(excel_row, cells)]) as `by` (None: the command
    line, which alone may create top-level orgs). `progress(done, total)` is called as rows finish.
    A row whose 组织代码 is on record counts as updated, whether or not any value changed.
    Raises ImportFileError when a required column is missing."""
    header, raw_rows = rows_source
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportFileError(f"缺少必填列：{'、'.join(missing)}。表头应包含：{'、'.join(REQUIRED_COLUMNS)}。")
    index = {}
    for i, name in enumerate(header):
        index.setdefault(name, i)
    rows = [_parse(number, cells, index) for number, cells in raw_rows]
    result = ImportResult(rows=len(rows))
    total = len(rows)
    if progress:
        progress(0, total)
    ordered = _parents_first(rows)
    by_code = _first_by_code(rows)
    lookup = _Lookup(ordered, by=by)
    for done, row in enumerate(ordered, start=1):
        _write(row, by=by, rows_by_code=by_code, result=result, lookup=lookup, index=done - 1)
        if row.problems:
            result.rejected += 1
        if progress:
            progress(done, total)
    for row in rows:  # errors in file order
        result.errors += [RowError(row.number, column, message) for column, message in row.problems]
    audit.record("import", actor=by, actor_name="命令行", object_repr=f"工会组织 导入 {filename}".strip(),
                 changes={k: v for k, v in result.as_dict().items() if k != "errors"})
    return result


def import_file(data: bytes, filename: str, *, by, progress: Callable[[int, int], None] | None = None,
                ) -> ImportResult:
    return import_orgs(read_file(data, filename), by=by, filename=filename, progress=progress)


def error_workbook(rows_source, result: ImportResult) -> bytes:
    """The rejected rows as they were in the file, with a 错误说明 column; faulty cells highlighted."""
    header = list(rows_source[0])
    columns = {name: i for i, name in reversed(list(enumerate(header)))}
    out_rows, error_cells = [], {}
    by_row: dict[int, list[RowError]] = {}
    for e in result.errors:
        by_row.setdefault(e.row, []).append(e)
    for r, (number, cells) in enumerate((n, c) for n, c in rows_source[1] if n in by_row):
        cells = [plain_cell(c) for c in cells][: len(header)]
        cells += [""] * (len(header) - len(cells))
        errors = by_row[number]
        message = f"第{number}行：" + "；".join(f"【{e.column}】{e.message}" for e in errors)
        out_rows.append(cells + [message])
        error_cells[r] = sorted({columns[e.column] for e in errors if e.column in columns} | {len(header)})
    return build_workbook("导入错误", header + [ERROR_COLUMN], out_rows, error_cells=error_cells)


# Parsing ----------------------------------------------------------------------------------------

def _parse(number: int, cells: list, index: dict[str, int]) -> _Row:
    row = _Row(number=number)

    def value(column: str):
        i = index.get(column)
        return cells[i] if i is not None and i < len(cells) else None

    row.code = cell_text(value("组织代码"))
    row.parent_code = cell_text(value(PARENT_COLUMN))
    for column, name in COLUMNS.items():
        if column not in index:
            continue  # an optional column left out of the file: an update keeps what is on record
        try:
            row.facts[name] = _convert(name, value(column))
        except ValueError as e:
            row.reject(column, str(e))
    return row


def _convert(name: str, raw):
    text = cell_text(raw)
    if name == "kind":
        if text in KINDS:
            return KINDS[text]
        if text in Org.Kind.values:
            return text
        raise ValueError(("组织类型不能为空" if not text else f"组织类型“{text}”无法识别") +
                         "，应为：" + "、".join(Org.Kind.labels) + "。")
    if name in {"uscc", "employer_uscc"}:
        return uscc_lib.normalize(text)
    if name == "employer_type":
        if not text:
            return ""
        key = text.replace(" ", "")
        if key in EMPLOYER_TYPES:
            return EMPLOYER_TYPES[key]
        if key in Org.EmployerType.values:
            return key
        raise ValueError(f"单位性质“{text}”无法识别，应为：" + "、".join(Org.EmployerType.labels) + "。")
    if name == "employee_count":
        return _parse_count(raw, text)
    if name == "founded_on":
        return _parse_date(raw, text)
    if name in {"has_congress", "has_disclosure"}:
        key = text.upper()
        if key in YES:
            return True
        if key in NO:
            return False
        raise ValueError(f"应填写“是”或“否”，当前为“{text}”。")
    limit = Org._meta.get_field(name).max_length
    if limit and len(text) > limit:
        raise ValueError(f"{Org._meta.get_field(name).verbose_name}不能超过{limit}个字符。")
    return text


def _parse_count(raw, text: str) -> int | None:
    if not text:
        return None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        number = raw
    else:
        try:
            number = float(text.replace(",", "").replace("，", "").removesuffix("人"))
        except ValueError:
            raise ValueError(f"职工人数应为整数，当前为“{text}”。") from None
    if number != int(number) or number < 0:
        raise ValueError(f"职工人数应为不小于 0 的整数，当前为“{text}”。")
    return int(number)


def _parse_date(raw, text: str) -> datetime.date | None:
    if raw is None or text == "":
        return None
    try:
        return dates.parse_date(raw, field_label="建会日期")
    except DomainError as e:
        raise ValueError(e.message) from None


# Ordering ---------------------------------------------------------------------------------------

def _first_by_code(rows: list[_Row]) -> dict[str, _Row]:
    first: dict[str, _Row] = {}
    for row in rows:
        if row.code:
            first.setdefault(row.code, row)
    return first


def _parents_first(rows: list[_Row]) -> list[_Row]:
    """The rows ordered so that a row's parent row (if in the file) comes before it. Duplicate codes
    and cycles among the file's rows are rejected here."""
    by_code = _first_by_code(rows)
    for row in rows:
        if row.code and by_code[row.code] is not row:
            row.reject("组织代码", f"组织代码 {row.code} 在文件中重复（第{by_code[row.code].number}行已有）。")
    depth: dict[int, int] = {}
    for start in rows:
        path: list[_Row] = []
        seen: dict[int, int] = {}
        node: _Row | None = start
        while node is not None and node.number not in depth:
            if node.number in seen:
                cycle = path[seen[node.number]:]
                chain = " → ".join([r.code for r in cycle] + [node.code])
                for r in cycle:
                    r.reject(PARENT_COLUMN, f"上级组织关系存在循环：{chain}。")
                    depth[r.number] = 0
                break
            seen[node.number] = len(path)
            path.append(node)
            node = by_code.get(node.parent_code) if node.parent_code else None
        for r in reversed(path):
            if r.number not in depth:
                parent = by_code.get(r.parent_code) if r.parent_code else None
                depth[r.number] = depth[parent.number] + 1 if parent is not None else 0
    return sorted(rows, key=lambda r: (depth[r.number], r.number))


# Writing ----------------------------------------------------------------------------------------

class _Lookup:
    """The orgs on record that rows refer to, read a batch at a time instead of one query per row.

    `existing(row)`: the org with the row's 组织代码, read for the next LOOKAHEAD rows (in writing
    order) in one query. Only the row with a code writes the org with that code, and a move inside
    the import keeps each org inside or outside the importer's subtree as it was, so a batch read
    gives what a per-row read would — except for a code already written by an earlier row (a
    duplicate), which is read again. `parent(code)`: an upper org that is not in the file, read once
    per code (the import does not write it; the actions re-read it under a lock anyway)."""

    LOOKAHEAD = 100  # rows: also bounds how long a read is kept before its row is written

    def __init__(self, ordered: list[_Row], *, by):
        self.codes = [row.code for row in ordered]
        self.by = by
        self.position = 0  # rows read ahead up to here
        self.known: dict[str, Org] = {}
        self.written: set[str] = set()
        self.parents: dict[str, Org | None] = {}

    def existing(self, row: _Row, index: int) -> Org | None:
        if not row.code:
            return None
        if row.code in self.written:
            return Org.objects.filter(code=row.code).first()
        if index >= self.position:
            batch = {c for c in self.codes[index:index + self.LOOKAHEAD] if c and c not in self.written}
            self.known = {org.code: org for org in Org.objects.filter(code__in=batch)}
            self.position = index + self.LOOKAHEAD
        return self.known.get(row.code)

    def parent(self, code: str) -> Org | None:
        if code not in self.parents:
            candidates = Org.objects.filter(code=code)
            if not is_system(self.by):
                # Outside the uploader's subtree is reported like "does not exist" (scoping never tells).
                by = self.by
                candidates = candidates.filter(path__startswith=by.org.path) if by.org_id else candidates.none()
            self.parents[code] = candidates.first()
        return self.parents[code]


def _write(row: _Row, *, by, rows_by_code: dict[str, _Row], result: ImportResult, lookup: _Lookup,
           index: int) -> None:
    """Check and write one row in its own savepoint; problems go onto the row. A row already
    rejected while parsing is still checked, so that it reports all its problems at once."""
    failed_columns = {c for c, _ in row.problems}
    parent = None
    if PARENT_COLUMN not in failed_columns:
        parent = _resolve_parent(row, by=by, rows_by_code=rows_by_code, lookup=lookup)
    existing = lookup.existing(row, index)
    if existing is not None and not is_system(by) and not (by.org_id and existing.is_within(by.org)):
        # Codes are unique across the province: say it is taken, nothing about whose it is.
        row.reject("组织代码", f"组织代码 {row.code} 已被使用，请核对后重新填写。")
        return
    facts = dict(row.facts)
    if existing is None:
        full = facts
    else:
        full = {f: getattr(existing, f) for f in actions.FACT_FIELDS} | facts | {"pk": existing.pk}
    for name, message in actions.check_facts(full):
        column = FIELD_COLUMNS.get(name, "组织代码")
        if column not in failed_columns:
            row.reject(column, message)
    if existing is not None and row.parent_code == "" and existing.parent_id is not None and is_system(by):
        row.reject(PARENT_COLUMN, f"组织 {row.code} 已有上级组织，不能改为顶级组织。")
    if row.problems:
        return
    try:
        with transaction.atomic():
            if existing is None:
                org = actions.create_org(by=by, parent=parent, **facts)
            else:
                org = actions.update_org(existing, by=by, **facts)
                if parent is not None and org.parent_id != parent.pk:
                    org = actions.move_org(org, new_parent=parent, by=by)
            if facts.get("employer_uscc"):
                actions.upsert_employer(
                    by=by, uscc=org.employer_uscc, union=org, name=org.employer_name,
                    employer_type=org.employer_type, industry=org.industry, employee_count=org.employee_count,
                    region_code=org.region_code,
                )
    except DomainError as e:
        row.reject(FIELD_COLUMNS.get(e.field or "", "组织代码"), e.message)
        return
    except DatabaseError:
        logger.exception("组织导入第 %s 行写入失败", row.number)
        row.reject("组织代码", "该行写入数据库失败，请检查各列内容的长度和格式。")
        return
    row.org = org
    lookup.written.add(row.code)
    if existing is None:
        result.imported += 1
    else:
        result.updated += 1


def _resolve_parent(row: _Row, *, by, rows_by_code: dict[str, _Row], lookup: _Lookup) -> Org | None:
    """The parent org of `row`, or None for a top-level org; rejects the row when it has none."""
    code = row.parent_code
    if not code:
        if not is_system(by):
            row.reject(PARENT_COLUMN, "请填写上级组织代码（后台导入不能新建或调整顶级组织）。")
        return None
    in_file = rows_by_code.get(code)
    if in_file is not None and in_file is not row:
        if in_file.org is None:
            row.reject(PARENT_COLUMN, f"上级组织 {code} 未能导入，本行也不能导入。")
        return in_file.org
    parent = lookup.parent(code)
    if parent is None:
        row.reject(PARENT_COLUMN, f"上级组织代码 {code} 不存在（文件和系统中都没有"
                                  + ("" if is_system(by) else "，或不在您的管辖范围内") + "）。")
    return parent


# The back-office run ----------------------------------------------------------------------------

PROGRESS_EVERY = 20



def start_org_import(*, upload, by) -> ImportJob:
    """Record an import run for `by` (an org admin), keep the uploaded file outside the web root and
    queue the background task."""
    job = ImportJob.objects.create(kind="orgs", created_by=by, org=by.org, filename=Path(upload.name).name[:200])
    job.keep_upload(upload)
    run_org_import.enqueue(job.pk)
    return job


@task()
def run_org_import(job_id: int) -> None:
    """Run a queued org import as the account that uploaded it; the uploaded file is removed after."""
    job = ImportJob.objects.select_related("created_by__org").get(pk=job_id)
    upload = job.upload_path
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    by = job.created_by

    def progress(done: int, total: int) -> None:
        if done == 0 or done == total or done % PROGRESS_EVERY == 0:
            ImportJob.objects.filter(pk=job.pk).update(done=done, total=total)

    try:
        if not can_manage_orgs(by):
            raise ImportFileError("导入人的账号已停用或已无导入权限。")
        source = read_file(upload.read_bytes(), job.filename)
        result = import_orgs(source, by=by, filename=job.filename, progress=progress)
    except ImportFileError as e:
        job.finish(ImportJob.Status.FAILED, {"message": str(e)})
        return
    except Exception:
        job.finish(ImportJob.Status.FAILED, {"message": "导入过程中出现系统错误，请联系系统管理员。"})
        raise
    finally:
        upload.unlink(missing_ok=True)
    summary = result.as_dict()
    summary["errors"] = summary["errors"][:200]  # the full list is in the error workbook
    error_file = ""
    if result.rejected:
        error_file = f"{IMPORT_DIR}/{job.pk}-errors.xlsx"
        ImportJob.media_path(error_file).write_bytes(error_workbook(source, result))
    job.error_file = error_file
    job.finish(ImportJob.Status.DONE, summary, done=result.rows)



def export_row(org: Org) -> list:
    """One org as a row under EXPORT_HEADER: the import's own columns and spellings, so an exported
    sheet can be edited and imported again (the extra 层级 and 状态 columns are ignored on import)."""
    values = {"parent": org.parent.code if org.parent_id else ""}
    for name in COLUMNS.values():
        value = getattr(org, name)
        if name in ("kind", "employer_type"):
            value = getattr(org, f"get_{name}_display")()
        elif isinstance(value, bool):
            value = "是" if value else "否"
        values[name] = value
    row = [values["code"], values["parent"]] + [values[COLUMNS[c]] for c in COLUMNS if c != "组织代码"]
    return row + [org.get_level_display(), org.get_status_display()]
