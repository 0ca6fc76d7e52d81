"""The organization import (gonghui import_orgs and 后台 导入组织). Each test names the acceptance
criterion it covers."""

import csv
import datetime
import io
import json

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from gonghui.common import uscc
from gonghui.common.actors import system_actor
from gonghui.common.excel import ERROR_FILL
from gonghui.common.models import AuditEntry, ImportJob
from gonghui.conftest import make_cadre
from gonghui.orgs.importing import import_orgs
from gonghui.orgs.models import Employer, Org, OrgEvent

HEADER = ["组织代码", "上级组织代码", "组织名称", "组织类型"]
UNION_USCC = "81110105MC00000017"
EMPLOYER_USCC = "91350200776049653A"
EMPLOYER_USCC_2 = "913502000728319549"
BAD_USCC = "91350203M0001QAY9B"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def source(header: list[str], rows: list[list]):
    """(header, [(excel_row, cells)]) as gonghui.common.excel.read_rows returns it."""
    return header, [(i + 2, list(r)) for i, r in enumerate(rows)]


def run_command(tmp_path, data: bytes, name: str = "orgs.csv") -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    call_command("import_orgs", str(path), "--json", stdout=out)
    return json.loads(out.getvalue())


def messages(result) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for e in result.errors:
        found.setdefault(e.row, []).append(f"{e.column}:{e.message}")
    return found


# Ordering, parents, cycles ------------------------------------------------------------------------

def test_import_children_before_parents_all_imported(tree):
    """Parents may come after children in the file: all rows are imported, placed correctly."""
    rows = [
        ["N3", "N2", "新区某公司工会", "基层工会"],
        ["N2", "N1", "新区某街道总工会", "总工会"],
        ["N1", "C1", "合肥新区总工会", "总工会"],
    ]
    result = import_orgs(source(HEADER, rows), by=system_actor())
    assert (result.rows, result.imported, result.updated, result.rejected) == (3, 3, 0, 0)
    n1, n2, n3 = (Org.objects.get(code=c) for c in ("N1", "N2", "N3"))
    assert n1.parent == tree["C1"] and n2.parent == n1 and n3.parent == n2
    assert (n1.level, n2.level, n3.level) == (Org.Level.COUNTY, Org.Level.TOWN, Org.Level.GRASSROOTS)
    assert n3.is_within(tree["C1"])


def test_import_cycle_rejected_and_descendants_of_rejected_rows_rejected(tree):
    """A cycle among the file's rows rejects every row in it (循环); a row under a rejected row is rejected."""
    rows = [
        ["A", "B", "甲工会联合会", "行业工会联合会"],
        ["B", "A", "乙工会联合会", "行业工会联合会"],
        ["X", "A", "丙公司工会", "基层工会"],
        ["OK", "C1", "丁工会联合会", "行业工会联合会"],
    ]
    result = import_orgs(source(HEADER, rows), by=system_actor())
    assert (result.imported, result.rejected) == (1, 3)
    found = messages(result)
    assert "循环" in found[2][0] and "循环" in found[3][0]
    assert found[2][0].startswith("上级组织代码:")
    assert found[4] == ["上级组织代码:上级组织 A 未能导入，本行也不能导入。"]
    assert not Org.objects.filter(code__in=["A", "B", "X"]).exists()
    assert Org.objects.get(code="OK").parent == tree["C1"]


def test_import_unknown_parent_rejected(tree):
    """A parent code neither in the file nor in the database rejects the row."""
    result = import_orgs(source(HEADER, [["Z1", "NOPE", "某公司工会", "基层工会"]]), by=system_actor())
    assert result.rejected == 1
    assert result.errors[0].row == 2
    assert result.errors[0].column == "上级组织代码"
    assert "NOPE 不存在" in result.errors[0].message
    assert not Org.objects.filter(code="Z1").exists()


def test_import_root_row_only_from_command_line(tree):
    """A row without 上级组织代码 is a new top-level org from the command line, rejected from the back office."""
    admin = make_cadre(tree["P"], "org_admin")
    result = import_orgs(source(HEADER, [["R1", "", "某省总工会", "总工会"]]), by=admin)
    assert result.rejected == 1 and "请填写上级组织代码" in result.errors[0].message
    result = import_orgs(source(HEADER, [["R1", "", "某省总工会", "总工会"]]), by=system_actor())
    assert result.imported == 1
    assert Org.objects.get(code="R1").parent is None


