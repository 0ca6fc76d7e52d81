"""Issue 5 parts 3 and 5: the hall's worker pages (items, applying with files, my applications, rating)
and the cadres' queue (待我办理 with filters, detail buttons, action pages, bulk 受理, export), followed from a
worker's application to its rating. Each test names the part it covers. Every URL as an outsider: the URL
walker (gonghui/tests/test_urls_404.py)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.conftest import login, make_cadre
from gonghui.hall import actions, workdays
from gonghui.hall.models import Application, ServiceItem
from gonghui.portal import actions as portal_actions
from gonghui.portal.tests.conftest import MOBILE, sign_up

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORM = {"name": "王五", "category": "因病致困", "household_size": "3", "monthly_income": "2400",
        "reason": "爱人住院。"}


@pytest.fixture(autouse=True)
def fresh_workday_cache():
    workdays.clear_cache()
    yield
    workdays.clear_cache()


@pytest.fixture
def member_worker(tree, sms_outbox, member_factory, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    worker = sign_up(sms_outbox)
    member = member_factory(name="王五", id_number="11010519491231002X", mobile=MOBILE)
    portal_actions.bind_member(worker=worker, name="王五", id_number="11010519491231002X")
    worker.refresh_from_db()
    assert worker.member == member
    return worker


def test_worker_applies_with_a_file_and_follows_it(client, member_worker, tree):
    """Parts 3 and 5: the hall lists the items; applying files the form and the PDF and submits; the page
    shows the number, status, handling union, deadline, the file and the history."""
    client.force_login(member_worker.user)
    text = client.get("/w/hall/").content.decode()
    assert "困难职工帮扶申请" in text and "医疗互助报销" in text
    page = client.get("/w/hall/items/hardship_aid/").content.decode()
    assert "受理 → 审核 → 审批" in page and "证明材料" in page
    response = client.post("/w/hall/items/hardship_aid/", FORM | {
        "file_proof": SimpleUploadedFile("诊断证明.pdf", PDF, content_type="application/pdf")})
    app = Application.objects.get()
    assert response["Location"] == f"/w/hall/{app.pk}/" and app.status == "submitted"
    assert app.handling_org == tree["G1111"] and app.attachments.get().filename == "诊断证明.pdf"
    detail = client.get(f"/w/hall/{app.pk}/").content.decode()
    assert app.number in detail and "已提交" in detail and "诊断证明.pdf" in detail


def test_missing_required_file_keeps_nothing_and_says_what(client, member_worker, tmp_path):
    """Part 3 (nothing half-done): a missing required file refuses the whole application, form kept."""
    client.force_login(member_worker.user)
    response = client.post("/w/hall/items/hardship_aid/", FORM)
    text = response.content.decode()
    assert response.status_code == 200 and "请上传：证明材料" in text and "爱人住院。" in text
    assert not Application.objects.exists() and not list(tmp_path.rglob("*.pdf"))


def test_wrong_file_type_refused_on_its_field(client, member_worker):
    """Part 3: the real type is read from the bytes: a program renamed .pdf is refused."""
    client.force_login(member_worker.user)
    exe = b"MZ\x90\x00" + b"\x00" * 60
    text = client.post("/w/hall/items/hardship_aid/", FORM | {
        "file_proof": SimpleUploadedFile("证明.pdf", exe, content_type="application/pdf")}).content.decode()
    assert "实际为" in text and "证明材料" in text and not Application.objects.exists()


def test_outsiders_get_404_on_hall_pages(client, member_worker, tree, sms_outbox):
    """Part 5: another worker on my application, a cadre on the worker pages: 404."""
    app = actions.file_application(item=ServiceItem.objects.get(code="skills_training"),
                                   applicant=member_worker.user, applicant_org=tree["G1111"], applicant_name="王五",
                                   raw={"name": "王五", "mobile": "13812345678", "course": "电工"})
    client.force_login(sign_up(sms_outbox, "13900002222").user)
    assert client.get(f"/w/hall/{app.pk}/").status_code == 404
    assert client.post(f"/w/hall/{app.pk}/", {"what": "withdraw"}).status_code == 404
    login(client, make_cadre(tree["K11"], "operator"))
    assert client.get("/w/hall/").status_code == 404


def test_queue_detail_buttons_act_and_rate(client, member_worker, tree):
    """Parts 3 and 5: 待我办理 lists what my roles act on; the detail shows the buttons I may use; 受理 and
    审批 through the pages; the worker rates the completed service."""
    app = actions.file_application(item=ServiceItem.objects.get(code="skills_training"),
                                   applicant=member_worker.user, applicant_org=tree["G1111"], applicant_name="王五",
                                   raw={"name": "王五", "mobile": "13812345678", "course": "电工"})
    login(client, make_cadre(tree["K11"], "operator"))
    queue = client.get("/admin/hall/application/?mine=1").content.decode()
    assert app.number in queue and "技能培训报名" in queue
    detail = client.get(f"/admin/hall/application/{app.pk}/change/").content.decode()
    assert "受理" in detail and "138****5678" in detail and "13812345678" not in detail
    client.post(f"/admin/hall/application/{app.pk}/accept/", {"note": ""})
    app.refresh_from_db()
    assert app.status == "accepted" and app.step_role == "approver"
    assert app.number not in client.get("/admin/hall/application/?mine=1").content.decode()  # the approver's now
    login(client, make_cadre(tree["K11"], "approver"))
    assert client.post(f"/admin/hall/application/{app.pk}/return/", {"note": ""}).status_code == 200  # reason needed
    client.post(f"/admin/hall/application/{app.pk}/approve/", {"note": "同意"})
    app.refresh_from_db()
    assert app.status == "completed" and app.step_role == ""
    client.force_login(member_worker.user)
    client.post(f"/w/hall/{app.pk}/", {"rating": "5", "comment": "很快"})
    app.refresh_from_db()
    assert (app.rating, app.rating_comment) == (5, "很快")


def test_queue_filters_bulk_accept_and_export(client, member_worker, tree):
    """Part 5: filters (item, state, due, applicant's union), bulk 受理 of the selected, Excel export."""
    item = ServiceItem.objects.get(code="skills_training")
    apps = [actions.file_application(item=item, applicant=member_worker.user, applicant_org=tree["G1111"],
                                     applicant_name="王五", raw={"name": "王五", "mobile": "13812345678",
                                                                "course": "电工"}) for _ in range(3)]
    login(client, make_cadre(tree["K11"], "operator"))
    filtered = client.get(f"/admin/hall/application/?status=submitted&version__item__id__exact={item.pk}"
                          "&applicant_org=瑶海机械").content.decode()
    assert all(a.number in filtered for a in apps)
    assert apps[0].number not in client.get("/admin/hall/application/?due=overdue").content.decode()
    client.post("/admin/hall/application/", {"action": "accept_selected", "_selected_action": [a.pk for a in apps]})
    assert set(Application.objects.values_list("status", flat=True)) == {"accepted"}
    export = client.post("/admin/hall/application/", {"action": "export_xlsx",
                                                      "_selected_action": [a.pk for a in apps]})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_api_lists_the_queue_and_transitions_through_the_same_actions(client, member_worker, tree):
    """Part 5: pages and API call the same actions: 待我办理 and a transition by the API, errors in Chinese."""
    app = actions.file_application(item=ServiceItem.objects.get(code="skills_training"),
                                   applicant=member_worker.user, applicant_org=tree["G1111"], applicant_name="王五",
                                   raw={"name": "王五", "mobile": "13812345678", "course": "电工"})
    login(client, make_cadre(tree["K11"], "operator"))
    items = client.get("/api/v1/hall/items").json()
    assert len(items) == 16 and items[3]["code"] == "hardship_aid"
    queue = client.get("/api/v1/hall/applications?mine=true").json()
    assert [a["number"] for a in queue["items"]] == [app.number] and queue["items"][0]["step"] == "受理"
    moved = client.post(f"/api/v1/hall/applications/{app.pk}/transition", {"action": "accept"},
                        content_type="application/json").json()
    assert moved["status"] == "accepted" and moved["step"] == "审批"
    again = client.post(f"/api/v1/hall/applications/{app.pk}/transition", {"action": "accept"},
                        content_type="application/json")
    assert again.status_code == 400 and "不能受理" in again.json()["detail"]


def test_cadre_files_for_the_union_and_on_behalf_of_a_member(client, member_worker, tree, settings, tmp_path):
    """Part 3 (为他人申请): a union's own application, and one filed for a member, recorded as such; a worker
    cannot file a union-only item."""
    login(client, make_cadre(tree["G1111"], "operator"))
    contract = SimpleUploadedFile("集体合同.pdf", PDF, content_type="application/pdf")
    response = client.post("/admin/hall/application/add/", {"item": "collective_contract", "signed_on": "2026-05-01",
                                                            "term": "三年", "file_contract": contract})
    union_app = Application.objects.get(version__item__code="collective_contract")
    assert response.status_code == 302 and union_app.applicant_org == tree["G1111"] and union_app.on_behalf_by is None
    assert union_app.handling_org == tree["K11"] and union_app.applicant_name == "合肥瑶海机械有限公司工会"
    member = member_worker.member
    client.post("/admin/hall/application/add/", {"item": "skills_training", "member_number": member.member_number,
                                                 "name": "王五", "mobile": "13812345678", "course": "焊工"})
    for_member = Application.objects.get(version__item__code="skills_training")
    assert for_member.applicant == member_worker.user and for_member.on_behalf_by.username == "u_G1111_operator"
    refused = client.post("/admin/hall/application/add/", {"item": "skills_training", "member_number": "NO-SUCH",
                                                           "name": "王五", "mobile": "13812345678", "course": "焊工"})
    assert "尚未注册职工账号" in refused.content.decode()
    client.force_login(member_worker.user)
    assert "由工会提出申请" in client.get("/w/hall/items/fund_refund/").content.decode()


def test_join_item_page_leads_a_non_member_to_the_join_flow(client, tree, sms_outbox):
    """Issue 12 point 3 (one join machine): a worker not yet a member opens 入会申请 in the hall and is led to
    /w/join/ (the portal's join application), not told to bind a member record first; a post files nothing."""
    worker = sign_up(sms_outbox)
    client.force_login(worker.user)
    page = client.get("/w/hall/items/join/").content.decode()
    assert 'href="/w/join/"' in page and "去办理" in page and "请先<a" not in page
    client.post("/w/hall/items/join/", {"name": "赵六"})
    assert not Application.objects.exists()
    assert "<h1>申请入会</h1>" in client.get("/w/join/").content.decode()


def test_each_step_names_its_own_button_title_and_message(client, member_worker, tree):
    """Issue 12 point 4.7: at 审核 the button, the page title and the message say 审核通过 (not 审批通过);
    at 审批 they say 审批通过; a step named 办结 says 办结. An outsider gets 404."""
    client.force_login(member_worker.user)
    client.post("/w/hall/items/hardship_aid/", FORM | {
        "file_proof": SimpleUploadedFile("诊断证明.pdf", PDF, content_type="application/pdf")})
    app = Application.objects.get()
    login(client, make_cadre(tree["K11"], "operator"))
    client.post(f"/admin/hall/application/{app.pk}/accept/", {"note": ""})
    login(client, make_cadre(tree["K11"], "approver"))
    detail = client.get(f"/admin/hall/application/{app.pk}/change/").content.decode()
    assert "审核通过" in detail and "审批通过" not in detail
    page = client.get(f"/admin/hall/application/{app.pk}/approve/").content.decode()
    assert "<title>审核通过：" in " ".join(page.split()).replace("<title> ", "<title>")
    response = client.post(f"/admin/hall/application/{app.pk}/approve/", {"note": "属实"}, follow=True)
    assert "已审核通过。" in response.content.decode()
    detail = client.get(f"/admin/hall/application/{app.pk}/change/").content.decode()
    assert "审批通过" in detail and "审核通过" not in detail.split("办理记录")[0]
    response = client.post(f"/admin/hall/application/{app.pk}/approve/", {"note": "同意"}, follow=True)
    assert "已审批通过。" in response.content.decode()
    assert Application.objects.get().status == "completed"
    login(client, make_cadre(tree["K21"], "approver"))
    assert client.get(f"/admin/hall/application/{app.pk}/approve/").status_code == 404
    from gonghui.hall.views import step_action_label

    ecard = Application(version=ServiceItem.objects.get(code="ecard").current, step=1)
    assert [s["name"] for s in ecard.version.steps] == ["受理", "办结"]
    assert step_action_label(ecard, "approve") == "办结"
    assert step_action_label(ecard, "return") == "退回补正"
