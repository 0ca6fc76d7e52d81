"""Issue 3 part 6: the member import engine and `gonghui import-members` (both modes, duplicates,
transfers, rejoins, member numbers, the error workbook, interrupted and concurrent imports) and
part 4's raw database scan after an import. Each test names the criterion it covers."""

import datetime
import io
import json
import multiprocessing
import threading

import openpyxl
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection

from gonghui.common.actors import system_actor
from gonghui.common.excel import ERROR_FILL
from gonghui.common.models import AuditEntry, ImportJob
from gonghui.conftest import build_tree, make_cadre
from gonghui.members import importing, numbers
from gonghui.members.actions import NEEDS_TRANSFER, end_membership, join_member
from gonghui.members.models import Member, MemberEvent
from gonghui.orgs.actions import dissolve_org

from .conftest import make_facts, make_id

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "身份证号", "手机号", "入会日期", "会员证号"]
POSTGRES_ONLY = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="SQLite serialises writers on one database lock: concurrent imports need PostgreSQL (DATABASE_URL)",
)


def ids(n: int, start: int = 300) -> list[str]:
    return [make_id(seq=start + i) for i in range(n)]


def write_xlsx(path, rows, header=HEADER, *, above=()):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in above:
        ws.append(list(row))
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def run(tmp_path, rows, org, *, header=HEADER, above=(), name="members.xlsx", **kwargs):
    path = write_xlsx(tmp_path / name, rows, header, above=above)
    return importing.import_members(path, org=org, by=kwargs.pop("by", None) or system_actor(), **kwargs)


def errors_by_row(result) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for e in result.errors:
        found.setdefault(e.row, []).append((e.column, e.message))
    return found


def people(n: int, start: int = 300) -> list[list]:
    return [["张三", number, "", "2020-05-01", ""] for number in ids(n, start)]


# Reading the file -------------------------------------------------------------------------------

def test_import_valid_rows_become_members_with_joined_event_and_one_audit_entry(tree, tmp_path):
    """Part 6: valid rows are committed as members of the org (source import), each with a 入会
    event noted 批量导入; one audit entry for the whole import with its counts, none per row."""
    id1, id2 = ids(2)
    result = run(tmp_path, [["张三", id1, "13812345678", "2020-05-01", ""],
                            ["阿依古丽·买买提", id2, "", datetime.date(2021, 3, 4), ""]], tree["G1111"])
    assert (result.rows, result.imported, result.rejected, result.errors) == (2, 2, 0, [])
    members = list(Member.objects.order_by("id"))
    assert [(m.name, m.org, m.source, m.status, m.join_date) for m in members] == [
        ("张三", tree["G1111"], "import", "active", datetime.date(2020, 5, 1)),
        ("阿依古丽·买买提", tree["G1111"], "import", "active", datetime.date(2021, 3, 4)),
    ]
    assert members[0].mobile_masked == "138****5678"
    assert members[0].id_masked == id1[:6] + "********" + id1[-4:]
    assert all(numbers.is_valid(m.member_number) for m in members)
    events = list(MemberEvent.objects.order_by("id").values_list("member", "kind", "date", "org", "note"))
    assert events == [(m.pk, "joined", m.join_date, tree["G1111"].pk, "批量导入") for m in members]
    entry = AuditEntry.objects.get(action="import")
    assert "members.xlsx" in entry.object_repr
    assert not AuditEntry.objects.filter(object_type="members.member").exists()
    assert entry.changes == {"org": "合肥瑶海机械有限公司工会（G1111）", "mode": "valid-only", "rows": 2,
                             "imported": 2, "updated": 0, "rejected": 0}


def test_import_header_under_title_row_in_any_order_with_spaces(tree, tmp_path):
    """Part 6 headers: order free, surrounding (full-width) spaces ignored, a title row above,
    unknown columns ignored, blank rows skipped; `row` is the row number as Excel shows it."""
    id1, id2 = ids(2)
    header = ["　入会日期 ", "备注", " 身份证号", "姓 名"]
    rows = [["2020-05-01", "随便写", id1, "张三"], [None, None, None, None], ["2020-05-01", "", id2, "李四1"]]
    result = run(tmp_path, rows, tree["G1111"], header=header, above=[["2026年会员花名册"], []])
    assert (result.rows, result.imported, result.rejected) == (2, 1, 1)
    assert errors_by_row(result) == {6: [("姓名", "姓名不能包含数字，请填写证件上的姓名。")]}
    assert Member.objects.get().name == "张三"


