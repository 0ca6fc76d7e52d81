"""Issue 13 part 7 (the figures over the API): GET /api/v1/stats/figures gives compute()'s values for an org's
subtree and a period, scoped like everything else (outside or unknown: 404; anonymous: 401), with its dates
checked (422 in Chinese); GET /api/v1/stats/catalogue lists every figure with its definition; both are in the
OpenAPI document with every status they answer."""

import datetime
from decimal import Decimal

import pytest

from gonghui.conftest import login, make_cadre
from gonghui.members.tests.conftest import member_factory  # noqa: F401 (fixture)
from gonghui.stats.registry import REGISTRY, catalogue, compute

pytestmark = pytest.mark.django_db
URL = "/api/v1/stats/figures"
START, END = datetime.date(2020, 1, 1), datetime.date(2026, 12, 31)


@pytest.fixture
def cadre(tree, member_factory):  # noqa: F811
    """A K11 cadre; two members in G1111, one in T111, one outside in G2111 (芜湖)."""
    member_factory("G1111", name="王五", join_date="2024-03-01")
    member_factory("G1111", name="李梅", join_date="2025-06-01")
    member_factory("T111", name="赵六", join_date="2021-05-01")
    member_factory("G2111", name="孙八", join_date="2024-03-01")
    return make_cadre(tree["K11"], "operator")


def get(client, **params):
    return client.get(URL, {"from": START.isoformat(), "to": END.isoformat()} | params)


def as_json(value):
    return f"{value:.2f}" if isinstance(value, Decimal) else value


def test_figures_equal_compute(client, tree, cadre):
    """Part 7: every figure of K11's subtree over the period, in the registry's order, each value compute()'s —
    counts as integers, amounts in 万元 as two-decimal strings."""
    login(client, cadre)
    response = get(client, org="K11")
    assert response.status_code == 200
    data = response.json()
    assert (data["org"], data["name"], data["from"], data["to"]) == ("K11", "瑶海区总工会", "2020-01-01", "2026-12-31")
    expected = compute(tree["K11"], START, END)
    assert [f["key"] for f in data["figures"]] == list(expected)
    assert {f["key"]: f["value"] for f in data["figures"]} == {k: as_json(v) for k, v in expected.items()}
    by_key = {f["key"]: f for f in data["figures"]}
    assert by_key["members.total"]["value"] == 3 and by_key["members.total"]["unit"] == "人"
    assert by_key["members.total"]["label"] == REGISTRY["members.total"].label
    money = [f for f in data["figures"] if f["unit"] == "万元"]
    assert money and all(f["value"] == "0.00" for f in money)


def test_figures_keys_filter_by_prefix_and_narrow_to_a_child(client, tree, cadre):
    """Part 7: keys= keeps the figures whose key starts with it; a child org in the subtree gives its own."""
    login(client, cadre)
    data = get(client, org="G1111", keys="members.").json()
    assert data["figures"] and all(f["key"].startswith("members.") for f in data["figures"])
    assert len(data["figures"]) == len(catalogue("members."))
    assert {f["key"]: f["value"] for f in data["figures"]}["members.total"] == 2
    assert get(client, org="K11", keys="nothing.").json()["figures"] == []


@pytest.mark.parametrize("code", ["K21", "G2111", "C1", "P", "NOPE"])
def test_figures_outside_or_unknown_org_is_404(client, tree, cadre, code):
    """Part 7 (scope): another county, a grassroots union outside, the cadre's own parents and an unknown code
    all answer 404 alike, with no figure."""
    login(client, cadre)
    response = get(client, org=code)
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到该记录。"}


def test_figures_refuse_anonymous_and_accounts_without_a_union(client, tree, cadre):
    """Part 7: anonymous gets 401; an account with no union sees no org (404)."""
    assert get(client, org="K11").status_code == 401
    assert client.get("/api/v1/stats/catalogue").status_code == 401
    nobody = make_cadre(tree["K11"], "operator", username="moved_away")
    nobody.org = None
    nobody.save(update_fields=["org"])
    login(client, nobody)
    assert get(client, org="K11").status_code == 404


def test_figures_dates_checked(client, tree, cadre):
    """Part 7: from after to, a span over ten years, a malformed date and a missing parameter answer 422 with a
    Chinese message naming the parameter."""
    login(client, cadre)
    response = client.get(URL, {"org": "K11", "from": "2026-07-01", "to": "2026-06-30"})
    assert response.status_code == 422
    assert response.json() == {"detail": "统计期间有误。",
                               "errors": [{"field": "from", "message": "起始日不能晚于截止日"}]}
    response = client.get(URL, {"org": "K11", "from": "2010-01-01", "to": "2026-06-30"})
    assert (response.status_code, response.json()["errors"][0]["message"]) == (422, "统计期间不能超过 10 年")
    assert client.get(URL, {"org": "K11", "from": "2016-07-01", "to": "2026-06-30"}).status_code == 200
    response = client.get(URL, {"org": "K11", "from": "2026-13-01", "to": "2026-06-30"})
    assert response.status_code == 422 and response.json()["detail"] == "请求参数有误。"
    assert response.json()["errors"][0]["message"] == "参数格式不正确"
    response = client.get(URL, {"org": "K11", "to": "2026-06-30"})
    assert response.status_code == 422 and response.json()["errors"][0]["message"] == "缺少该参数"


def test_catalogue_lists_every_figure(client, tree, cadre):
    """Part 7: the catalogue is the registry's, with label, unit, definition, additive and a ratio's parts."""
    login(client, cadre)
    data = client.get("/api/v1/stats/catalogue").json()
    assert [e["key"] for e in data] == [f.key for f in catalogue()]
    by_key = {e["key"]: e for e in data}
    for f in catalogue():
        assert by_key[f.key] == {"key": f.key, "label": f.label, "unit": f.unit, "definition": f.definition,
                                 "additive": f.additive, "parts": list(f.parts)}
    assert [e["key"] for e in client.get("/api/v1/stats/catalogue", {"keys": "orgs."}).json()] == [
        f.key for f in catalogue("orgs.")]


def test_openapi_declares_the_paths_and_statuses(client):
    """Part 7: both endpoints are in the OpenAPI document, the figures with 200, 401, 404 and 422 and its query
    parameters under their public names."""
    schema = client.get("/api/v1/openapi.json").json()
    figures = schema["paths"]["/api/v1/stats/figures"]["get"]
    assert set(figures["responses"]) == {"200", "401", "404", "422"}
    assert {p["name"] for p in figures["parameters"]} == {"org", "from", "to", "keys"}
    assert set(schema["paths"]["/api/v1/stats/catalogue"]["get"]["responses"]) == {"200", "401"}
