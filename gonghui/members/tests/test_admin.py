"""The member roster in the back office (issue 3 parts 4 and 7): masked numbers, scoped filters,
search by name, member number or exact ID through the blind index, and add/change forms that use
facts.clean and the actions."""

import re
from urllib.parse import unquote

from gonghui.common.models import AuditEntry
from gonghui.conftest import login, make_cadre
from gonghui.members.models import Member, MemberEvent

from .conftest import make_id

LIST = "/admin/members/member/"
ADD = "/admin/members/member/add/"
LOOKUP = "/admin/members/member/lookup/"
ID = make_id("340102", "19900101", 771)  # male
FEMALE_ID = make_id("340102", "19900101", 772)
MOBILE = "13912345678"


def form_data(org, **values):
    return {"org": org.pk, "name": "王五", "gender": "", "birth_date": "", "doc_type": "resident",
            "id_number": ID, "mobile": MOBILE, "ethnicity": "", "education": "", "political_status": "",
            "household_type": "", "worker_group": "", "join_date": "2021-03-01", "member_number": ""} | values


def test_list_shows_masked_numbers_only(tree, cadre_client, member_factory):
    """Part 4: masked by default, on the server; the full numbers never reach the page."""
    member = member_factory(name="李四", id_number=ID, mobile=MOBILE)
    body = cadre_client(tree["K11"], "operator").get(LIST).content.decode()
    assert "李四" in body and member.member_number in body
    assert "340102********7712"[:6] in body and member.id_masked in body and "139****5678" in body
    assert ID not in body and MOBILE not in body
    assert "合肥瑶海机械有限公司工会" in body  # 所属工会


def test_list_is_scoped_and_filtered_by_org_subtree(tree, cadre_client, member_factory):
    member_factory(name="甲会员")
    member_factory("G1112", name="乙会员")
    member_factory("G2111", name="芜湖会员")
    left = member_factory(name="丙会员")
    left.status = Member.Status.LEFT
    left.save()
    client = cadre_client(tree["K11"], "operator")
    body = client.get(LIST).content.decode()
    assert "甲会员" in body and "乙会员" in body and "芜湖会员" not in body
    body = client.get(LIST, {"org": "G1112"}).content.decode()
    assert "乙会员" in body and "甲会员" not in body
    body = client.get(LIST, {"status": "left"}).content.decode()
    assert "丙会员" in body and "甲会员" not in body
    assert client.get(LIST, {"org": "K21"}).status_code == 404  # an outside org: not found
    assert client.get(LIST, {"org": "NOPE"}).status_code == 404


def test_search_by_name_member_number_and_exact_id_within_scope(tree, cadre_client, member_factory):
    """Part 7: search by name, member number or exact ID number (blind index), always within scope.
    Names and member numbers search the list (?q=); an ID number goes by POST (see the next test)."""
    inside = member_factory(name="赵六", id_number=ID)
    outside_id = make_id("340202", "19900101", 773)
    outside = member_factory("G2111", name="赵六", id_number=outside_id)
    client = cadre_client(tree["K11"], "operator")

    def listed(term):
        return {m.member_number for m in client.get(LIST, {"q": term}).context["cl"].result_list}

    def looked_up(term):
        response = client.post(LOOKUP, {"q": term})
        return response["Location"] if response.status_code == 302 else None

    assert listed("赵六") == {inside.member_number}
    assert listed(inside.member_number) == {inside.member_number}
    assert listed(outside.member_number) == set()
    assert listed("赵") == set()  # no LIKE over names (nor over ciphertext)
    assert looked_up(ID) == f"/admin/members/member/{inside.pk}/change/"
    assert looked_up(" " + ID[:9] + " " + ID[9:].lower() + " ") == f"/admin/members/member/{inside.pk}/change/"
    assert looked_up(outside_id) is None  # the outside person's ID
    assert looked_up(inside.member_number) == f"/admin/members/member/{inside.pk}/change/"