def test_import_missing_required_column_is_a_file_error(tree, tmp_path):
    """Part 6: 姓名 and 身份证号 are required columns; without one the file is refused in Chinese."""
    with pytest.raises(importing.ImportFileError, match="缺少必填列：身份证号"):
        run(tmp_path, [["张三", "2020-05-01"]], tree["G1111"], header=["姓名", "入会日期"])
    with pytest.raises(importing.ImportFileError, match="没有找到表头"):
        run(tmp_path, [["张三", "x"]], tree["G1111"], header=["名字", "证件"])
    (tmp_path / "members.csv").write_text("姓名,身份证号\n")
    with pytest.raises(importing.ImportFileError, match="只支持 Excel 文件"):
        importing.import_members(tmp_path / "members.csv", org=tree["G1111"], by=system_actor())
    assert not Member.objects.exists()


def test_import_invalid_cells_reported_by_row_and_column(tree, tmp_path):
    """Part 2 through the import: each problem names the column (Chinese header) and the Excel row;
    the message repeats no ID or mobile number."""
    good, bad_check = make_id(seq=301), make_id(seq=302)[:-1] + "0"
    if bad_check == make_id(seq=302):
        bad_check = bad_check[:-1] + "1"
    rows = [["张三", good, "", "2020-05-01", ""],
            ["李四", bad_check, "1381234567", "2020-13-01", ""]]
    result = run(tmp_path, rows, tree["G1111"])
    assert (result.imported, result.rejected) == (1, 1)
    found = errors_by_row(result)
    assert [c for c, _ in found[3]] == ["身份证号", "手机号", "入会日期"]
    assert "校验位" in found[3][0][1]
    text = json.dumps(result.as_dict(), ensure_ascii=False)
    assert bad_check not in text and "1381234567" not in text


def test_import_excel_number_id_rejected_with_format_as_text_message(tree, tmp_path):
    """Part 2: an ID that Excel turned into a number (numeric cell, scientific notation) is refused,
    telling the user to format the column as text."""
    number = make_id(seq=305)
    rows = [["张三", float(number[:-1] + "1"), "", "2020-05-01", ""], ["李四", "3.40102E+17", "", "2020-05-01", ""]]
    result = run(tmp_path, rows, tree["G1111"])
    assert result.rejected == 2
    for row in (2, 3):
        [(column, message)] = errors_by_row(result)[row]
        assert column == "身份证号" and "单元格格式设置为“文本”" in message


# Duplicates, transfers, rejoins -------------------------------------------------------------------

def test_import_duplicate_id_in_file_keeps_first_and_names_its_row(tree, tmp_path):
    """Part 6: the first occurrence of an ID in the file is kept; later rows (also the 15-digit form
    of the same number) are rejected naming the first row."""
    id18 = make_id(birth="19800101", seq=311)
    id15 = id18[:6] + id18[8:17]
    rows = [["张三", id18, "", "2020-05-01", ""], ["张三", f" {id18.lower()} ", "", "2020-05-01", ""],
            ["张三", id15, "", "2020-05-01", ""]]
    result = run(tmp_path, rows, tree["G1111"])
    assert (result.imported, result.rejected) == (1, 2)
    message = "与第2行的身份证号重复：同一人只导入第一次出现的行。"
    assert errors_by_row(result) == {3: [("身份证号", message)], 4: [("身份证号", message)]}


def test_import_duplicate_of_a_rejected_first_row_is_still_a_duplicate(tree, tmp_path):
    """Part 6: "first occurrence kept" holds even when the first row is itself rejected for another
    column: fixing the file then imports the person once."""
    number = make_id(seq=313)
    result = run(tmp_path, [["张三3", number, "", "2020-05-01", ""], ["张三", number, "", "2020-05-01", ""]],
                 tree["G1111"])
    assert result.imported == 0
    assert errors_by_row(result)[3] == [("身份证号", "与第2行的身份证号重复：同一人只导入第一次出现的行。")]


