"""Issue 13 part 3 (targets, 目标任务) in the back office: the set page for the parent's 单位管理员 only, the list
scoped and filtered, the export in the import's layout and the import round trip, with its errors."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from gonghui.common.excel import build_workbook
from gonghui.common.models import AuditEntry, ImportJob
from gonghui.conftest import login, make_cadre
from gonghui.stats import importing
from gonghui.stats.actions import set_target
from gonghui.stats.targets import Target

pytestmark = pytest.mark.django_db

ADD = "admin:stats_target_add"
LIST = "admin:stats_target_changelist"


def test_set_page_for_the_parents_org_admin(tree, client):
    """Part 3: the 单位管理员 sets a child's target; the page offers only the children."""
    admin = make_cadre(tree["C1"], "org_admin")
    login(client, admin)
    page = client.get(reverse(ADD) + "?org=K12&key=members.joined")
    assert page.status_code == 200
    assert [code for code, _ in page.context["form"].fields["org"].choices] == ["K11", "K12"]
    keys = [k for k, _ in page.context["form"].fields["key"].choices]
    assert "members.joined" in keys and "hall.completion_rate" not in keys
    response = client.post(reverse(ADD), {"org": "K12", "year": "2026", "key": "members.joined", "value": "30000"})
    assert response.status_code == 302
    target = Target.objects.get()
    assert (target.org, target.year, target.key, target.value, target.set_by) == (
        tree["K12"], 2026, "members.joined", Decimal("30000.00"), admin)
    client.post(reverse(ADD), {"org": "K12", "year": "2026", "key": "members.joined", "value": "25000"})
    assert Target.objects.get().value == Decimal("25000.00")
    assert AuditEntry.objects.filter(action="stats_target_set").count() == 2


def test_set_page_refuses_own_union_and_is_404_without_the_role(tree, client):
    """Part 3: a county's own 单位管理员 cannot set the county's target (not offered, refused if posted); a cadre
    without the role gets 404."""
    login(client, make_cadre(tree["K11"], "org_admin"))
    response = client.post(reverse(ADD), {"org": "K11", "year": "2026", "key": "members.joined", "value": "1"})
    assert response.status_code == 200 and "org" in response.context["form"].errors
    assert not Target.objects.exists()
    login(client, make_cadre(tree["C1"], "operator", "approver"))
    assert client.get(reverse(ADD)).status_code == 404
    assert client.post(reverse(ADD), {"org": "K11", "year": "2026", "key": "members.joined",
                                      "value": "1"}).status_code == 404
    assert not Target.objects.exists()


def test_list_is_scoped_and_filtered(tree, client):
    """Part 3: the list shows the subtree's targets only, filtered by year, union subtree and figure."""
    root = make_cadre(tree["P"], "org_admin")
    city = make_cadre(tree["C1"], "org_admin")
    set_target(org=tree["C1"], year=2026, key="members.joined", value=1, by=root)
    set_target(org=tree["C2"], year=2026, key="members.joined", value=2, by=root)
    set_target(org=tree["K11"], year=2026, key="orgs.unions_new", value=3, by=city)
    set_target(org=tree["K11"], year=2025, key="orgs.unions_new", value=4, by=city)
    login(client, make_cadre(tree["C1"], "operator"))

    def shown(query=""):
        return sorted((t.org.code, t.year, t.key) for t in client.get(reverse(LIST) + query).context["cl"].result_list)

    assert shown() == [("C1", 2026, "members.joined"), ("K11", 2025, "orgs.unions_new"),
                       ("K11", 2026, "orgs.unions_new")]
    assert shown("?year=2025") == [("K11", 2025, "orgs.unions_new")]
    assert shown("?org=K11&key=orgs.unions_new&year=2026") == [("K11", 2026, "orgs.unions_new")]
    assert client.get(reverse(LIST) + "?org=C2").status_code == 404


def _export(client, targets) -> bytes:
    response = client.post(reverse(LIST), {"action": "export_xlsx", "_selected_action": [t.pk for t in targets]})
    assert response.status_code == 200
    return response.content


