"""The one import pipeline (common.imports) on its own, with a small declared import: issue 12, point 3
"Imports" — valid-only against all-or-nothing, the error workbook (the file's own header, faulty cells
marked), stored encrypted, progress on the job."""

import io
import zipfile

import pytest
from openpyxl import load_workbook

from gonghui.common import audit, imports
from gonghui.common.actors import system_actor
from gonghui.common.excel import ERROR_FILL, build_workbook
from gonghui.common.imports import ALL_OR_NOTHING, VALID_ONLY, ImportFileError, Row
from gonghui.common.models import AuditEntry, ImportJob
from gonghui.conftest import make_cadre

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"
HEADER = [" 姓 名 ", "手机号", "身份证号", "备注"]


def _prepare(header, *, by):
    names = [h.replace(" ", "") for h in header]
    if "姓名" not in names:
        raise ImportFileError("缺少必填列：姓名。")
    return {"name": names.index("姓名"), "phone": names.index("手机号"), "by": by}


def _check(rows: list[Row], ctx) -> None:
    for row in rows:
        name, phone = str(row.cells[ctx["name"]] or ""), str(row.cells[ctx["phone"]] or "")
        if not name:
            row.reject(" 姓 名 ", "姓名不能为空。")
        if len(phone) != 11:
            row.reject("手机号", "手机号应为11位。")
        row.values["name"] = name


def _write(rows: list[Row], ctx, result, progress) -> None:
    """Writes an audit row per row; a name "迟到" is refused by the write itself (a rule needing the database)."""
    for done, row in enumerate(rows, start=1):
        if row.values["name"] == "迟到":
            row.reject(" 姓 名 ", "写入时被拒绝。")
        else:
            row.written = audit.record("toy", actor=ctx["by"], object_repr=row.values["name"])
            result.imported += 1
        progress(done)


audit.register({"toy": "样例导入"})  # the toy import's rows are audited like a real import's
TOY = imports.Importer(kind="toy", noun="样例", suffixes=(".xlsx", ".csv"), max_bytes=1024,
                       counts="导入 {imported} 条", urls={}, prepare=_prepare, check=_check, write=_write, modes=True)


def rows(*cells) -> list[tuple[int, list]]:
    return [(i + 2, list(c)) for i, c in enumerate(cells)]


GOOD = ["张三", PHONE, ID_NUMBER, "甲"]
BAD_PHONE = ["李四", "1381234", ID_NUMBER, "乙"]
LATE = ["迟到", PHONE, ID_NUMBER, "丙"]


def test_valid_only_writes_the_valid_rows_and_rejects_the_rest(tree):
    """Point 3: valid-only keeps the valid rows (checked and written), rejected rows are reported once each
    in file order, whether refused by the check or by the write."""
    by = make_cadre(tree["K11"], "operator")
    result = imports.import_rows(TOY, HEADER, rows(GOOD, BAD_PHONE, LATE, GOOD), by=by, filename="a.xlsx")
    assert (result.rows, result.imported, result.rejected) == (4, 2, 2)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (3, "手机号", "手机号应为11位。"), (4, " 姓 名 ", "写入时被拒绝。")]
    assert AuditEntry.objects.filter(action="toy").count() == 2
    assert [e.object_repr for e in result.written] == ["张三", "张三"]
    run = AuditEntry.objects.get(action="import")
    assert run.changes == {"rows": 4, "imported": 2, "updated": 0, "rejected": 2, "mode": VALID_ONLY}
    assert run.object_repr == "样例导入 a.xlsx"


def test_all_or_nothing_writes_nothing_when_a_row_fails(tree):
    """Point 3: all-or-nothing writes nothing when any row is rejected: by the check (nothing is written at
    all) or by the write (everything written is rolled back); a clean file is written whole."""
    by = make_cadre(tree["K11"], "operator")
    checked = imports.import_rows(TOY, HEADER, rows(GOOD, BAD_PHONE), by=by, mode=ALL_OR_NOTHING)
    assert (checked.imported, checked.rejected) == (0, 1)
    refused = imports.import_rows(TOY, HEADER, rows(GOOD, GOOD, LATE), by=by, mode=ALL_OR_NOTHING)
    assert (refused.imported, refused.rejected, refused.written) == (0, 1, [])
    assert refused.errors[0].row == 4
    assert not AuditEntry.objects.filter(action="toy").exists()
    clean = imports.import_rows(TOY, HEADER, rows(GOOD, GOOD), by=by, mode=ALL_OR_NOTHING)
    assert (clean.imported, clean.rejected) == (2, 0)
    assert AuditEntry.objects.filter(action="toy").count() == 2


