"""The organization import: a sheet of orgs (.xlsx or .csv, Chinese column names) upserted by 组织代码,
declared on the one import pipeline (`common.imports`) as `ORGS`.

`import_orgs()` does the work for the command, the back-office task and tests alike. Check: every row is
parsed, duplicate codes and cycles are rejected, and every code and upper org of the file is looked up in
one query each. Write: parents first (a parent may come after its children in the file), a depth of the
tree at a time, in batches of `BATCH` rows, each batch in one transaction through the orgs actions' bulk
writes (`create_orgs`, `update_orgs`, `upsert_employers`: the same rules as the one-at-a-time actions, a
statement per batch instead of per row). A row that moves an org goes through `move_org` itself; a batch
the database refuses (someone else writing the same codes) is redone a row at a time, each row in its own
savepoint. A row is written whole or not at all; in valid-only mode the valid rows are kept.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, transaction
from django_tasks import task

from gonghui.common import dates, imports
from gonghui.common import uscc as uscc_lib
from gonghui.common.actors import is_system
from gonghui.common.errors import DomainError
from gonghui.common.excel import cell_text
from gonghui.common.imports import ImportFileError, ImportResult, Row
from gonghui.common.models import ImportJob

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
BATCH = 1000  # rows per transaction (and per INSERT)

@dataclass
class _Context:
    by: object
    index: dict[str, int]  # column → its index in the file
    by_code: dict[str, Row] = field(default_factory=dict)  # the first row of each code
    depth: dict[int, int] = field(default_factory=dict)  # row number → depth among the file's rows
    existing: dict[str, Org] = field(default_factory=dict)  # the orgs on record with the file's codes
    parents: dict[str, Org | None] = field(default_factory=dict)  # upper orgs on record the file names


def read_file(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, list]]]:
    """The header and rows of an import file; ImportFileError when it cannot be imported at all."""
    return ORGS.read(data, filename)


def import_orgs(rows_source: tuple[list[str], list[tuple[int, list]]], *, by, filename: str = "",
                mode: str = imports.VALID_ONLY, progress: Callable[[dict], None] | None = None) -> ImportResult:
    """Upsert the orgs of `rows_source` (header, [(excel_row, cells)]) as `by` (the system actor — the command
    line — alone may create top-level orgs). A row whose 组织代码 is on record counts as updated, whether
    or not any value changed. Raises ImportFileError when a required column is missing."""
    header, raw_rows = rows_source
    return imports.import_rows(ORGS, header, raw_rows, by=by, mode=mode, filename=filename, progress=progress)


def import_file(data: bytes, filename: str, *, by, mode: str = imports.VALID_ONLY,
                progress: Callable[[dict], None] | None = None) -> ImportResult:
    return import_orgs(read_file(data, filename), by=by, filename=filename, mode=mode, progress=progress)


def _prepare(header: list[str], *, by) -> _Context:
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportFileError(f"缺少必填列：{'、'.join(missing)}。表头应包含：{'、'.join(REQUIRED_COLUMNS)}。")
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        index.setdefault(name, i)
    return _Context(by=by, index=index)


# Checking ---------------------------------------------------------------------------------------

def _check(rows: list[Row], ctx: _Context) -> None:
    """Parse every row, reject duplicates and cycles, look the codes up (one query for the file's codes,
    one for the upper orgs it names but does not hold) and check each row's facts and reach."""
    for row in rows:
        _parse(row, ctx.index)
    ctx.by_code = _first_by_code(rows)
    ordered, ctx.depth = _parents_first(rows)
    by = ctx.by
    ctx.existing = _orgs_with_codes(list(ctx.by_code))
    outside = {row.values["parent_code"] for row in rows} - set(ctx.by_code) - {""}
    candidates = Org.objects.all()
    if not is_system(by):
        # Outside the uploader's subtree is reported like "does not exist" (scoping never tells).
        candidates = candidates.filter(path__startswith=by.org.path) if by.org_id else candidates.none()
    found = _orgs_with_codes(list(outside), candidates)
    ctx.parents = {code: found.get(code) for code in outside}
    employers = []
    for row in ordered:
        _check_row(row, ctx)
        facts = row.values["facts"]
        if not row.problems and facts.get("employer_uscc"):
            employers.append(row)
    # Employers covered by a union outside the uploader's reach, or new ones without a name.
    problems = actions.employer_problems([(r.values["facts"]["employer_uscc"], None, _employer_facts(r, ctx))
                                          for r in employers], by=by)
    for row, problem in zip(employers, problems, strict=True):
        if problem is not None and problem.field != "parent":
            row.reject(FIELD_COLUMNS.get(problem.field or "", "组织代码"), problem.message)