def test_import_parent_outside_uploader_subtree_rejected(tree):
    """A back-office import may only place orgs inside the uploader's subtree; outside reads as not found."""
    admin = make_cadre(tree["K11"], "org_admin")
    rows = [["S1", "K12", "庐阳某公司工会", "基层工会"], ["S2", "T111", "瑶海某公司工会", "基层工会"]]
    result = import_orgs(source(HEADER, rows), by=admin)
    assert (result.imported, result.rejected) == (1, 1)
    assert result.errors[0].row == 2 and result.errors[0].column == "上级组织代码"
    assert "不在您的管辖范围内" in result.errors[0].message
    assert not Org.objects.filter(code="S1").exists()
    assert Org.objects.get(code="S2").parent == tree["T111"]


def test_import_update_of_org_outside_subtree_rejected(tree):
    """An uploader cannot change an existing org of another subtree by naming its code."""
    admin = make_cadre(tree["K11"], "org_admin")
    result = import_orgs(source(HEADER, [["G1211", "T111", "改名", "基层工会"]]), by=admin)
    assert result.rejected == 1
    assert messages(result) == {2: ["组织代码:组织代码 G1211 已被使用，请核对后重新填写。"]}
    org = Org.objects.get(code="G1211")
    assert (org.name, org.parent) == ("合肥庐阳食品有限公司工会", tree["T121"])


# Values ---------------------------------------------------------------------------------------------

def test_import_bad_credit_code_rejected_with_check_char_message(tree):
    """A bad 统一社会信用代码 rejects the row with the check-character message; the union's own must start 81."""
    header = HEADER + ["统一社会信用代码", "单位统一社会信用代码", "单位名称"]
    rows = [
        ["U1", "T111", "甲公司工会", "基层工会", BAD_USCC, "", ""],
        ["U2", "T111", "乙公司工会", "基层工会", EMPLOYER_USCC, "", ""],
        ["U3", "T111", "丙公司工会", "基层工会", UNION_USCC, BAD_USCC, "丙公司"],
        ["U4", "T111", "丁公司工会", "基层工会", UNION_USCC, EMPLOYER_USCC, "丁公司"],
        ["U5", "T111", "戊公司工会", "基层工会", "", EMPLOYER_USCC_2, ""],
    ]
    result = import_orgs(source(header, rows), by=system_actor())
    found = messages(result)
    assert found[2] == ["统一社会信用代码:统一社会信用代码校验位错误：第18位应为 9，请核对证照。"]
    assert found[3] == ["统一社会信用代码:工会的统一社会信用代码应以 81 开头（工会法人资格证书上的代码）。"]
    assert found[4] == ["单位统一社会信用代码:单位统一社会信用代码校验位错误：第18位应为 9，请核对证照。"]
    assert found[6] == ["单位名称:单位名称不能为空。"]  # a new employer needs a name
    assert result.imported == 1
    assert Org.objects.get(code="U4").employer_uscc == EMPLOYER_USCC
    assert not Org.objects.filter(code="U5").exists()  # the row is written whole or not at all
    assert Employer.objects.get().name == "丁公司"


def test_import_bad_region_and_kind_reported_by_column(tree):
    """Bad 行政区划代码 and 组织类型 are both reported for the row, each naming its column."""
    header = HEADER + ["行政区划代码"]
    result = import_orgs(source(header, [["V1", "T111", "某工会", "工会小组", "349999"]]), by=system_actor())
    columns = {e.column for e in result.errors}
    assert columns == {"组织类型", "行政区划代码"}
    assert "GB/T 2260" in next(e.message for e in result.errors if e.column == "行政区划代码")


