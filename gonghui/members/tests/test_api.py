"""The members API (issue 3 parts 2, 4 and 7): scoped like the pages, masked numbers only, no ID
number in a query string, the same validation (facts.clean) with errors in the project's JSON shape."""

import json

import pytest

from gonghui.common.models import AuditEntry
from gonghui.conftest import login, make_cadre
from gonghui.members.actions import NEEDS_TRANSFER
from gonghui.members.models import Member, MemberEvent

from .conftest import make_id

API = "/api/v1/members/"
ID = make_id("340102", "19900101", 551)
OUTSIDE_ID = make_id("340202", "19900101", 553)
MOBILE = "13512345678"


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def members(member_factory):
    inside = member_factory(name="杨一", id_number=ID, mobile=MOBILE)
    left = member_factory("G1112", name="杨二")
    left.status = Member.Status.LEFT
    left.save()
    outside = member_factory("G2111", name="芜湖杨三", id_number=OUTSIDE_ID)
    return inside, left, outside


@pytest.fixture
def api_client(client, tree):
    def make(org_code="K11", *roles):
        user = make_cadre(tree[org_code], *(roles or ("operator",)))
        login(client, user)
        client.user = user
        return client
    return make


def test_openapi_lists_the_member_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/members/", "/api/v1/members/lookup", "/api/v1/members/{member_id}",
            "/api/v1/members/{member_id}/end"} <= set(paths)


def test_list_is_scoped_masked_and_filtered(api_client, members):
    inside, left, _ = members
    client = api_client()
    data = client.get(API).json()
    assert data["count"] == 2
    item = {m["name"]: m for m in data["items"]}["杨一"]
    assert item["id_masked"] == inside.id_masked and item["mobile_masked"] == "135****5678"
    assert (item["org_code"], item["org_name"], item["status"]) == ("G1111", "合肥瑶海机械有限公司工会", "active")
    assert ID not in json.dumps(data) and MOBILE not in json.dumps(data)
    assert not {"id_number_enc", "mobile_enc", "id_index"} & set(item)
    assert [m["name"] for m in client.get(API, {"status": "left"}).json()["items"]] == ["杨二"]
    assert [m["name"] for m in client.get(API, {"org": "G1111"}).json()["items"]] == ["杨一"]
    assert [m["name"] for m in client.get(API, {"q": "杨一"}).json()["items"]] == ["杨一"]
    assert client.get(API, {"q": "芜湖杨三"}).json()["items"] == []


def test_list_with_an_outside_org_is_not_found(api_client, members):
    response = api_client().get(API, {"org": "G2111"})
    assert (response.status_code, response.json()) == (404, {"detail": "未找到该记录。"})


def test_list_refuses_an_id_number_in_the_query_string(api_client, members):
    """Part 4: no ID number in URLs — the API says to use the POST lookup instead."""
    response = api_client().get(API, {"q": ID})
    assert response.status_code == 400
    assert "POST /api/v1/members/lookup" in response.json()["detail"]


def test_detail_masked_and_outsider_gets_404(api_client, members):
    inside, _, outside = members
    client = api_client()
    data = client.get(f"{API}{inside.pk}").json()
    assert (data["name"], data["id_masked"], data["member_number"]) == ("杨一", inside.id_masked, inside.member_number)
    response = client.get(f"{API}{outside.pk}")
    assert (response.status_code, response.json()) == (404, {"detail": "未找到该记录。"})


def test_lookup_by_id_number_in_the_body(api_client, members):
    """Part 7: exact ID number through the blind index, within scope only."""
    inside = members[0]
    client = api_client()
    response = post(client, f"{API}lookup", {"id_number": " " + ID.lower() + " "})
    assert response.status_code == 200 and response.json()["id"] == inside.pk
    assert ID not in response.content.decode()
    response = post(client, f"{API}lookup", {"id_number": OUTSIDE_ID})
    assert response.status_code == 404
    # The attempt at a person of another subtree is audited (R-AUD-5), without the number.
    entry = AuditEntry.objects.get(action="access_denied", actor=client.user)
    assert OUTSIDE_ID not in entry.object_repr
    response = post(client, f"{API}lookup", {"id_number": ID[:-1] + ("1" if ID[-1] != "1" else "2")})
    assert response.status_code == 400 and "校验位" in response.json()["detail"]


def test_create_member_uses_the_same_validation(api_client, tree):
    client = api_client()
    new_id = make_id("340102", "19920202", 554)
    response = post(client, API, {"org": "G1111", "name": "新会员", "id_number": new_id, "mobile": "135-1234-0000",
                                  "ethnicity": "汉", "join_date": "2024年3月1日"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["name"], data["gender"], data["birth_date"], data["ethnicity"], data["join_date"]) == (
        "新会员", "2", "1992-02-02", "01", "2024-03-01")
    assert data["id_masked"] == new_id[:6] + "********" + new_id[-4:] and data["mobile_masked"] == "135****0000"
    member = Member.objects.get(pk=data["id"])
    assert member.source == Member.Source.MANUAL
    assert MemberEvent.objects.filter(member=member, kind="joined", by=client.user).count() == 1


def test_create_member_problems_in_the_json_error_shape(api_client, tree):
    client = api_client()
    response = post(client, API, {"org": "G1111", "name": "张3", "id_number": "3401021990", "mobile": "123"})
    assert response.status_code == 422
    data = response.json()
    assert data["detail"] == "会员信息有误，请按提示修改。"
    assert {e["field"] for e in data["errors"]} == {"name", "id_number", "mobile"}
    assert all(e["message"] for e in data["errors"])
    assert not Member.objects.exists()


def test_create_member_active_elsewhere_needs_a_transfer(api_client, members):
    response = post(api_client(), API, {"org": "G1111", "name": "芜湖杨三", "id_number": OUTSIDE_ID})
    assert response.status_code == 400
    assert response.json() == {"detail": NEEDS_TRANSFER, "field": "id_number"}
    assert Member.objects.get(id_index=members[2].id_index).org.code == "G2111"


def test_create_member_outside_or_without_the_role(api_client, tree):
    body = {"org": "G2111", "name": "新会员", "id_number": make_id("340202", "19920202", 555)}
    assert post(api_client(), API, body).status_code == 404
    response = post(api_client("K11", "approver"), API, body | {"org": "G1111"})
    assert response.status_code == 403 and response.json() == {"detail": "您没有办理会员业务的权限。"}
    assert not Member.objects.exists()


def test_end_membership(api_client, members):
    inside, _, outside = members
    client = api_client()
    response = post(client, f"{API}{inside.pk}/end", {"status": "retired", "date": "2025-12-31", "note": "到龄"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["status_date"]) == ("retired", "2025-12-31")
    assert post(client, f"{API}{outside.pk}/end", {"status": "left", "date": "2025-12-31"}).status_code == 404
    outside.refresh_from_db()
    assert outside.status == "active"
    response = post(client, f"{API}{inside.pk}/end", {"status": "left", "date": "2025-12-31"})
    assert response.status_code == 400 and "不能再办理此项" in response.json()["detail"]
    response = post(client, f"{API}{inside.pk}/end", {"status": "fired", "date": "2025-12-31"})
    assert response.status_code == 422