def test_search_box_posts_so_id_numbers_stay_out_of_urls(tree, cadre_client, member_factory):
    """Part 4: "no ID number appears in URLs": the roster's search box posts; an ID number opens
    the record (its URL holds the record id only), a name goes back to the list as ?q=."""
    inside = member_factory(name="孙七", id_number=ID)
    member_factory("G2111", name="孙七", id_number=FEMALE_ID)
    client = cadre_client(tree["K11"], "operator")
    page = client.get(LIST).content.decode()
    assert 'method="post" action="/admin/members/member/lookup/"' in page
    response = client.post(LOOKUP, {"q": ID})
    assert response.status_code == 302
    assert response["Location"] == f"/admin/members/member/{inside.pk}/change/"
    response = client.post(LOOKUP, {"q": "孙七", "status": "active"})
    assert response.status_code == 302
    assert unquote(response["Location"]) == LIST + "?status=active&q=孙七"
    response = client.post(LOOKUP, {"q": FEMALE_ID})  # active, but outside the subtree
    assert response.status_code == 200
    body = response.content.decode()
    assert "未找到与该号码相符的会员" in body and "芜湖" not in body
    response = client.post(LOOKUP, {"q": MOBILE})
    assert response.status_code == 200 and "不支持按手机号查找" in response.content.decode()


def test_add_member_goes_through_join_member(tree, cadre_client):
    client = cadre_client(tree["K11"], "operator")
    response = client.post(ADD, form_data(tree["G1111"]))
    assert response.status_code == 302, response.content.decode()[:3000]
    member = Member.objects.get()
    assert (member.org, member.name, member.gender, str(member.birth_date)) == (
        tree["G1111"], "王五", "1", "1990-01-01")  # gender and birth date from the ID
    assert member.id_masked == ID[:6] + "********" + ID[-4:] and member.mobile_masked == "139****5678"
    assert ID not in member.id_number_enc and MOBILE not in member.mobile_enc
    assert len(member.member_number) == 15 and member.source == Member.Source.MANUAL
    assert list(member.events.values_list("kind", flat=True)) == [MemberEvent.Kind.JOINED]
    assert AuditEntry.objects.filter(action="member_join", actor=client.user, object_id=str(member.pk)).count() == 1


