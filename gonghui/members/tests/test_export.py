"""The member export (issue 3 parts 4 and 7): the list's filters, the import's column layout,
masked unless the exporter holds pii_viewer, streamed from a file on disk, every export audited."""

import io

import pytest
from openpyxl import load_workbook

from gonghui.common.models import AuditEntry
from gonghui.members import facts
from gonghui.members.models import Member

from .conftest import make_id

EXPORT = "/admin/members/member/export/"
HEADER = [*facts.LABELS.values(), "所属工会", "会籍状态"]
ID = make_id("340102", "19900101", 661)
MOBILE = "13612345678"


def rows_of(response) -> list[list]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return [list(r) for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


@pytest.fixture
def members(member_factory):
    inside = member_factory(name="韩一", id_number=ID, mobile=MOBILE, ethnicity="回族", education="大学本科毕业",
                            is_migrant_worker="是", worker_group="快递员")
    left = member_factory("G1112", name="韩二")
    left.status = Member.Status.LEFT
    left.save()
    outside = member_factory("G2111", name="芜湖三", id_number=make_id("340202", "19900101", 662))
    return inside, left, outside


def test_export_is_masked_in_the_import_layout_and_audited(tree, cadre_client, members):
    inside, left, _ = members
    client = cadre_client(tree["K11"], "operator")
    response = client.get(EXPORT)
    assert response.status_code == 200 and response.streaming  # a FileResponse over the file on disk
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "no-store" in response["Cache-Control"]
    rows = rows_of(response)
    assert rows[0] == HEADER
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"韩一", "韩二"}  # the subtree only
    row = by_name["韩一"]
    assert row[:3] == ["韩一", "男", "回族"]
    assert row[3] == inside.id_masked and row[5] == "136****5678"
    assert row[6:11] == ["大学本科毕业", None, None, "是", "快递员"]  # empty cells stay empty
    assert row[11].date().isoformat() == "2020-05-01" and row[12] == inside.member_number
    assert row[13:] == ["合肥瑶海机械有限公司工会", "在会"]
    assert by_name["韩二"][14] == "退会"
    assert ID not in str(rows) and MOBILE not in str(rows)
    entry = AuditEntry.objects.get(action="export", actor=client.user)
    assert entry.changes == {"rows": 2, "masked": True}
    assert entry.object_repr == "会员导出：列表，条件：全部"


def test_export_unmasked_only_for_pii_viewer_and_audited(tree, cadre_client, members):
    """Part 4: exports are masked unless the exporter holds the permission; every export is audited."""
    client = cadre_client(tree["K11"], "pii_viewer")
    rows = rows_of(client.get(EXPORT, {"q": members[0].member_number}))
    assert [r[0] for r in rows[1:]] == ["韩一"]
    assert rows[1][3] == ID and rows[1][5] == MOBILE
    entry = AuditEntry.objects.get(action="export", actor=client.user)
    assert entry.changes == {"rows": 1, "masked": False}


def test_unmasked_export_can_be_imported_again(tree, cadre_client, members):
    """Part 7: the export has the import's columns, so facts.clean accepts its rows unchanged."""
    rows = rows_of(cadre_client(tree["K11"], "pii_viewer").get(EXPORT))
    header = rows[0]
    field_of = {label: field for field, label in facts.LABELS.items()}
    for row in rows[1:]:
        raw = {field_of[h]: v for h, v in zip(header, row, strict=True) if h in field_of}
        cleaned, problems = facts.clean(raw)
        assert problems == []
        member = Member.objects.get(member_number=cleaned.member_number)
        assert (cleaned.name, cleaned.gender, cleaned.birth_date, cleaned.join_date) == (
            member.name, member.gender, member.birth_date, member.join_date)
        assert (cleaned.ethnicity, cleaned.worker_group, cleaned.is_migrant_worker) == (
            member.ethnicity, member.worker_group, member.is_migrant_worker)


def test_export_applies_the_list_filters(tree, cadre_client, members):
    client = cadre_client(tree["K11"], "operator")
    assert [r[0] for r in rows_of(client.get(EXPORT, {"status": "left"}))[1:]] == ["韩二"]
    assert [r[0] for r in rows_of(client.get(EXPORT, {"org": "G1111"}))[1:]] == ["韩一"]
    assert [r[0] for r in rows_of(client.get(EXPORT, {"q": "韩二"}))[1:]] == ["韩二"]
    assert rows_of(client.get(EXPORT, {"join_date_from": "2030-01-01"}))[1:] == []
    entries = AuditEntry.objects.filter(action="export", actor=client.user).order_by("id")
    assert [e.object_repr for e in entries] == [
        "会员导出：列表，条件：status=left", "会员导出：列表，条件：org=G1111", "会员导出：列表，条件：q=韩二",
        "会员导出：列表，条件：join_date_from=2030-01-01"]


def test_export_of_an_outside_org_is_not_found(tree, cadre_client, members):
    client = cadre_client(tree["K11"], "pii_viewer")
    assert client.get(EXPORT, {"org": "G2111"}).status_code == 404
    assert client.get(EXPORT, {"org": "K21", "status": "active"}).status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()


def test_export_action_uses_the_same_masked_layout(tree, cadre_client, members):
    """The generic "export selected" action: same layout, masked, scoped even for outside ids."""
    client = cadre_client(tree["K11"], "operator")
    ids = list(Member.objects.values_list("pk", flat=True))  # the outside member's id included
    response = client.post("/admin/members/member/", {"action": "export_xlsx", "_selected_action": ids})
    rows = rows_of(response)
    assert rows[0] == HEADER
    assert sorted(r[0] for r in rows[1:]) == ["韩一", "韩二"]
    assert ID not in str(rows) and "芜湖" not in str(rows)
    assert AuditEntry.objects.get(action="export", actor=client.user).changes == {"rows": 2, "masked": True}


def test_export_link_carries_the_list_filters(tree, cadre_client, members):
    body = cadre_client(tree["K11"], "operator").get("/admin/members/member/?status=left").content.decode()
    assert 'href="/admin/members/member/export/?status=left"' in body
