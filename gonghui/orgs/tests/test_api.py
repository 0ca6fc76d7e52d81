"""The orgs API: scoped like the pages; the OpenAPI document is served; errors are one Chinese
JSON shape."""



from gonghui.conftest import login, make_cadre


def test_openapi_document_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/orgs/" in paths and "/api/v1/orgs/{code}" in paths


def test_list_shows_only_subtree(tree, client):
    login(client, make_cadre(tree["K11"], "operator"))
    response = client.get("/api/v1/orgs/?limit=100")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 4
    assert [o["code"] for o in data["items"]] == ["K11", "T111", "G1111", "G1112"]
    assert data["items"][2]["parent_code"] == "T111"


def test_list_filters(tree, client):
    login(client, make_cadre(tree["C1"], "operator"))
    codes = [o["code"] for o in client.get("/api/v1/orgs/?kind=grassroots").json()["items"]]
    assert codes == ["G1111", "G1211"]
    codes = [o["code"] for o in client.get("/api/v1/orgs/?under=K12").json()["items"]]
    assert codes == ["K12", "T121", "G1211"]


def test_outsider_gets_404(tree, client):
    login(client, make_cadre(tree["K11"], "operator"))
    assert client.get("/api/v1/orgs/K11").json()["name"] == "瑶海区总工会"
    response = client.get("/api/v1/orgs/K21")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到该记录。"}
    assert client.get("/api/v1/orgs/?under=K21").status_code == 404


def test_anonymous_and_unverified_refused(tree, client):
    response = client.get("/api/v1/orgs/")
    assert response.status_code == 401
    assert response.json() == {"detail": "请先登录并完成双因素认证。"}
    user = make_cadre(tree["K11"], "operator")
    client.force_login(user)  # password only, no second factor
    response = client.get("/api/v1/orgs/K11")
    assert response.status_code == 401
    assert response.json() == {"detail": "请先登录并完成双因素认证。"}


def test_bad_integer_parameter_explained_in_chinese(tree, client):
    login(client, make_cadre(tree["K11"], "operator"))
    response = client.get("/api/v1/orgs/?limit=abc")
    assert response.status_code == 422
    assert response.json() == {"detail": "请求参数有误。",
                               "errors": [{"field": "query.limit", "message": "应为整数"}]}


def test_bad_choice_parameter_explained_in_chinese(tree, client):
    login(client, make_cadre(tree["K11"], "operator"))
    response = client.get("/api/v1/orgs/?kind=nonsense")
    assert response.status_code == 422
    assert response.json() == {"detail": "请求参数有误。",
                               "errors": [{"field": "query.kind", "message": "取值不在允许范围内"}]}
    response = client.get("/api/v1/orgs/?limit=0")
    assert response.json()["errors"] == [{"field": "query.limit", "message": "应不小于 1"}]