@pytest.mark.parametrize("short, value", [
    ("民营", Org.EmployerType.PRIVATE), ("私营", Org.EmployerType.PRIVATE), ("国有", Org.EmployerType.STATE),
    ("外资", Org.EmployerType.FOREIGN), ("港澳台", Org.EmployerType.HMT), ("事业", Org.EmployerType.INSTITUTION),
    ("集体企业", Org.EmployerType.COLLECTIVE),
])
def test_import_employer_type_short_form(tree, short, value):
    """单位性质 accepts the labels and their short forms."""
    header = HEADER + ["单位性质"]
    result = import_orgs(source(header, [["W1", "T111", "某公司工会", "基层工会", short]]), by=system_actor())
    assert result.imported == 1
    assert Org.objects.get(code="W1").employer_type == value


def test_import_unknown_employer_type_rejected(tree):
    header = HEADER + ["单位性质"]
    result = import_orgs(source(header, [["W1", "T111", "某公司工会", "基层工会", "个体户"]]), by=system_actor())
    assert result.rejected == 1
    assert result.errors[0].column == "单位性质" and "个体户" in result.errors[0].message


def test_import_date_text_forms_and_yes_no(tree):
    """建会日期 accepts the usual written forms; yes/no columns accept 是/否, Y/N, 1/0, 有/无."""
    header = HEADER + ["建会日期", "是否建立职代会", "是否实行厂务公开"]
    forms = ["2020-5-1", "2020/05/01", "2020.5.1", "20200501", "2020年5月1日"]
    yes_no = [("是", "否"), ("Y", "N"), ("1", "0"), ("有", "无"), ("是", "")]
    rows = [[f"D{i}", "T111", f"某公司{i}工会", "基层工会", d, y, n]
            for i, (d, (y, n)) in enumerate(zip(forms, yes_no, strict=True))]
    rows.append(["DX", "T111", "坏日期工会", "基层工会", "2020-2-30", "是", "否"])
    rows.append(["DY", "T111", "坏是否工会", "基层工会", "2020-2-1", "也许", "否"])
    result = import_orgs(source(header, rows), by=system_actor())
    assert result.imported == 5
    for i in range(5):
        org = Org.objects.get(code=f"D{i}")
        assert (org.founded_on, org.has_congress, org.has_disclosure) == (datetime.date(2020, 5, 1), True, False)
    found = messages(result)
    assert found[7][0].startswith("建会日期:建会日期“2020-2-30”不是有效日期")
    assert found[8] == ["是否建立职代会:应填写“是”或“否”，当前为“也许”。"]


# Re-import --------------------------------------------------------------------------------------------

def test_reimport_updates_without_duplicates(tree, tmp_path):
    """Re-importing updates by 组织代码: counts show updates, no duplicates, values changed; employer upserted."""
    header = HEADER + ["职工人数", "单位名称", "单位统一社会信用代码"]
    first = run_command(tmp_path, csv_bytes(header, [
        ["R1", "T111", "某机械公司工会", "基层工会", "120", "某机械公司", EMPLOYER_USCC],
        ["R2", "T111", "某电子公司工会", "基层工会", "80", "某电子公司", EMPLOYER_USCC_2],
    ]))
    assert (first["imported"], first["updated"]) == (2, 0)
    count = Org.objects.count()
    second = run_command(tmp_path, csv_bytes(header, [
        ["R1", "T111", "某机械集团工会", "基层工会", "150", "某机械集团", EMPLOYER_USCC],
        ["R2", "T111", "某电子公司工会", "基层工会", "80", "某电子公司", EMPLOYER_USCC_2],
    ]))
    assert (second["rows"], second["imported"], second["updated"], second["rejected"]) == (2, 0, 2, 0)
    assert Org.objects.count() == count
    r1 = Org.objects.get(code="R1")
    assert (r1.name, r1.employee_count) == ("某机械集团工会", 150)
    employer = Employer.objects.get(uscc=EMPLOYER_USCC)
    assert (employer.name, employer.employee_count, employer.union) == ("某机械集团", 150, r1)
    assert Employer.objects.count() == 2
    assert OrgEvent.objects.filter(org=r1, kind=OrgEvent.Kind.UPDATED).count() == 1


def test_reimport_with_changed_parent_moves_org(tree, tmp_path):
    """A re-import that names another parent moves the org (with its history) instead of duplicating it."""
    run_command(tmp_path, csv_bytes(HEADER, [["M1", "T111", "某公司工会", "基层工会"]]))
    result = run_command(tmp_path, csv_bytes(HEADER, [["M1", "T121", "某公司工会", "基层工会"]]))
    assert (result["imported"], result["updated"], result["rejected"]) == (0, 1, 0)
    m1 = Org.objects.get(code="M1")
    assert m1.parent == tree["T121"] and m1.is_within(tree["K12"])
    assert OrgEvent.objects.filter(org=m1, kind=OrgEvent.Kind.MOVED, detail__to="T121").exists()