def test_import_active_elsewhere_rejected_with_transfer_message_revealing_nothing(tree, tmp_path, member_factory):
    """Part 6: an ID active in another union is refused with the transfer message; nothing about the
    other union or the person appears in the result or the error workbook."""
    other = member_factory("G2111", name="欧阳娜娜", id_number=make_id(seq=321), member_number="OLD-77")
    result = run(tmp_path, [["张三", make_id(seq=321), "", "2020-05-01", ""]], tree["G1111"])
    assert (result.imported, result.rejected) == (0, 1)
    assert errors_by_row(result) == {2: [("身份证号", NEEDS_TRANSFER)]}
    ws = openpyxl.load_workbook(io.BytesIO(result.error_workbook())).active
    text = json.dumps(result.as_dict(), ensure_ascii=False) + str([c.value for row in ws.iter_rows() for c in row])
    for secret in ("欧阳娜娜", "OLD-77", tree["G2111"].name, "G2111", tree["T211"].name, "芜湖"):
        assert secret not in text
    other.refresh_from_db()
    assert other.org == tree["G2111"] and Member.objects.count() == 1


def test_import_same_org_reimport_rejected_as_already_registered(tree, tmp_path):
    """Part 6: importing the same file twice into the same union adds nobody the second time."""
    run(tmp_path, people(3), tree["G1111"])
    result = run(tmp_path, people(3), tree["G1111"])
    assert (result.imported, result.rejected) == (0, 3)
    assert {m for e in result.errors for m in [e.message]} == {"该会员已在本工会登记，无需重复导入。"}
    assert Member.objects.count() == 3 == MemberEvent.objects.count()


def test_import_rejoins_member_who_left_keeping_the_number(tree, tmp_path, member_factory):
    """Part 5 through the import: a person whose membership ended (left) rejoins in the importing
    union on the same record, keeping the member number; a rejoined event is written."""
    former = member_factory("G2111", id_number=make_id(seq=331))
    end_membership(former, status=Member.Status.LEFT, date=datetime.date(2021, 1, 1), by=system_actor())
    job = ImportJob.objects.create(kind="members", created_by=make_cadre(tree["K11"], "operator"), org=tree["K11"],
                                   filename="m.xlsx")
    result = run(tmp_path, [["张三", make_id(seq=331), "13900001111", "2022-02-02", "IGNORED-1"]], tree["G1111"],
                 job=job)
    assert (result.imported, result.rejected) == (1, 0)
    member = Member.objects.get()
    assert (member.pk, member.org, member.status, member.member_number) == (
        former.pk, tree["G1111"], "active", former.member_number)
    assert (member.source, member.import_job, member.mobile_masked) == ("import", job, "139****1111")
    event = member.events.order_by("-id").first()
    assert (event.kind, event.org, event.note, event.date) == ("rejoined", tree["G1111"], "批量导入",
                                                              datetime.date(2022, 2, 2))


def test_import_deceased_person_rejected_with_the_action_message(tree, tmp_path, member_factory):
    """Part 5: a record ended by death cannot be imported again; the action's message is reported."""
    gone = member_factory("G1111", id_number=make_id(seq=333))
    end_membership(gone, status=Member.Status.DECEASED, date=datetime.date(2021, 1, 1), by=system_actor())
    result = run(tmp_path, [["张三", make_id(seq=333), "", "2022-02-02", ""]], tree["G1111"])
    assert result.imported == 0
    [(column, message)] = errors_by_row(result)[2]
    assert column == "身份证号" and "已登记为去世" in message


# Member numbers ---------------------------------------------------------------------------------

