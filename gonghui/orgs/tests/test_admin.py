"""The back office for orgs: create, change, move, export — all within the cadre's subtree."""

import io

from openpyxl import load_workbook

from gonghui.common.actors import system_actor
from gonghui.common.models import AuditEntry
from gonghui.orgs.models import Org, OrgEvent

BASE = {"code": "NEW1", "name": "瑶海新建工会", "kind": "grassroots", "uscc": "", "region_code": "340102",
        "employer_name": "", "employer_uscc": "", "employer_type": "", "industry": "", "employee_count": "",
        "founded_on": "2026-05-01", "chair_name": "", "phone": ""}


def test_org_admin_creates_in_subtree(tree, cadre_client):
    client = cadre_client(tree["K11"], "org_admin")
    response = client.post("/admin/orgs/org/add/", {**BASE, "parent": tree["T111"].pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Org.objects.get(code="NEW1")
    assert org.parent == tree["T111"] and org.path.startswith(tree["T111"].path)
    assert org.level == Org.Level.GRASSROOTS
    assert OrgEvent.objects.filter(org=org, kind="created").count() == 1
    assert AuditEntry.objects.filter(action="create", object_id=str(org.pk), actor=client.user).count() == 1


def test_create_outside_subtree_refused(tree, cadre_client):
    client = cadre_client(tree["K11"], "org_admin")
    response = client.post("/admin/orgs/org/add/", {**BASE, "parent": tree["T211"].pk})
    assert response.status_code == 200  # the form again, with an error on parent
    assert "选择一个有效的选项" in response.content.decode()
    assert not Org.objects.filter(code="NEW1").exists()


def test_bad_credit_code_shown_on_form(tree, cadre_client):
    client = cadre_client(tree["K11"], "org_admin")
    response = client.post("/admin/orgs/org/add/", {**BASE, "parent": tree["T111"].pk, "uscc": "91350203M0001QAY9B"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "工会的统一社会信用代码应以 81 开头" in body or "校验位错误" in body
    assert not Org.objects.filter(code="NEW1").exists()


def test_operator_cannot_add(tree, cadre_client):
    client = cadre_client(tree["K11"], "operator")
    assert client.post("/admin/orgs/org/add/", {**BASE, "parent": tree["T111"].pk}).status_code == 404
    assert not Org.objects.filter(code="NEW1").exists()


def test_move_page(tree, cadre_client):
    client = cadre_client(tree["C1"], "org_admin")
    url = f"/admin/orgs/org/{tree['T111'].pk}/move/"
    assert "调整隶属关系" in client.get(url).content.decode()
    response = client.post(url, {"new_parent": tree["K12"].pk})
    assert response.status_code == 302
    moved = Org.objects.get(code="G1111")
    assert moved.path.startswith(Org.objects.get(code="K12").path)
    response = client.post(f"/admin/orgs/org/{tree['K12'].pk}/move/", {"new_parent": tree["T111"].pk})
    assert "不能把组织调整到它自己或它的下级组织之下" in response.content.decode()


def test_export_is_scoped(tree, cadre_client):
    client = cadre_client(tree["K11"], "operator")
    ids = list(Org.objects.values_list("pk", flat=True))  # every org, including outside ones
    response = client.post("/admin/orgs/org/", {"action": "export_xlsx", "_selected_action": ids})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = sorted(row[2] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert names == sorted(["瑶海区总工会", "明光路街道总工会", "合肥瑶海机械有限公司工会", "明光路商圈联合工会"])
    assert [c.value for c in sheet[1]][:4] == ["组织代码", "上级组织代码", "组织名称", "组织类型"]
    assert "导出所选记录为 Excel" in client.get("/admin/orgs/org/").content.decode()
    assert AuditEntry.objects.filter(action="export", actor=client.user).count() == 1


def test_export_imports_back_unchanged(tree, cadre_client):
    """An exported sheet is in the import's layout: importing it again updates every row, rejects none."""
    from gonghui.orgs.actions import update_org
    from gonghui.orgs.importing import import_orgs

    update_org(tree["G1111"], by=system_actor(), employee_count=120, has_congress=True, employer_type="private")
    client = cadre_client(tree["K11"], "org_admin")
    ids = list(Org.objects.values_list("pk", flat=True))
    response = client.post("/admin/orgs/org/", {"action": "export_xlsx", "_selected_action": ids})
    before = {o.code: (o.parent_id, o.employee_count, o.has_congress, o.employer_type, o.founded_on)
              for o in Org.objects.all()}
    rows = [r for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    body = [(i + 2, list(r)) for i, r in enumerate(rows[1:]) if r[0] != "K11"]  # K11's parent is outside
    result = import_orgs((list(rows[0]), body), by=client.user)
    assert (result.imported, result.updated, result.rejected) == (0, 3, 0), result.errors
    after = {o.code: (o.parent_id, o.employee_count, o.has_congress, o.employer_type, o.founded_on)
             for o in Org.objects.all()}
    assert after == before


def test_tree_page_and_fragment(tree, cadre_client):
    client = cadre_client(tree["K11"])
    page = client.get("/admin/orgs/org/tree/").content.decode()
    assert "明光路街道总工会" in page and "下级 2 个" in page
    fragment = client.get(f"/admin/orgs/org/tree/?parent={tree['T111'].pk}", HTTP_HX_REQUEST="true")
    assert "合肥瑶海机械有限公司工会" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    assert client.get(f"/admin/orgs/org/tree/?parent={tree['T211'].pk}").status_code == 404


def test_tree_has_no_inline_style(tree, cadre_client):
    """A strict CSP refuses inline styles: indentation comes from the nested lists' classes."""
    client = cadre_client(tree["C1"])
    page = client.get("/admin/orgs/org/tree/").content.decode()
    fragment = client.get(f"/admin/orgs/org/tree/?parent={tree['K11'].pk}", HTTP_HX_REQUEST="true").content.decode()
    assert "瑶海区总工会" in page and "明光路街道总工会" in fragment
    tree_html = page[page.index('id="org-tree"'):]
    assert "style=" not in tree_html and "style=" not in fragment
    assert '<ul class="pl-6"></ul>' in fragment


def test_tree_for_account_without_org_is_404(db, client):
    from gonghui.accounts.models import User

    user = User.objects.create_user(username="no_org_staff", password="Gonghui#2026test", is_staff=True)
    client.force_login(user)
    assert client.get("/admin/orgs/org/tree/").status_code == 404


def test_changelist_counts_up_to_a_cap(tree, cadre_client, monkeypatch):
    """Big tables: the list counts exactly up to a cap (a LIMIT-ed count), then shows "N+" and pages on."""
    from gonghui.common.admin import CappedCountPaginator

    client = cadre_client(tree["P"], "operator")
    monkeypatch.setattr(CappedCountPaginator, "CAP", 5)
    monkeypatch.setattr("gonghui.orgs.admin.OrgAdmin.list_per_page", 3)
    body = client.get("/admin/orgs/org/").content.decode()
    assert "选择全部 5+ 条工会组织" in body
    page5 = client.get("/admin/orgs/org/?p=5").content.decode()  # rows 13–14 of 14: past the cap
    assert page5.count('name="_selected_action"') == 2
    monkeypatch.setattr(CappedCountPaginator, "CAP", 100)
    body = client.get("/admin/orgs/org/").content.decode()
    assert "选择全部 14 条工会组织" in body


def test_own_union_has_no_move_dissolve_merge_buttons(tree, cadre_client):
    """Issue 12 point 4.8: the buttons are for a union above: absent on the cadre's own union, whose
    pages answer 404; present on a union below."""
    client = cadre_client(tree["K11"], "org_admin")
    own = client.get(f"/admin/orgs/org/{tree['K11'].pk}/change/").content.decode()
    below = client.get(f"/admin/orgs/org/{tree['T111'].pk}/change/").content.decode()
    for path in ("move", "dissolve", "merge"):
        assert f"/admin/orgs/org/{tree['K11'].pk}/{path}/" not in own
        assert f"/admin/orgs/org/{tree['T111'].pk}/{path}/" in below
        assert client.get(f"/admin/orgs/org/{tree['K11'].pk}/{path}/").status_code == 404
    assert client.post(f"/admin/orgs/org/{tree['K11'].pk}/dissolve/", {"reason": "x"}).status_code == 404
    assert Org.objects.get(pk=tree["K11"].pk).status == Org.Status.ACTIVE


def test_move_page_picks_the_new_parent_by_search(tree, cadre_client):
    """Issue 12 point 4.10: the new parent is an autocomplete search box, not a select of every union."""
    client = cadre_client(tree["C1"], "org_admin")
    body = client.get(f"/admin/orgs/org/{tree['T111'].pk}/move/").content.decode()
    select = body[body.index('<select name="new_parent"'):]
    select = select[:select.index("</select>")]
    assert "admin-autocomplete" in select and 'data-field-name="parent"' in select
    assert select.count("<option") <= 1
    assert "/static/admin/js/vendor/select2/i18n/zh-CN.js" in body


def test_org_events_read_in_chinese(tree, cadre_client):
    """Issue 12 point 4.6: 组织沿革 shows its detail in Chinese (names and codes), not raw JSON."""
    from gonghui.conftest import make_cadre
    from gonghui.orgs import actions

    cadre = make_cadre(tree["C1"], "org_admin")
    actions.move_org(tree["T111"], new_parent=tree["K12"], by=cadre)
    actions.update_org(tree["G1211"], by=cadre, name="庐阳食品工会", chair_name="王主席")
    actions.dissolve_org(tree["G1112"], by=cadre, reason="企业注销")
    client = cadre_client(tree["C1"], "operator")
    body = client.get("/admin/orgs/orgevent/?per_page=100").content.decode()
    assert "上级组织：瑶海区总工会（K11） → 庐阳区总工会（K12）" in body
    assert "上级组织：合肥市总工会（C1）" in body  # 成立 of K11
    assert "修改：工会主席、组织名称" in body or "修改：组织名称、工会主席" in body
    assert "撤销日期：" in body and "原因：企业注销" in body
    assert '{"' not in body and "&quot;parent&quot;" not in body
    event = OrgEvent.objects.get(kind=OrgEvent.Kind.MOVED)
    detail = client.get(f"/admin/orgs/orgevent/{event.pk}/change/").content.decode()
    assert "上级组织：瑶海区总工会（K11） → 庐阳区总工会（K12）" in detail
    outsider = cadre_client(tree["K21"], "operator")
    assert outsider.get(f"/admin/orgs/orgevent/{event.pk}/change/").status_code == 404
    assert "瑶海区总工会（K11）" not in outsider.get("/admin/orgs/orgevent/").content.decode()