# Command line -------------------------------------------------------------------------------------------

def test_command_json_shape_exact(tree, tmp_path):
    """--json prints exactly one JSON object {rows, imported, updated, rejected, errors[{row, column, message}]}."""
    path = tmp_path / "orgs.csv"
    path.write_bytes(csv_bytes(HEADER, [
        ["J1", "T111", "某公司工会", "基层工会"],
        ["J2", "NOPE", "某公司工会", "基层工会"],
    ]))
    out = io.StringIO()
    call_command("import_orgs", str(path), "--json", stdout=out)
    text = out.getvalue()
    assert "不存在" in text  # ensure_ascii=False
    data = json.loads(text)
    assert data == {"rows": 2, "imported": 1, "updated": 0, "rejected": 1, "errors": [
        {"row": 3, "column": "上级组织代码", "message": data["errors"][0]["message"]}]}
    assert "NOPE" in data["errors"][0]["message"]


def test_command_human_output_in_chinese(tree, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_bytes(csv_bytes(HEADER, [["H1", "NOPE", "某公司工会", "基层工会"]]))
    out = io.StringIO()
    call_command("import_orgs", str(path), stdout=out)
    assert "共 1 行：新增 0 个组织，更新 0 个，未导入 1 行。" in out.getvalue()
    assert "第2行【上级组织代码】" in out.getvalue()


def test_command_fails_on_missing_column_or_unreadable_file(tree, tmp_path):
    """A missing required column or an unreadable file is a CommandError in Chinese (non-zero exit)."""
    path = tmp_path / "orgs.csv"
    path.write_bytes(csv_bytes(["组织代码", "组织名称", "组织类型"], [["H1", "某公司工会", "基层工会"]]))
    with pytest.raises(CommandError, match="缺少必填列：上级组织代码"):
        call_command("import_orgs", str(path))
    bad = tmp_path / "orgs.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match="无法读取 Excel 文件"):
        call_command("import_orgs", str(bad))
    with pytest.raises(CommandError, match="不存在"):
        call_command("import_orgs", str(tmp_path / "missing.csv"))
    assert not Org.objects.filter(code="H1").exists()


def test_command_reads_xlsx_with_date_and_number_cells(tree, tmp_path):
    """XLSX import: a real Excel date cell and a numeric 职工人数 cell; columns in any order."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["组织名称", "职工人数", "建会日期", "组织类型", "组织代码", "上级组织代码", "单位性质",
               "统一社会信用代码", "行政区划代码"])
    ws.append(["某纺织公司工会", 356, datetime.datetime(2019, 3, 8), "基层工会", "X1", "T211", "民营",
               uscc.make("81", "340202", "MC0000001"), 340202])
    ws["C2"].number_format = "yyyy-mm-dd"
    path = tmp_path / "orgs.xlsx"
    wb.save(path)
    out = io.StringIO()
    call_command("import_orgs", str(path), "--json", stdout=out)
    assert json.loads(out.getvalue())["imported"] == 1
    org = Org.objects.get(code="X1")
    assert (org.employee_count, org.founded_on) == (356, datetime.date(2019, 3, 8))
    assert (org.employer_type, org.region_code, org.parent) == (Org.EmployerType.PRIVATE, "340202", tree["T211"])


def test_import_writes_one_summary_audit_entry(tree):
    """Besides the per-row entries of the actions, the run writes one "import" audit entry."""
    import_orgs(source(HEADER, [["A1", "T111", "某公司工会", "基层工会"]]), by=system_actor(), filename="x.csv")
    entry = AuditEntry.objects.get(action="import")
    assert entry.changes == {"rows": 1, "imported": 1, "updated": 0, "rejected": 0, "mode": "valid-only"}
    assert "x.csv" in entry.object_repr
    assert AuditEntry.objects.filter(action="create", object_type="orgs.org", object_repr="某公司工会").exists()


# Back office --------------------------------------------------------------------------------------------

@pytest.fixture
def immediate_tasks(settings, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


def upload(client, data: bytes, name: str = "orgs.csv"):
    return client.post(reverse("admin:orgs_org_import"), {"file": SimpleUploadedFile(name, data)})


def test_backoffice_import_runs_shows_summary_and_error_workbook(tree, cadre_client, immediate_tasks):
    """An org admin uploads; the task runs as them; the page shows the summary; the error workbook
    downloads with the 错误说明 column and the faulty cell highlighted."""
    client = cadre_client(tree["K11"], "org_admin")
    header = HEADER + ["统一社会信用代码"]
    response = upload(client, csv_bytes(header, [
        ["B1", "T111", "瑶海某公司工会", "基层工会", ""],
        ["B2", "T111", "瑶海另一公司工会", "基层工会", BAD_USCC],
    ]))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:orgs_org_import_status", args=[job.pk])
    assert (job.status, job.created_by, job.org, job.total, job.done) == (
        ImportJob.Status.DONE, client.user, tree["K11"], 2, 2)
    assert Org.objects.get(code="B1").parent == tree["T111"]
    assert not Org.objects.filter(code="B2").exists()
    assert not list((immediate_tasks.MEDIA_ROOT / "imports").glob("*-upload*"))  # upload removed

    page = client.get(response["Location"]).content.decode()
    assert "共 2 行：新增 1 个组织，更新 0 个，未导入 1 行。" in page
    assert "校验位错误" in page
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="import-progress"') and "hx-get" not in fragment

    download = client.get(reverse("admin:orgs_org_import_errors", args=[job.pk]))
    assert download.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(download.content)).active
    assert [c.value for c in ws[1]] == header + ["错误说明"]
    assert ws.max_row == 2
    assert ws["A2"].value == "B2"
    assert "第3行" in ws["F2"].value and "校验位错误" in ws["F2"].value
    assert ws["E2"].fill.fgColor.rgb.endswith(ERROR_FILL.fgColor.rgb[-6:])
    assert ws["A2"].fill.fgColor.rgb != ws["E2"].fill.fgColor.rgb
    assert AuditEntry.objects.filter(action="import", actor=client.user).count() == 1


def test_backoffice_import_rejects_unreadable_upload(tree, cadre_client, immediate_tasks):
    """A file without the required columns finishes as 失败 with the reason shown."""
    client = cadre_client(tree["K11"], "org_admin")
    response = upload(client, csv_bytes(["组织名称"], [["某工会"]]))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert "缺少必填列" in client.get(response["Location"]).content.decode()
    bad_type = upload(client, b"x", name="orgs.txt")
    assert bad_type.status_code == 200 and "只支持 Excel 文件（.xlsx）或 CSV 文件" in bad_type.content.decode()


def test_backoffice_import_page_only_for_org_admin(tree, cadre_client):
    """Only accounts with role org_admin may import; others get 404."""
    client = cadre_client(tree["K11"], "operator")
    assert client.get(reverse("admin:orgs_org_import")).status_code == 404
    assert upload(client, csv_bytes(HEADER, [["B1", "T111", "某工会", "基层工会"]])).status_code == 404
    assert not ImportJob.objects.exists()


def test_backoffice_import_page_shows_form(tree, cadre_client):
    client = cadre_client(tree["K11"], "org_admin")
    body = client.get(reverse("admin:orgs_org_import")).content.decode()
    assert 'enctype="multipart/form-data"' in body and "必填列：组织代码、上级组织代码、组织名称、组织类型" in body


def test_backoffice_job_of_other_subtree_is_404(tree, client, immediate_tasks):
    """A cadre of another subtree (even an org admin) gets 404 for someone else's job status and download;
    inside the subtree, a cadre without org_admin who did not start it gets 404 too."""
    from gonghui.conftest import login

    owner = make_cadre(tree["K11"], "org_admin")
    login(client, owner)
    upload(client, csv_bytes(HEADER, [["B9", "NOPE", "某工会", "基层工会"]]))
    job = ImportJob.objects.get()
    status_url = reverse("admin:orgs_org_import_status", args=[job.pk])
    errors_url = reverse("admin:orgs_org_import_errors", args=[job.pk])
    assert client.get(errors_url).status_code == 200

    for outsider in (make_cadre(tree["K12"], "org_admin"), make_cadre(tree["C2"], "org_admin"),
                     make_cadre(tree["T111"], "org_admin"), make_cadre(tree["K11"], "operator")):
        login(client, outsider)
        assert client.get(status_url).status_code == 404, outsider
        assert client.get(errors_url).status_code == 404, outsider

    login(client, make_cadre(tree["C1"], "org_admin"))  # org admin of an ancestor may look
    assert client.get(status_url).status_code == 200
    assert client.get(errors_url).status_code == 200


def test_backoffice_progress_fragment_polls_while_running(tree, cadre_client):
    """While a run is queued or running, the page and its htmx fragment poll for progress."""
    client = cadre_client(tree["K11"], "org_admin")
    job = ImportJob.objects.create(kind="orgs", created_by=client.user, org=tree["K11"], filename="orgs.csv",
                                   status=ImportJob.Status.RUNNING, total=200, done=50)
    url = reverse("admin:orgs_org_import_status", args=[job.pk])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert f'hx-get="{url}"' in fragment and 'hx-trigger="every 2s"' in fragment
    assert "已处理 50 / 200 行" in fragment and "width: 25%" in fragment
    assert "<html" not in fragment
    assert "进行中" in client.get(url).content.decode()


# upsert_employer --------------------------------------------------------------------------------------

def test_upsert_employer_creates_then_updates(tree):
    from gonghui.orgs.actions import upsert_employer

    employer, created = upsert_employer(by=system_actor(),
                                        uscc=EMPLOYER_USCC.lower(), union=tree["G1111"], name="甲公司")
    assert created and employer.uscc == EMPLOYER_USCC and employer.union == tree["G1111"]
    same, created = upsert_employer(by=system_actor(), uscc=EMPLOYER_USCC, union=tree["G1111"], name="")
    assert not created and same.pk == employer.pk and same.name == "甲公司"
    assert AuditEntry.objects.filter(object_type="orgs.employer").count() == 1  # nothing changed the 2nd time
    upsert_employer(by=system_actor(), uscc=EMPLOYER_USCC, union=tree["G1112"], employee_count=30)
    employer.refresh_from_db()
    assert (employer.union, employer.employee_count) == (tree["G1112"], 30)


def test_upsert_employer_refuses_bad_code_and_employer_of_other_subtree(tree):
    from gonghui.common.errors import DomainError
    from gonghui.orgs.actions import upsert_employer

    with pytest.raises(DomainError, match="校验位错误"):
        upsert_employer(by=system_actor(), uscc=BAD_USCC, union=None, name="甲公司")
    upsert_employer(by=system_actor(), uscc=EMPLOYER_USCC, union=tree["G1211"], name="庐阳某公司")
    outsider = make_cadre(tree["K11"], "org_admin")
    with pytest.raises(DomainError, match="不在您的管辖范围内"):
        upsert_employer(by=outsider, uscc=EMPLOYER_USCC, union=tree["G1111"], name="改名")
    assert Employer.objects.get().union == tree["G1211"]


def test_import_new_org_under_a_parent_moved_in_the_same_file(tree):
    """Paths stay right when a file moves an ancestor and adds a child below it in one run."""
    result = import_orgs(source(HEADER, [
        ["T121", "K12", "三孝口街道总工会", "总工会"],
        ["C1", "I1", "合肥市总工会", "总工会"],
        ["NEWB", "T121", "三孝口新建工会", "基层工会"],
    ]), by=system_actor())
    assert result.rejected == 0, result.errors
    for org in Org.objects.select_related("parent"):
        if org.parent is not None:
            assert org.path.startswith(org.parent.path) and org.depth == org.parent.depth + 1, org.code
    assert Org.objects.subtree(Org.objects.get(code="T121")).filter(code="NEWB").exists()


def test_command_all_or_nothing_imports_nothing_when_a_row_fails(tree, tmp_path):
    """Issue 12, point 3: the organization import offers the pipeline's all-or-nothing mode: one bad row and
    nothing is written (no org, no event, no audit entry of a row); a clean file is written whole."""
    path = tmp_path / "orgs.csv"
    path.write_bytes(csv_bytes(HEADER, [["AN1", "T111", "某公司工会", "基层工会"],
                                        ["AN2", "NOPE", "某工会", "基层工会"]]))
    out = io.StringIO()
    call_command("import_orgs", str(path), "--json", "--mode", "all-or-nothing", stdout=out)
    data = json.loads(out.getvalue())
    assert (data["imported"], data["rejected"]) == (0, 1)
    assert not Org.objects.filter(code__in=["AN1", "AN2"]).exists()
    assert not AuditEntry.objects.filter(action="create", object_repr="某公司工会").exists()
    path.write_bytes(csv_bytes(HEADER, [["AN1", "T111", "某公司工会", "基层工会"]]))
    call_command("import_orgs", str(path), "--json", "--mode", "all-or-nothing", stdout=io.StringIO())
    assert Org.objects.get(code="AN1").parent == tree["T111"]


def test_import_batches_new_orgs_with_paths_events_and_audit_like_the_actions(tree):
    """Issue 12, point 4: the batched writes keep the actions' results — each new org's path is its parent's
    plus its own step, its level derived, one 成立 event (with the parent's code) and one audit entry with
    the facts; an update writes one 变更 event and one audit entry with the changed fields only."""
    from gonghui.orgs.models import path_step

    rows = [[f"BX{i}", "T111" if i < 3 else "BX0", f"批量工会{i}", "基层工会" if i else "行业工会联合会"]
            for i in range(5)]
    result = import_orgs(source(HEADER, rows), by=system_actor())
    assert (result.imported, result.rejected) == (5, 0)
    parent = Org.objects.get(code="BX0")
    for org in Org.objects.filter(code__startswith="BX").select_related("parent"):
        assert org.path == org.parent.path + path_step(org.pk)
        assert OrgEvent.objects.get(org=org, kind=OrgEvent.Kind.CREATED).detail == {"parent": org.parent.code}
        entry = AuditEntry.objects.get(action="create", object_type="orgs.org", object_id=str(org.pk))
        assert entry.changes["code"] == org.code and entry.changes["name"] == org.name
    assert parent.level == Org.Level.TOWN and Org.objects.get(code="BX4").parent == parent
    rows = [["BX1", "T111", "改名工会", "基层工会"], ["BX2", "T111", "批量工会2", "基层工会"]]
    again = import_orgs(source(HEADER, rows), by=system_actor())
    assert (again.imported, again.updated) == (0, 2)
    bx1 = Org.objects.get(code="BX1")
    assert AuditEntry.objects.get(action="update", object_id=str(bx1.pk)).changes == {"name": ["批量工会1", "改名工会"]}
    assert OrgEvent.objects.filter(kind=OrgEvent.Kind.UPDATED).count() == 1  # BX2 did not change


def test_import_batch_refused_by_the_database_is_redone_row_by_row(tree, monkeypatch):
    """Issue 12, point 4: a batch the database refuses (e.g. a concurrent import took a code) is rolled back
    and redone a row at a time through the one-at-a-time actions, each row in its own savepoint: every row
    is written once, with one event each."""
    from django.db import IntegrityError

    from gonghui.orgs import actions, importing

    calls = []

    def refused_once(items, *, by):
        calls.append(len(items))
        if len(calls) == 1:
            actions.create_org(by=system_actor(), parent=tree["T111"], code="GONE", name="回滚的工会",
                               kind="grassroots")
            raise IntegrityError("duplicate key value violates unique constraint")
        return actions.create_orgs(items, by=by)

    monkeypatch.setattr(importing.actions, "create_orgs", refused_once)
    rows = [["RACE1", "T111", "甲工会", "基层工会"], ["RACE2", "T111", "乙工会", "基层工会"]]
    result = import_orgs(source(HEADER, rows), by=system_actor())
    assert (result.imported, result.rejected, calls) == (2, 0, [2])
    assert not Org.objects.filter(code="GONE").exists()  # the refused batch left nothing
    for code in ("RACE1", "RACE2"):
        org = Org.objects.get(code=code)
        assert org.parent == tree["T111"] and org.events.filter(kind=OrgEvent.Kind.CREATED).count() == 1