def test_import_member_numbers_given_duplicate_taken_and_generated(tree, tmp_path, member_factory):
    """Part 5 numbers through the import: a given number is kept; a number repeated in the file is
    refused naming the first row; one already used is refused; blank ones are issued by the scheme."""
    member_factory("G2111", id_number=make_id(seq=341), member_number="TAKEN-1")
    a, b, c, d, e = ids(5, start=342)
    rows = [["张三", a, "", "2020-05-01", "LEGACY-001"], ["李四", b, "", "2020-05-01", "legacy-001"],
            ["王五", c, "", "2020-05-01", "TAKEN-1"], ["赵六", d, "", "2020-05-01", ""],
            ["钱七", e, "", "2020-05-01", None]]
    result = run(tmp_path, rows, tree["G1111"])
    assert errors_by_row(result) == {
        3: [("会员证号", "与第2行的会员证号重复，请核对或留空由系统生成。")],
        4: [("会员证号", "会员证号已被使用，请核对或留空由系统生成。")],
    }
    issued = list(Member.objects.filter(org=tree["G1111"]).order_by("id").values_list("member_number", flat=True))
    assert issued[0] == "LEGACY-001"
    assert len(issued) == 3 and all(numbers.is_valid(n) for n in issued[1:]) and issued[1] != issued[2]
    assert issued[1][:2] == "34" and issued[1][2:6] == str(datetime.date.today().year)


def test_import_issued_number_skips_one_already_imported_as_legacy(tree, tmp_path, member_factory):
    """Part 5: a blank number is never issued as one a previous import brought in as given."""
    prefix = f"34{datetime.date.today().year}"
    collision = prefix + "00000001" + numbers.check_char(prefix + "00000001")
    member_factory("G2111", id_number=make_id(seq=351), member_number=collision)
    result = run(tmp_path, people(1, start=352), tree["G1111"])
    assert result.imported == 1
    number = Member.objects.get(org=tree["G1111"]).member_number
    assert number != collision and numbers.is_valid(number)


# Modes ------------------------------------------------------------------------------------------

def test_import_all_or_nothing_commits_nothing_when_a_row_is_invalid(tree, tmp_path):
    """Part 6 all-or-nothing: one invalid row and nothing is committed; the invalid row is reported."""
    rows = people(3) + [["李四", "123", "", "2020-05-01", ""]]
    result = run(tmp_path, rows, tree["G1111"], mode=importing.ALL_OR_NOTHING, batch_rows=2)
    assert (result.rows, result.imported, result.rejected) == (4, 0, 1)
    assert list(errors_by_row(result)) == [5]
    assert not Member.objects.exists() and not MemberEvent.objects.exists()
    assert AuditEntry.objects.get(action="import").changes["imported"] == 0


def test_import_all_or_nothing_commits_every_row_when_all_are_valid(tree, tmp_path):
    """Part 6 all-or-nothing: all rows valid → all committed (several batches, one transaction)."""
    result = run(tmp_path, people(5), tree["G1111"], mode=importing.ALL_OR_NOTHING, batch_rows=2)
    assert (result.rows, result.imported, result.rejected) == (5, 5, 0)
    assert Member.objects.count() == 5 == MemberEvent.objects.count()


def test_import_all_or_nothing_conflict_while_writing_rolls_everything_back(tree, tmp_path, member_factory):
    """Part 6 all-or-nothing: a row the database refuses (active elsewhere), found while writing the
    last batch, rolls back the batches written before it and is reported."""
    rows = people(5)
    member_factory("G2111", id_number=rows[4][1])
    result = run(tmp_path, rows, tree["G1111"], mode=importing.ALL_OR_NOTHING, batch_rows=2)
    assert (result.imported, result.rejected) == (0, 1)
    assert errors_by_row(result) == {6: [("身份证号", NEEDS_TRANSFER)]}
    assert Member.objects.filter(org=tree["G1111"]).count() == 0
    assert MemberEvent.objects.filter(org=tree["G1111"]).count() == 0


def test_import_valid_only_batches_commit_valid_rows_across_batches(tree, tmp_path):
    """Part 6 valid-only: valid rows of every batch are committed, invalid ones reported in file order."""
    rows = people(5)
    rows[1][0] = "李4"
    rows[3][3] = "2099-01-01"
    result = run(tmp_path, rows, tree["G1111"], batch_rows=2)
    assert (result.imported, result.rejected, result.batches) == (3, 2, 3)
    assert [e.row for e in result.errors] == [3, 5]
    assert Member.objects.count() == 3


def test_import_with_worker_processes_gives_the_same_result(tree, tmp_path):
    """Performance design: the check runs in forked worker processes for large files; the outcome is
    the same as in one process (file order, errors, duplicates)."""
    rows = people(7)
    rows[2][1] = "bad"
    rows[5][1] = rows[0][1]
    result = run(tmp_path, rows, tree["G1111"], workers=2, batch_rows=3)
    assert (result.imported, result.rejected) == (5, 2)
    assert [(e.row, e.column) for e in result.errors] == [(4, "身份证号"), (7, "身份证号")]
    assert "与第2行" in result.errors[1].message