def test_unknown_mode_and_missing_column_refuse_the_file(tree):
    with pytest.raises(ImportFileError, match="导入方式"):
        imports.import_rows(TOY, HEADER, rows(GOOD), by=system_actor(), mode="some")
    with pytest.raises(ImportFileError, match="缺少必填列：姓名"):
        imports.import_rows(TOY, ["手机号"], rows([PHONE]), by=system_actor())


def test_error_workbook_repeats_the_files_header_and_marks_the_faulty_cells(tree):
    """Point 3: the error workbook has the file's own header (spelled as in the file) and a 错误说明 column;
    the rejected rows as read; the faulty cells and the explanation highlighted, the others not."""
    result = imports.import_rows(TOY, HEADER, rows(GOOD, ["", "1", ID_NUMBER, "丁"]), by=system_actor())
    sheet = load_workbook(io.BytesIO(result.error_workbook())).active
    assert [c.value for c in sheet[1]] == HEADER + ["错误说明"]
    assert [c.value for c in sheet[2]][1:4] == ["1", ID_NUMBER, "丁"]
    assert sheet["E2"].value == "第3行：【 姓 名 】姓名不能为空。；【手机号】手机号应为11位。"
    red = ERROR_FILL.fgColor.rgb[-6:]
    marked = {c.coordinate for c in sheet[2] if c.fill.fgColor.rgb and c.fill.fgColor.rgb.endswith(red)}
    assert marked == {"A2", "B2", "E2"}
    assert sheet.max_row == 2


def test_error_workbook_stored_encrypted_on_the_job(tree, settings, tmp_path):
    """Point 3: the stored error workbook is ciphertext (no workbook, no clear ID number or phone in its
    bytes) bound to its job; the job reads it back as the workbook."""
    settings.MEDIA_ROOT = tmp_path
    by = make_cadre(tree["K11"], "operator")
    result = imports.import_rows(TOY, HEADER, rows(["王五", PHONE + "9", ID_NUMBER, "备注"]), by=by)
    job = imports.keep_run(TOY, result, by=by, filename="名单.xlsx")
    raw = (tmp_path / job.error_file).read_bytes()
    assert job.error_file.endswith(".enc") and not zipfile.is_zipfile(io.BytesIO(raw))
    for clear in (ID_NUMBER, PHONE, "王五"):
        assert clear.encode() not in raw
    values = [c.value for row in load_workbook(io.BytesIO(job.read_error_file())).active.iter_rows() for c in row]
    assert ID_NUMBER in values and PHONE + "9" in values
    other = ImportJob.objects.create(kind="toy", created_by=by, org=by.org, filename="x.xlsx",
                                     error_file=job.error_file)
    assert other.read_error_file() is None  # sealed to its own job
    assert (job.status, job.summary["rejected"], job.total) == (ImportJob.Status.DONE, 1, 1)


def test_progress_is_written_on_the_job(tree):
    """Point 3: progress goes onto the job (done, total and the counts so far), the first and last call
    always, the ones between at most every PROGRESS_EVERY seconds."""
    by = make_cadre(tree["K11"], "operator")
    job = ImportJob.objects.create(kind="toy", created_by=by, org=by.org, filename="a.xlsx", summary={"mode": "x"})
    seen = []
    progress = imports.job_progress(job)

    def spy(counts):
        progress(counts)
        job.refresh_from_db()
        seen.append((job.done, job.total, job.summary.get("imported")))

    imports.import_rows(TOY, HEADER, rows(GOOD, GOOD, BAD_PHONE), by=by, progress=spy)
    assert seen[0] == (0, 3, 0) and seen[-1] == (3, 3, 2)
    assert job.summary["mode"] == "x"  # what the job was started with is kept


def test_upload_check_type_then_size():
    """Point 3: the one upload check — the type by its suffix, then the size."""
    class Upload:
        def __init__(self, name, size):
            self.name, self.size = name, size

    assert TOY.upload_problem(Upload("a.XLSX", 10)) is None
    assert TOY.upload_problem(Upload("a.txt", 10)) == "只支持 Excel 文件（.xlsx）或 CSV 文件，请用导入模板填写。"
    assert "不能超过 0 MB" in TOY.upload_problem(Upload("a.csv", 2048))
    with pytest.raises(ImportFileError, match="只支持"):
        TOY.read(build_workbook("x", ["姓名"], []), "a.xls")