def _orgs_with_codes(codes: list[str], queryset=None) -> dict[str, Org]:
    queryset = Org.objects.all() if queryset is None else queryset
    found: dict[str, Org] = {}
    for i in range(0, len(codes), 5000):
        found.update((o.code, o) for o in queryset.filter(code__in=codes[i:i + 5000]))
    return found


def _check_row(row: Row, ctx: _Context) -> None:
    """The row's reach, parent and facts; a row already rejected while parsing is still checked, so that
    it reports all its problems at once."""
    by, facts, code = ctx.by, row.values["facts"], row.values["code"]
    failed_columns = {c for c, _ in row.problems}
    if PARENT_COLUMN not in failed_columns:
        _check_parent(row, ctx)
    existing = ctx.existing.get(code) if ctx.by_code.get(code) is row else None
    if existing is not None and not is_system(by) and not (by.org_id and existing.is_within(by.org)):
        # Codes are unique across the province: say it is taken, nothing about whose it is.
        row.reject("组织代码", f"组织代码 {code} 已被使用，请核对后重新填写。")
        return
    row.values["existing"] = existing
    full = facts if existing is None else {f: getattr(existing, f) for f in actions.FACT_FIELDS} | facts
    for name, message in actions.check_facts(full, code_looked_up=True):
        column = FIELD_COLUMNS.get(name, "组织代码")
        if column not in failed_columns:
            row.reject(column, message)
    if existing is not None and row.values["parent_code"] == "" and existing.parent_id is not None and is_system(by):
        row.reject(PARENT_COLUMN, f"组织 {code} 已有上级组织，不能改为顶级组织。")


def _check_parent(row: Row, ctx: _Context) -> None:
    code = row.values["parent_code"]
    if not code:
        if not is_system(ctx.by):
            row.reject(PARENT_COLUMN, "请填写上级组织代码（后台导入不能新建或调整顶级组织）。")
        return
    in_file = ctx.by_code.get(code)
    if in_file is not None and in_file is not row:
        if in_file.problems:  # checked before this row: parents come first
            row.reject(PARENT_COLUMN, f"上级组织 {code} 未能导入，本行也不能导入。")
        return
    if ctx.parents.get(code) is None:
        row.reject(PARENT_COLUMN, f"上级组织代码 {code} 不存在（文件和系统中都没有"
                                  + ("，或不在您的管辖范围内" if not is_system(ctx.by) else "") + "）。")


def _employer_facts(row: Row, ctx: _Context) -> dict:
    """The employer's facts as `upsert_employer` takes them: the org's, after the row's changes."""
    facts, existing = row.values["facts"], row.values.get("existing")

    def value(name):
        return facts[name] if name in facts else (getattr(existing, name) if existing is not None else
                                                  Org._meta.get_field(name).get_default())
    return {"name": value("employer_name"), "employer_type": value("employer_type"), "industry": value("industry"),
            "employee_count": value("employee_count"), "region_code": value("region_code")}


# Parsing ----------------------------------------------------------------------------------------

def _parse(row: Row, index: dict[str, int]) -> None:
    cells = row.cells

    def value(column: str):
        i = index.get(column)
        return cells[i] if i is not None and i < len(cells) else None

    row.values["code"] = cell_text(value("组织代码"))
    row.values["parent_code"] = cell_text(value(PARENT_COLUMN))
    facts = row.values["facts"] = {}
    for column, name in COLUMNS.items():
        if column not in index:
            continue  # an optional column left out of the file: an update keeps what is on record
        try:
            facts[name] = _convert(name, value(column))
        except ValueError as e:
            row.reject(column, str(e))


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