def test_import_refuses_target_outside_account_or_dissolved(tree, tmp_path):
    """Part 6 back office: the account must be allowed to edit members in the target's subtree; the
    target must be active."""
    path = write_xlsx(tmp_path / "m.xlsx", people(1))
    for by in (make_cadre(tree["K12"], "operator"), make_cadre(tree["K11"], "auditor")):
        with pytest.raises(importing.ImportFileError, match="没有在该工会办理会员业务的权限"):
            importing.import_members(path, org=tree["G1111"], by=by)
    dissolved = dissolve_org(tree["G1112"], by=system_actor(), reason="撤销")
    with pytest.raises(importing.ImportFileError, match="已撤销或合并"):
        importing.import_members(path, org=dissolved, by=system_actor())
    assert importing.import_members(path, org=tree["G1111"], by=make_cadre(tree["K11"], "operator")).imported == 1


# Interrupted imports ----------------------------------------------------------------------------

class LoseDatabase:
    """An execute wrapper that fails the `nth` statement containing `marker`, as a lost database would."""

    def __init__(self, marker: str, nth: int):
        self.marker, self.nth, self.seen = marker, nth, 0

    def __call__(self, execute, sql, params, many, context):
        if self.marker in sql:
            self.seen += 1
            if self.seen == self.nth:
                raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


def test_import_interrupted_leaves_whole_batches_that_the_job_reports(tree, tmp_path):
    """Part 6: the database is lost in the second batch after its members and events were written,
    before the commit: exactly the first batch stays, and the job reports exactly that batch."""
    by = make_cadre(tree["K11"], "operator")
    job = ImportJob.objects.create(kind="members", created_by=by, org=tree["K11"], filename="m.xlsx",
                                   summary={"mode": "valid-only"})
    path = write_xlsx(tmp_path / "m.xlsx", people(5))
    # The job's row is updated at the start, then in each batch's transaction: the third update is batch 2's.
    with connection.execute_wrapper(LoseDatabase('UPDATE "common_importjob"', 3)):
        with pytest.raises(OperationalError):
            importing.import_members(path, org=tree["G1111"], by=by, job=job, batch_rows=2)
    job.refresh_from_db()
    assert (job.done, job.summary["imported"], job.summary["batches"]) == (2, 2, 1)
    # Exactly the first batch (rows 2–3), each member with its event: nothing half-written.
    assert sorted(Member.objects.values_list("id_masked", flat=True)) == sorted(
        n[:6] + "********" + n[-4:] for n in ids(2))
    assert Member.objects.count() == 2 == MemberEvent.objects.count()
    entry = AuditEntry.objects.get(action="import")
    assert entry.outcome == "failure" and entry.changes["imported"] == 2


def test_command_interrupted_reports_committed_batches(tree, tmp_path):
    """Part 6 on the command line: after each committed batch a line on stderr says what is in; a
    failure in the next batch (members written, events not) leaves exactly the committed batches."""
    path = write_xlsx(tmp_path / "m.xlsx", people(5))
    marker = 'INSERT INTO "members_memberevent"'  # after the batch's members were written
    err = io.StringIO()
    with connection.execute_wrapper(LoseDatabase(marker, 2)):
        with pytest.raises(OperationalError):
            call_command("import_members", str(path), "--org", "G1111", "--batch-rows", "2", stderr=err,
                         stdout=io.StringIO())
    assert "已提交第 1 批：已处理 2 行，累计导入 2 名，未导入 0 行。" in err.getvalue()
    assert "第 2 批" not in err.getvalue()
    assert Member.objects.count() == 2 == MemberEvent.objects.count()


def test_import_with_workers_interrupted_stops_its_threads_and_processes(tree, tmp_path):
    """Part 6 with worker processes: a database failure propagates, the first batch stays, and the
    reader thread and the worker processes are gone afterwards (nothing left running)."""
    path = write_xlsx(tmp_path / "m.xlsx", people(9))
    threads_before = threading.active_count()
    with connection.execute_wrapper(LoseDatabase('INSERT INTO "members_memberevent"', 2)):
        with pytest.raises(OperationalError):
            importing.import_members(path, org=tree["G1111"], by=system_actor(), workers=2, batch_rows=3)
    assert threading.active_count() == threads_before
    assert not multiprocessing.active_children()
    assert Member.objects.count() == 3 == MemberEvent.objects.count()


