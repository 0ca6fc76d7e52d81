"""Issue 3 part 6 in the back office: upload → background task → status (htmx progress fragment) →
error workbook; the template; and outsiders (another subtree, no edit role) getting 404."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gonghui.common.excel import ERROR_FILL
from gonghui.common.models import AuditEntry, ImportJob
from gonghui.conftest import login, make_cadre
from gonghui.members.actions import NEEDS_TRANSFER
from gonghui.members.models import Member
from gonghui.orgs.models import Org

from .conftest import make_id
from .test_importing import HEADER

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def immediate_tasks(settings, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


def xlsx_bytes(rows, header=HEADER) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, data: bytes, *, org: str, mode: str = "valid-only", name: str = "会员.xlsx"):
    """Post the upload form; `org` is the target's code, sent as the org picker sends it (its id)."""
    target = Org.objects.filter(code=org).first()
    return client.post(reverse("admin:members_member_import"),
                       {"file": SimpleUploadedFile(name, data), "org": target.pk if target else org, "mode": mode})


def test_backoffice_import_upload_status_fragment_and_error_workbook(tree, cadre_client, immediate_tasks,
                                                                     member_factory):
    """Part 6: an operator uploads into a union of the subtree; the task runs as them; the status page
    shows the summary, its htmx fragment stops polling; the error workbook (stored encrypted) downloads
    with 错误说明 and the faulty cell highlighted, and the download is audited."""
    member_factory("G2111", id_number=make_id(seq=801))
    client = cadre_client(tree["K11"], "operator")
    good, elsewhere = make_id(seq=800), make_id(seq=801)
    response = upload(client, xlsx_bytes([["张三", good, "13812345678", "2020-05-01", ""],
                                          ["李四", elsewhere, "", "2020-05-01", ""]]), org="G1111")
    job = ImportJob.objects.get(kind="members")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:members_member_import_status", args=[job.pk])
    assert (job.status, job.created_by, job.org, job.done) == (ImportJob.Status.DONE, client.user, tree["K11"], 2)
    member = Member.objects.get(org=tree["G1111"])
    assert (member.name, member.source, member.import_job) == ("张三", "import", job)
    imports = list((immediate_tasks.MEDIA_ROOT / "imports").iterdir())
    assert [p.name for p in imports] == [f"{job.pk}-errors.xlsx.enc"]  # the upload is removed
    stored = imports[0].read_bytes()
    assert elsewhere.encode() not in stored and b"PK" not in stored[:4]

    page = client.get(response["Location"]).content.decode()
    assert "共 2 行：导入 1 名会员，未导入 1 行" in page and NEEDS_TRANSFER in page
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="import-progress"') and "hx-get" not in fragment
    assert "<html" not in fragment

    download = client.get(reverse("admin:members_member_import_errors", args=[job.pk]))
    assert download.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(download.content)).active
    assert [c.value for c in ws[1]] == HEADER + ["错误说明"]
    assert [c.value for c in ws[2]][:2] == ["李四", elsewhere]
    assert ws["F2"].value == f"第3行：【身份证号】{NEEDS_TRANSFER}"
    assert ws["B2"].fill.fgColor.rgb.endswith(ERROR_FILL.fgColor.rgb[-6:])
    assert ws["A2"].fill.fgColor.rgb != ws["B2"].fill.fgColor.rgb
    assert AuditEntry.objects.filter(action="import", actor=client.user, outcome="success").count() == 1
    assert AuditEntry.objects.filter(action="export", actor=client.user, object_id=str(job.pk)).count() == 1


def test_backoffice_import_all_or_nothing_and_file_error(tree, cadre_client, immediate_tasks):
    """Part 6: the mode chosen on the page is used; a file without the required columns fails with the reason."""
    client = cadre_client(tree["G1111"], "operator")
    upload(client, xlsx_bytes([["张三", make_id(seq=810), "", "2020-05-01", ""], ["李四", "x", "", "", ""]]),
           org="G1111", mode="all-or-nothing")
    job = ImportJob.objects.get()
    assert (job.summary["imported"], job.summary["rejected"], job.summary["mode"]) == (0, 1, "all-or-nothing")
    assert not Member.objects.exists()
    page = client.get(reverse("admin:members_member_import_status", args=[job.pk])).content.decode()
    assert "本次没有导入任何会员" in page

    response = upload(client, xlsx_bytes([["张三"]], header=["姓名"]), org="G1111")
    failed = ImportJob.objects.latest("id")
    assert failed.status == ImportJob.Status.FAILED
    assert "缺少必填列：身份证号" in client.get(response["Location"]).content.decode()
    bad_type = upload(client, b"x", org="G1111", name="m.csv")
    assert bad_type.status_code == 200 and "只支持 Excel 文件" in bad_type.content.decode()