def _first_by_code(rows: list[Row]) -> dict[str, Row]:
    first: dict[str, Row] = {}
    for row in rows:
        if row.values["code"]:
            first.setdefault(row.values["code"], row)
    return first


def _parents_first(rows: list[Row]) -> tuple[list[Row], dict[int, int]]:
    """The rows ordered so that a row's parent row (if in the file) comes before it, and each row's depth
    among the file's rows. Duplicate codes and cycles among the file's rows are rejected here."""
    by_code = _first_by_code(rows)
    for row in rows:
        code = row.values["code"]
        if code and by_code[code] is not row:
            row.reject("组织代码", f"组织代码 {code} 在文件中重复（第{by_code[code].number}行已有）。")
    depth: dict[int, int] = {}

    def parent_row(r: Row) -> Row | None:
        return by_code.get(r.values["parent_code"]) if r.values["parent_code"] else None

    for start in rows:
        path: list[Row] = []
        seen: dict[int, int] = {}
        node: Row | None = start
        while node is not None and node.number not in depth:
            if node.number in seen:
                cycle = path[seen[node.number]:]
                chain = " → ".join([r.values["code"] for r in cycle] + [node.values["code"]])
                for r in cycle:
                    r.reject(PARENT_COLUMN, f"上级组织关系存在循环：{chain}。")
                    depth[r.number] = 0
                break
            seen[node.number] = len(path)
            path.append(node)
            node = parent_row(node)
        for r in reversed(path):
            if r.number not in depth:
                parent = parent_row(r)
                depth[r.number] = depth[parent.number] + 1 if parent is not None else 0
    return sorted(rows, key=lambda r: (depth[r.number], r.number)), depth


# Writing ----------------------------------------------------------------------------------------

def _write(rows: list[Row], ctx: _Context, result: ImportResult, progress: Callable[[int], None]) -> None:
    """Write the checked rows a depth at a time (a row's parent is written before it), BATCH rows to a
    transaction."""
    layers: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        layers[ctx.depth[row.number]].append(row)
    done = 0
    for depth in sorted(layers):
        layer = sorted(layers[depth], key=lambda r: r.number)
        for i in range(0, len(layer), BATCH):
            batch = layer[i:i + BATCH]
            _write_batch(batch, ctx, result)
            result.batches += 1
            done += len(batch)
            progress(done)


def _write_batch(rows: list[Row], ctx: _Context, result: ImportResult) -> None:
    problems = {row.number: len(row.problems) for row in rows}
    counts = (result.imported, result.updated)
    try:
        with transaction.atomic():
            _write_together(rows, ctx, result)
    except (DatabaseError, DomainError):
        # Someone else wrote the same codes or employers meanwhile: redo the batch a row at a time.
        logger.info("组织导入：一批 %s 行改为逐行写入", len(rows))
        result.imported, result.updated = counts
        for row in rows:
            del row.problems[problems[row.number]:]
            row.written = None
        for row in rows:
            _write_one(row, ctx, result)


def _parent_of(row: Row, ctx: _Context) -> tuple[bool, Org | None]:
    """(found, the parent org) for a row about to be written; rejects the row when its parent row failed."""
    code = row.values["parent_code"]
    if not code:
        return True, None
    in_file = ctx.by_code.get(code)
    if in_file is not None and in_file is not row:
        if in_file.written is None:
            row.reject(PARENT_COLUMN, f"上级组织 {code} 未能导入，本行也不能导入。")
            return False, None
        return True, in_file.written
    return True, ctx.parents[code]