# The command ------------------------------------------------------------------------------------

def test_command_json_prints_one_object_of_the_documented_shape(tree, tmp_path):
    """Part 6: --json prints exactly {"rows", "imported", "rejected", "seconds", "errors": [{"row",
    "column", "message"}]} with Excel row numbers."""
    rows = people(2) + [["", make_id(seq=399), "", "2020-05-01", ""]]
    path = write_xlsx(tmp_path / "m.xlsx", rows, above=[["会员名单"]])
    out = io.StringIO()
    call_command("import_members", str(path), "--org", "G1111", "--json", stdout=out, stderr=io.StringIO())
    data = json.loads(out.getvalue())
    assert list(data) == ["rows", "imported", "rejected", "seconds", "errors"]
    assert (data["rows"], data["imported"], data["rejected"]) == (3, 2, 1)
    assert isinstance(data["seconds"], float)
    assert data["errors"] == [{"row": 5, "column": "姓名", "message": "请填写姓名。"}]


def test_command_errors_workbook_has_error_column_and_highlighted_cells(tree, tmp_path):
    """Part 6: --errors writes the rejected rows as read, an extra 错误说明 column, faulty cells highlighted."""
    bad_id = make_id(seq=401)[:17] + ("0" if make_id(seq=401)[17] != "0" else "1")
    rows = [["张三", make_id(seq=400), "", "2020-05-01", ""], ["李四", bad_id, "12345", "2020-05-01", "N-1"]]
    path = write_xlsx(tmp_path / "m.xlsx", rows)
    out_path = tmp_path / "errors.xlsx"
    stdout = io.StringIO()
    call_command("import_members", str(path), "--org", "G1111", "--errors", str(out_path), stdout=stdout,
                 stderr=io.StringIO())
    assert "共 2 行：导入 1 名会员，未导入 1 行" in stdout.getvalue()
    ws = openpyxl.load_workbook(out_path).active
    assert [c.value for c in ws[1]] == HEADER + ["错误说明"]
    assert ws.max_row == 2
    assert [c.value for c in ws[2]][:5] == ["李四", bad_id, "12345", "2020-05-01", "N-1"]
    assert ws["F2"].value.startswith("第3行：【身份证号】") and "【手机号】" in ws["F2"].value
    highlighted = {c.column_letter for c in ws[2] if c.fill.fgColor.rgb and c.fill.fgColor.rgb.endswith(
        ERROR_FILL.fgColor.rgb[-6:])}
    assert highlighted == {"B", "C", "F"}


