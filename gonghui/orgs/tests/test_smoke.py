from gonghui.orgs.models import Org


def test_tree_paths_nest(tree):
    assert set(Org.objects.subtree(tree["C1"]).values_list("code", flat=True)) == {
        "C1", "K11", "K12", "T111", "T121", "G1111", "G1112", "G1211"}
    assert tree["T111"].level == Org.Level.TOWN
    assert tree["G1111"].level == Org.Level.GRASSROOTS
    assert tree["I1"].level == Org.Level.PROVINCE


def test_admin_changelist_scoped(tree, cadre_client):
    client = cadre_client(tree["K11"], "org_admin")
    response = client.get("/admin/orgs/org/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "明光路街道总工会" in body
    assert "庐阳区总工会" not in body
    assert client.get(f"/admin/orgs/org/{tree['K12'].pk}/change/").status_code == 404