def _write_together(rows: list[Row], ctx: _Context, result: ImportResult) -> None:
    """One batch of rows at the same depth: moves one at a time (they rewrite paths below them), then
    the new orgs, the changed facts and the employers, each with one statement."""
    new, changes, moves = [], [], []
    for row in rows:
        found, parent = _parent_of(row, ctx)
        if not found:
            continue
        existing = row.values.get("existing")
        if existing is None:
            new.append((row, parent))
        elif parent is not None and existing.parent_id != parent.pk:
            moves.append(row)
        else:
            changes.append(row)
    for row in moves:
        _write_one(row, ctx, result)
    written = []
    for (row, _), outcome in zip(new, actions.create_orgs([(p, row.values["facts"]) for row, p in new], by=ctx.by),
                                 strict=True):
        written.append((row, outcome, "imported"))
    outcomes = actions.update_orgs([(row.values["existing"], row.values["facts"]) for row in changes], by=ctx.by)
    written += [(row, outcome, "updated") for row, outcome in zip(changes, outcomes, strict=True)]
    employers = []
    for row, outcome, count in written:
        if isinstance(outcome, DomainError):
            row.reject(FIELD_COLUMNS.get(outcome.field or "", "组织代码"), outcome.message)
            continue
        row.written = outcome
        setattr(result, count, getattr(result, count) + 1)
        if row.values["facts"].get("employer_uscc"):
            employers.append((outcome.employer_uscc, outcome, _employer_of(outcome)))
    actions.upsert_employers(employers, by=ctx.by)


def _employer_of(org: Org) -> dict:
    return {"name": org.employer_name, "employer_type": org.employer_type, "industry": org.industry,
            "employee_count": org.employee_count, "region_code": org.region_code}


def _write_one(row: Row, ctx: _Context, result: ImportResult) -> None:
    """One row through the one-at-a-time actions, in its own savepoint: for moves, and for a batch the
    database refused."""
    found, parent = _parent_of(row, ctx)
    if not found:
        return
    facts, by = row.values["facts"], ctx.by
    try:
        with transaction.atomic():
            existing = Org.objects.filter(code=row.values["code"]).first()
            if existing is not None and not is_system(by) and not (by.org_id and existing.is_within(by.org)):
                raise DomainError(f"组织代码 {row.values['code']} 已被使用，请核对后重新填写。", field="code")
            if existing is None:
                org = actions.create_org(by=by, parent=parent, **facts)
            else:
                org = actions.update_org(existing, by=by, **facts)
                if parent is not None and org.parent_id != parent.pk:
                    org = actions.move_org(org, new_parent=parent, by=by)
            if facts.get("employer_uscc"):
                actions.upsert_employer(by=by, uscc=org.employer_uscc, union=org, **_employer_of(org))
    except DomainError as e:
        row.reject(FIELD_COLUMNS.get(e.field or "", "组织代码"), e.message)
        return
    except DatabaseError:
        logger.exception("组织导入第 %s 行写入失败", row.number)
        row.reject("组织代码", "该行写入数据库失败，请检查各列内容的长度和格式。")
        return
    row.written = org
    if existing is None:
        result.imported += 1
    else:
        result.updated += 1


ORGS = imports.Importer(
    kind="orgs", noun="组织", suffixes=(".xlsx", ".csv"), max_bytes=MAX_UPLOAD_BYTES,
    counts="新增 {imported} 个组织，更新 {updated} 个", modes=True,
    urls={"page": "admin:orgs_org_import", "status": "admin:orgs_org_import_status",
          "errors": "admin:orgs_org_import_errors", "list": "admin:orgs_org_changelist"},
    prepare=_prepare, check=_check, write=_write,
)


# The back-office run ----------------------------------------------------------------------------

def start_org_import(*, upload, by, mode: str = imports.VALID_ONLY) -> ImportJob:
    """Record an import run for `by` (an org admin), keep the uploaded file outside the web root and
    queue the background task."""
    return imports.start_job(ORGS, upload=upload, by=by, task=run_org_import, summary={"mode": mode})


@task()
def run_org_import(job_id: int) -> None:
    """Run a queued org import as the account that uploaded it."""
    def work(job: ImportJob, upload: Path) -> ImportResult:
        if not can_manage_orgs(job.created_by):
            raise ImportFileError("导入人的账号已停用或已无导入权限。")
        return import_orgs(read_file(upload.read_bytes(), job.filename), by=job.created_by, filename=job.filename,
                           mode=job.summary.get("mode", imports.VALID_ONLY), progress=imports.job_progress(job))

    imports.run_job(ORGS, job_id, work)


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