def test_add_form_shows_facts_problems_on_their_fields_and_saves_nothing(tree, cadre_client):
    """Part 2: the same validation (facts.clean) in the form, each message on its field."""
    client = cadre_client(tree["K11"], "operator")
    bad_check = ID[:-1] + ("0" if ID[-1] != "0" else "1")
    response = client.post(ADD, form_data(tree["G1111"], id_number=bad_check, gender="2", mobile="12345",
                                          join_date="2031-01-01"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "校验位" in errors["id_number"][0]
    assert "手机号" in errors["mobile"][0]
    assert "入会日期不能晚于今天" in errors["join_date"][0]
    response = client.post(ADD, form_data(tree["G1111"], gender="2"))
    assert "性别与身份证号不符" in response.context["adminform"].form.errors["gender"][0]
    response = client.post(ADD, form_data(tree["G1111"], id_number=make_id("340102", "20100101", 771)))
    assert "年满16周岁" in response.context["adminform"].form.errors["join_date"][0]
    assert not Member.objects.exists() and not MemberEvent.objects.exists()
    assert not AuditEntry.objects.filter(action="member_join").exists()


def test_add_of_a_person_active_elsewhere_shows_the_transfer_message(tree, cadre_client, member_factory):
    """Part 6/3: one active membership per person; the message says nothing about the other union."""
    member_factory("G2111", name="王五", id_number=ID)
    client = cadre_client(tree["K11"], "operator")
    response = client.post(ADD, form_data(tree["G1111"]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "请办理转会手续" in form.errors["id_number"][0]
    assert "芜湖" not in response.content.decode()
    assert form["name"].value() == "王五"  # the form comes back with what was typed
    assert Member.objects.count() == 1 and Member.objects.get().org == tree["G2111"]


def test_add_outside_the_subtree_refused(tree, cadre_client):
    client = cadre_client(tree["K11"], "operator")
    response = client.post(ADD, form_data(tree["G2111"]))
    assert response.status_code == 200
    assert "org" in response.context["adminform"].form.errors
    assert not Member.objects.exists()


def test_change_form_never_renders_stored_numbers_and_keeps_them_when_blank(tree, cadre_client, member_factory):
    member = member_factory(name="周八", id_number=ID, mobile=MOBILE)
    client = cadre_client(tree["K11"], "operator")
    url = f"/admin/members/member/{member.pk}/change/"
    body = client.get(url).content.decode()
    assert ID not in body and MOBILE not in body
    assert f"当前：{member.id_masked}" in body and "当前：139****5678" in body
    data = form_data(member.org, name="周捌", id_number="", mobile="", join_date="2020-05-01",
                     member_number=member.member_number)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    member.refresh_from_db()
    assert member.name == "周捌" and member.id_masked.endswith(ID[-4:]) and member.mobile_masked == "139****5678"
    assert list(member.events.values_list("kind", flat=True)) == ["joined", "updated"]
    response = client.post(url, data | {"clear_mobile": "on"})
    member.refresh_from_db()
    assert member.mobile_masked == "" and member.mobile_enc == ""


def test_change_form_problems_leave_the_record_unchanged(tree, cadre_client, member_factory):
    member = member_factory(name="吴九", id_number=ID, mobile=MOBILE)
    other = member_factory(name="郑十", id_number=FEMALE_ID)
    client = cadre_client(tree["K11"], "operator")
    url = f"/admin/members/member/{member.pk}/change/"
    base = form_data(member.org, name="吴九", id_number="", mobile="", join_date="2020-05-01",
                     member_number=member.member_number)
    response = client.post(url, base | {"mobile": "1391234"})
    assert "手机号" in response.context["adminform"].form.errors["mobile"][0]
    response = client.post(url, base | {"id_number": FEMALE_ID, "gender": "2"})  # another record's number
    assert "另一条会员记录" in response.context["adminform"].form.errors["id_number"][0]
    response = client.post(url, base | {"member_number": other.member_number})
    assert "会员证号已被使用" in response.context["adminform"].form.errors["member_number"][0]
    member.refresh_from_db()
    assert (member.name, member.mobile_masked, member.id_masked[-4:]) == ("吴九", "139****5678", ID[-4:])
    assert list(member.events.values_list("kind", flat=True)) == ["joined"]


def test_reader_without_edit_role_sees_masked_read_only_page(tree, client, member_factory):
    """Everyone with an org may view (masked); only operators and org admins change."""
    member = member_factory(name="冯十一", id_number=ID, mobile=MOBILE)
    login(client, make_cadre(tree["K11"], "auditor"))
    url = f"/admin/members/member/{member.pk}/change/"
    body = client.get(url).content.decode()
    assert member.id_masked in body and "139****5678" in body and ID not in body
    assert 'name="id_number"' not in body and "查看完整号码" not in body
    assert f"/admin/members/member/{member.pk}/leave/" not in body
    assert client.post(url, form_data(member.org, name="改名")).status_code == 404
    assert client.get(ADD).status_code == 404
    member.refresh_from_db()
    assert member.name == "冯十一"


def test_change_page_buttons_follow_roles_and_status(tree, client, member_factory):
    member = member_factory(name="陈十二")
    login(client, make_cadre(tree["K11"], "operator", "pii_viewer"))
    body = client.get(f"/admin/members/member/{member.pk}/change/").content.decode()
    assert "会籍记录" in body and "查看完整号码" in body and "终止会籍" in body
    assert f"/admin/members/member/{member.pk}/leave/" in body
    member.status = Member.Status.RETIRED
    member.save()
    body = client.get(f"/admin/members/member/{member.pk}/change/").content.decode()
    assert f"/admin/members/member/{member.pk}/leave/" not in body


def test_member_events_are_read_only_and_scoped(tree, cadre_client, member_factory):
    member_factory(name="褚十三")
    member_factory("G2111", name="芜湖会员")
    client = cadre_client(tree["K11"], "operator")
    body = client.get("/admin/members/memberevent/").content.decode()
    assert "褚十三" in body and "芜湖会员" not in body
    found = client.get("/admin/members/memberevent/", {"q": "褚十三"}).context["cl"].result_list
    assert [e.member.name for e in found] == ["褚十三"]
    assert list(client.get("/admin/members/memberevent/", {"q": "芜湖会员"}).context["cl"].result_list) == []
    event = MemberEvent.objects.get(member__name="褚十三")
    body = client.get(f"/admin/members/memberevent/{event.pk}/change/").content.decode()
    assert 'name="note"' not in body
    assert client.get("/admin/members/memberevent/add/").status_code == 404


def test_sidebar_has_the_member_section(tree, cadre_client, client):
    body = cadre_client(tree["K11"], "operator").get(LIST).content.decode()
    for title in ("会员名册", "导入会员", "转会申请", "会籍变动"):
        assert title in body
    assert 'href="/admin/members/member/import/"' in body
    login(client, make_cadre(tree["K11"], "auditor"))
    body = client.get(LIST).content.decode()
    assert "会员名册" in body and "导入会员" not in body


def test_roster_page_of_50_rows_stays_under_100_kb(tree, cadre_client, member_factory):
    """Issue 12 point 4.3: the roster with 50 rows was 378 KB (unfold's classes on every cell, template
    indentation); it must stay under 100 KB."""
    for i in range(55):
        member_factory(name="张三" if i % 2 else "李四")
    member_factory("G2111", name="芜湖会员")
    response = cadre_client(tree["K11"], "operator").get(LIST)
    body = response.content.decode()
    assert body.count('name="_selected_action"') == 50
    assert "共 55 条" in body and "芜湖会员" not in body
    assert len(response.content) < 100_000, len(response.content)


def test_member_events_list_is_newest_first_and_named_apart_from_the_record_button(
        tree, cadre_client, member_factory):
    """Issue 12 point 4.9: the global list is 会籍变动, newest first; a member's own button stays 会籍记录."""
    old = member_factory(name="王五", join_date="2019-03-01")
    new = member_factory(name="赵六", join_date="2024-08-01")
    client = cadre_client(tree["K11"], "operator")
    body = client.get("/admin/members/memberevent/").content.decode()
    assert re.search(r"<title>\s*会籍变动", body)
    assert body.index("赵六") < body.index("王五")
    button = client.get(f"/admin/members/member/{new.pk}/change/").content.decode()
    assert "会籍记录" in button and "终止会籍" in button
    assert old.pk != new.pk


def test_org_picker_searches_only_the_subtree(tree, cadre_client):
    """Issue 12 point 4.10: the roster form's union is a search box (autocomplete) whose answers stay in
    the cadre's subtree; another county's cadre finds none of it."""
    client = cadre_client(tree["K11"], "operator")
    form = client.get("/admin/members/member/add/").content.decode()
    assert 'data-field-name="org"' in form and "admin-autocomplete" in form
    select = form[form.index('<select name="org"'):]
    assert select[:select.index("</select>")].count("<option") <= 1  # no list of every union
    url = "/admin/autocomplete/?app_label=members&model_name=member&field_name=org&term="
    names = {r["text"] for r in client.get(url + "工会").json()["results"]}
    assert names == {"瑶海区总工会", "明光路街道总工会", "合肥瑶海机械有限公司工会", "明光路商圈联合工会"}
    outsider = cadre_client(tree["K21"], "operator")
    names = {r["text"] for r in outsider.get(url + "瑶海").json()["results"]}
    assert names == set()
    assert {r["text"] for r in outsider.get(url + "工会").json()["results"]} == {
        "镜湖区总工会", "范罗山街道总工会", "芜湖镜湖纺织有限公司工会"}