def test_command_refuses_unknown_org_and_missing_file(tree, tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", people(1))
    with pytest.raises(CommandError, match="组织代码 NOPE 不存在"):
        call_command("import_members", str(path), "--org", "NOPE")
    with pytest.raises(CommandError, match="不存在"):
        call_command("import_members", str(tmp_path / "none.xlsx"), "--org", "G1111")
    with pytest.raises(CommandError, match="缺少必填列"):
        call_command("import_members", str(write_xlsx(tmp_path / "x.xlsx", [["a"]], ["姓名"])), "--org", "G1111")


def test_command_all_or_nothing_mode(tree, tmp_path):
    """Part 6: --mode all-or-nothing on the command line."""
    path = write_xlsx(tmp_path / "m.xlsx", people(2) + [["", "x", "", "", ""]])
    out = io.StringIO()
    call_command("import_members", str(path), "--org", "G1111", "--mode", "all-or-nothing", stdout=out)
    assert "本次没有导入任何会员" in out.getvalue()
    assert not Member.objects.exists()


# The template -----------------------------------------------------------------------------------

def test_template_has_text_columns_dropdowns_and_instructions(tree, tmp_path):
    """Part 6: the template's ID (and mobile, number) columns are text, the enumerations have
    dropdowns from a hidden sheet, a 填写说明 sheet explains, no example row; filled in, it imports."""
    wb = openpyxl.load_workbook(io.BytesIO(importing.template_workbook()))
    assert wb.sheetnames == ["会员信息", "代码表", "填写说明"]
    ws = wb["会员信息"]
    header = [c.value for c in ws[1]]
    assert header == ["姓名", "性别", "民族", "身份证号", "出生日期", "手机号", "学历", "政治面貌", "户籍类型",
                      "是否农民工", "八大群体", "入会日期", "会员证号"]
    letters = {label: openpyxl.utils.get_column_letter(i) for i, label in enumerate(header, start=1)}
    for label in ("身份证号", "手机号", "会员证号"):
        assert ws[f"{letters[label]}2"].number_format == "@"
        assert ws.column_dimensions[letters[label]].number_format == "@"
    assert all(ws.cell(row=2, column=i).value is None for i in range(1, 14))
    validated = {str(dv.sqref).split(":")[0][:-1]: dv.formula1 for dv in ws.data_validations.dataValidation}
    dropdowns = ("性别", "民族", "学历", "政治面貌", "户籍类型", "是否农民工", "八大群体")
    assert set(validated) == {letters[x] for x in dropdowns}
    lists = wb["代码表"]
    assert lists.sheet_state == "hidden"
    col = validated[letters["民族"]].split("!$")[1][0]
    assert [lists[f"{col}{i}"].value for i in (1, 2, 3)] == ["民族", "汉族", "蒙古族"]
    guide = " ".join(c.value or "" for c in wb["填写说明"]["A"])
    assert "“文本”格式" in guide and "科学计数法" in guide

    ws[f"{letters['姓名']}2"] = "张三"
    ws[f"{letters['身份证号']}2"] = make_id(seq=410)
    ws[f"{letters['民族']}2"] = "回族"
    ws[f"{letters['是否农民工']}2"] = "是"
    wb.save(tmp_path / "filled.xlsx")
    result = importing.import_members(tmp_path / "filled.xlsx", org=tree["G1111"], by=system_actor())
    assert (result.rows, result.imported) == (1, 1)
    member = Member.objects.get()
    assert (member.ethnicity, member.is_migrant_worker, member.join_date) == ("03", True, datetime.date.today())


# Protection and concurrency ---------------------------------------------------------------------

def test_raw_database_scan_after_import_finds_no_id_or_mobile_in_clear(tree, tmp_path, member_factory):
    """Part 4: after an import (new members, a rejoin, rejected rows, a job), no table's columns hold
    an ID number (18- or 15-digit form) or a mobile number in clear."""
    former = member_factory("G2111", id_number=make_id(seq=501), mobile="13700001111")
    end_membership(former, status=Member.Status.LEFT, date=datetime.date(2021, 1, 1), by=system_actor())
    numbers_used = [make_id(seq=500), make_id(seq=501), make_id(seq=502)]
    mobiles = ["13812345678", "13912345678", "13700001111", "15011112222"]
    rows = [["张三", numbers_used[0], mobiles[0], "2020-05-01", ""],
            ["李四", numbers_used[1], mobiles[1], "2022-05-01", ""],
            ["王五5", numbers_used[2], mobiles[3], "2020-05-01", ""]]
    by = make_cadre(tree["K11"], "operator")
    job = ImportJob.objects.create(kind="members", created_by=by, org=tree["K11"], filename="m.xlsx")
    result = run(tmp_path, rows, tree["G1111"], by=by, job=job)
    assert (result.imported, result.rejected) == (2, 1), result.errors
    secrets = numbers_used + [n[:6] + n[8:17] for n in numbers_used] + mobiles
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                text = " ".join(str(v) for v in row)
                found += [(table, s) for s in secrets if s in text]
    assert found == []
    assert Member.objects.filter(org=tree["G1111"]).count() == 2


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_imports_of_the_same_people_keep_each_once(tmp_path):
    """Part 3 under concurrent imports: two imports into different unions with overlapping people at
    the same time; each overlapping person ends up exactly once, the other import reports the row."""
    orgs = build_tree()
    numbers_a = [make_id(seq=600 + i) for i in range(60)]
    numbers_b = numbers_a[30:] + [make_id(seq=700 + i) for i in range(30)]
    # Given member numbers: neither import waits on the number sequence, so both reach the INSERT.
    path_a = write_xlsx(tmp_path / "a.xlsx", [["张三", n, "", "2020-05-01", f"A-{i}"] for i, n in enumerate(numbers_a)])
    path_b = write_xlsx(tmp_path / "b.xlsx", [["张三", n, "", "2020-05-01", f"B-{i}"] for i, n in enumerate(numbers_b)])
    barrier = threading.Barrier(2)
    results: dict = {}

    def go(key, path, org):
        try:
            barrier.wait(timeout=10)
            results[key] = importing.import_members(path, org=org, by=system_actor(), batch_rows=20)
        except Exception as e:  # noqa: BLE001 - the test inspects it
            results[key] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=("a", path_a, orgs["G1111"])),
               threading.Thread(target=go, args=("b", path_b, orgs["G2111"]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    a, b = results["a"], results["b"]
    assert isinstance(a, importing.ImportResult) and isinstance(b, importing.ImportResult), results
    assert a.imported + b.imported == 90 and a.rejected + b.rejected == 30
    assert {e.message for e in a.errors + b.errors} <= {NEEDS_TRANSFER}
    assert Member.objects.count() == 90 == MemberEvent.objects.count()
    overlap = {make_facts(id_number=n).id_number for n in numbers_a[30:]}
    assert len(overlap) == 30
    assert Member.objects.values("id_index").distinct().count() == 90


@POSTGRES_ONLY
@pytest.mark.parametrize("moment", ["before the COPY", "after the look-up"])
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_import_person_entered_elsewhere_while_writing_is_refused_not_doubled(tmp_path, monkeypatch, moment):
    """Part 3: a person another union enters while a batch is written is refused with the transfer
    message and the rest of the batch goes in. Before the optimistic COPY: the unique index refuses
    the COPY and the batch is looked up and written the careful way. In the careful way, after the
    look-up: INSERT … ON CONFLICT DO NOTHING skips the person."""
    orgs = build_tree()
    rows = people(3, start=650)
    entered, staged = [], []
    if moment == "after the look-up":
        monkeypatch.setattr(importing._Run, "_copy", lambda self, rows: False)  # straight to the careful way
    marker = "SELECT nextval(" if moment == "before the COPY" else "TRUNCATE gh_member_import"
    safe_way = importing._Run._insert_staged
    monkeypatch.setattr(importing._Run, "_insert_staged",
                        lambda self, rows: staged.append(len(rows)) or safe_way(self, rows))

    def enter_elsewhere():
        try:  # a given number: the join does not wait for the sequence row the import holds
            entered.append(join_member(org=orgs["G2111"], facts=make_facts(id_number=rows[1][1], member_number="X-1"),
                                       by=system_actor()))
        finally:
            connection.close()

    def meanwhile(execute, sql, params, many, context):
        if sql.startswith(marker) and not entered:
            thread = threading.Thread(target=enter_elsewhere)
            thread.start()
            thread.join(timeout=30)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(meanwhile):
        result = run(tmp_path, rows, orgs["G1111"])
    assert len(entered) == 1
    assert staged == ([2] if moment == "before the COPY" else [3])  # looked up first: the person is left out
    assert (result.imported, result.rejected) == (2, 1)
    assert errors_by_row(result) == {3: [("身份证号", NEEDS_TRANSFER)]}
    assert Member.objects.get(id_index=entered[0].id_index).org == orgs["G2111"]
    assert Member.objects.filter(org=orgs["G1111"]).count() == 2 == MemberEvent.objects.filter(
        org=orgs["G1111"]).count()


def test_copy_text_escapes_what_the_copy_format_reserves():
    """Part 6 (PostgreSQL writing): the workers format rows as COPY text; a backslash, tab, newline
    or carriage return inside a value cannot split or shift the columns."""
    line = importing._copy_line(("a\\b\tc\nd\re", True, False, datetime.date(2020, 5, 1), ""))
    assert line == "a\\\\b\\tc\\nd\\re\tt\tf\t2020-05-01\t"
    assert line.count("\t") == 4 and "\n" not in line
    assert importing._copy_line(("张三", True, datetime.date(2020, 5, 1))) == "张三\tt\t2020-05-01"  # nothing to escape