def test_export_and_import_round_trip(tree, client):
    """Part 3: targets exported (the import's columns) import back; edited values update, new rows add."""
    admin = make_cadre(tree["C1"], "org_admin")
    login(client, admin)
    first = set_target(org=tree["K11"], year=2026, key="members.joined", value=400, by=admin)[0]
    second = set_target(org=tree["K12"], year=2026, key="hardship.aid_amount", value="12.5", by=admin)[0]
    sheet = load_workbook(io.BytesIO(_export(client, [first, second]))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == importing.EXPORT_HEADER
    assert sorted(rows[1:]) == [["K11", "瑶海区总工会", 2026, "期内新入会会员", "人", "400"],
                                ["K12", "庐阳区总工会", 2026, "期内发放帮扶资金", "万元", "12.50"]]
    edited = [r if r[0] == "K12" else [*r[:5], "450"] for r in rows[1:]] + [
        ["K11", "", 2026, "期内新建工会组织（个）", "", 20]]
    result = importing.import_file(build_workbook("目标任务", rows[0], edited), "目标.xlsx", by=admin)
    assert (result.imported, result.updated, result.rejected) == (1, 2, 0)
    assert {(t.org.code, t.key): t.value for t in Target.objects.all()} == {
        ("K11", "members.joined"): Decimal("450.00"), ("K12", "hardship.aid_amount"): Decimal("12.50"),
        ("K11", "orgs.unions_new"): Decimal("20.00")}


def test_import_rejects_rows_it_may_not_or_cannot_set(tree):
    """Part 3: rows for a union not a direct child (or outside), figures unknown or not additive, bad values
    and repeats go to the error workbook; the others are set."""
    admin = make_cadre(tree["C1"], "org_admin")
    header = ["组织代码", "年度", "指标", "目标值"]
    rows = [
        ["K11", 2026, "members.joined", 10],
        ["T111", 2026, "members.joined", 10],  # a grandchild: its county sets it
        ["K21", 2026, "members.joined", 10],  # outside
        ["K12", 2026, "办结率", 90],  # a rate
        ["K12", 2026, "没有的指标", 1],
        ["K12", "明年", "members.joined", 1],
        ["K12", 2026, "members.left", -3],
        ["K11", 2026, "期内新入会会员", 12],  # the first row again, by its label
    ]
    result = importing.import_file(build_workbook("目标任务", header, rows), "目标.xlsx", by=admin)
    assert (result.imported, result.rejected) == (1, 7)
    problems = {e.row: e.message for e in result.errors}
    assert "由其上级工会设定" in problems[3] and "没有组织代码为 K21" in problems[4]
    assert "不是可累加的指标" in problems[5] and "没有名为“没有的指标”的指标" in problems[6]
    assert "年度" in problems[7] and "不小于 0" in problems[8] and "与第2行是同一组织、年度和指标" in problems[9]
    assert list(Target.objects.values_list("org__code", "value")) == [("K11", Decimal("10.00"))]


def test_import_pages(tree, client):
    """Part 3: the upload page imports and shows the result; the template downloads; 404 without the role."""
    login(client, make_cadre(tree["C1"], "org_admin"))
    data = build_workbook("目标任务", ["组织代码", "年度", "指标", "目标值"], [["K11", 2026, "members.joined", 5]])
    response = client.post(reverse("admin:stats_target_import"),
                           {"file": SimpleUploadedFile("目标.xlsx", data), "mode": "valid-only"})
    job = ImportJob.objects.get(kind="targets")
    assert response.status_code == 302 and response["Location"] == reverse("admin:stats_target_import_result",
                                                                           args=[job.pk])
    assert "新设定 1 项、修改 0 项目标任务" in client.get(response["Location"]).content.decode()
    template = load_workbook(io.BytesIO(client.get(reverse("admin:stats_target_import_template")).content))
    assert [c.value for c in template.active[1]] == importing.EXPORT_HEADER
    login(client, make_cadre(tree["C1"], "operator"))
    assert client.get(reverse("admin:stats_target_import")).status_code == 404
    assert client.get(reverse("admin:stats_target_import_result", args=[job.pk])).status_code == 404