def test_backoffice_import_page_defaults_to_own_union_and_lists_subtree(tree, cadre_client):
    client = cadre_client(tree["T111"], "org_admin")
    body = client.get(reverse("admin:members_member_import")).content.decode()
    assert 'enctype="multipart/form-data"' in body
    own = tree["T111"]
    assert f'<option value="{own.pk}" selected>{own.name}（T111）</option>' in body
    assert body.count("<option") == 1  # a search box: the subtree is searched, never listed
    assert f'data-ajax--url="{reverse("admin:orgs_org_pick")}"' in body
    assert reverse("admin:members_member_import_template") in body


def test_org_picker_searches_only_the_subtree(tree, cadre_client):
    """Issue 12, point 5: the target union is picked by searching the account's own subtree (code or name);
    another county's unions never come back, whatever the term."""
    client = cadre_client(tree["K11"], "operator")
    url = reverse("admin:orgs_org_pick")
    everything = client.get(url).json()
    codes = {Org.objects.get(pk=r["id"]).code for r in everything["results"]}
    assert codes == set(Org.objects.subtree(tree["K11"]).active().values_list("code", flat=True))
    assert everything["pagination"] == {"more": False}
    found = client.get(url, {"term": "G1111"}).json()["results"]
    assert found == [{"id": str(tree["G1111"].pk), "text": f"{tree['G1111'].name}（G1111）"}]
    assert client.get(url, {"term": "G2111"}).json()["results"] == []  # another county's union
    assert client.get(url, {"term": tree["G1211"].name}).json()["results"] == []


def test_backoffice_import_into_foreign_union_is_refused(tree, cadre_client, immediate_tasks):
    """Outsiders: a union outside the account's subtree is not a choice of the org picker, answered like
    an id that does not exist; nothing is queued or written."""
    client = cadre_client(tree["K11"], "operator")
    data = xlsx_bytes([["张三", make_id(seq=820), "", "2020-05-01", ""]])
    for org in ("G2111", "C1", "NOPE"):
        response = upload(client, data, org=org)
        assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode(), org
    assert not ImportJob.objects.exists() and not Member.objects.exists()


def test_backoffice_import_pages_404_without_edit_role(tree, cadre_client):
    """Outsiders: a cadre without an edit role gets 404 for the upload page, an upload and the template."""
    client = cadre_client(tree["K11"], "auditor")
    assert client.get(reverse("admin:members_member_import")).status_code == 404
    assert upload(client, xlsx_bytes([]), org="K11").status_code == 404
    assert client.get(reverse("admin:members_member_import_template")).status_code == 404
    assert not ImportJob.objects.exists()


def test_backoffice_job_of_someone_else_is_404_for_outsiders(tree, client, immediate_tasks):
    """Outsiders get 404 for the status and the error workbook of someone else's job: cadres of other
    subtrees (even an editor), of a union below the uploader's, and one without an edit role in the same
    union; an editor of an ancestor union may look."""
    owner = make_cadre(tree["K11"], "operator")
    login(client, owner)
    upload(client, xlsx_bytes([["张三", "bad", "", "2020-05-01", ""]]), org="G1111")
    job = ImportJob.objects.get()
    status_url = reverse("admin:members_member_import_status", args=[job.pk])
    errors_url = reverse("admin:members_member_import_errors", args=[job.pk])
    assert client.get(errors_url).status_code == 200

    for outsider in (make_cadre(tree["K12"], "operator"), make_cadre(tree["C2"], "org_admin"),
                     make_cadre(tree["G1111"], "operator"), make_cadre(tree["K11"], "auditor")):
        login(client, outsider)
        assert client.get(status_url).status_code == 404, outsider
        assert client.get(status_url, headers={"HX-Request": "true"}).status_code == 404, outsider
        assert client.get(errors_url).status_code == 404, outsider
    assert AuditEntry.objects.filter(action="access_denied").exists()

    login(client, make_cadre(tree["C1"], "operator"))
    assert client.get(status_url).status_code == 200
    assert client.get(errors_url).status_code == 200


def test_backoffice_progress_fragment_polls_while_running(tree, cadre_client):
    """Part 6 progress bar: while a run is queued or running, the page and its fragment poll."""
    client = cadre_client(tree["K11"], "operator")
    job = ImportJob.objects.create(kind="members", created_by=client.user, org=tree["K11"], filename="m.xlsx",
                                   status=ImportJob.Status.RUNNING, total=40000, done=10000,
                                   summary={"org": "瑶海区总工会", "mode": "valid-only", "imported": 9990,
                                            "batches": 1})
    url = reverse("admin:members_member_import_status", args=[job.pk])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert f'hx-get="{url}"' in fragment and 'hx-trigger="every 2s"' in fragment
    assert "已处理 10000 / 40000 行，已提交 1 批：导入 9990 名会员" in fragment and "width: 25%" in fragment
    assert "<html" not in fragment


def test_backoffice_template_downloads(tree, cadre_client):
    """Part 6: the template downloads as .xlsx with the headers on the first sheet."""
    client = cadre_client(tree["G1111"], "operator")
    response = client.get(reverse("admin:members_member_import_template"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[0] == "会员信息" and wb.active["A1"].value == "姓名"
