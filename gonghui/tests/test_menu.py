"""Issue 12, "the back office a cadre sees": the sidebar is assembled from each app's menu.py, and a cadre sees
what their role and level can use and nothing else. The browser tests show the same menus per level
(tests/browser/test_menus.py)."""

import pytest
from django.test import RequestFactory

from config.sidebar import navigation
from gonghui.common.contrib import app_modules
from gonghui.conftest import make_cadre

pytestmark = pytest.mark.django_db

BUSINESS = ("operator", "approver", "org_admin")
PROVINCE_ONLY = {"行政区划", "节假日调整", "帮扶类别", "资金来源", "工作报告模板"}
ACCOUNTS_ONLY = {"账号", "审计日志"}


def menu_of(user) -> dict[str, list[str]]:
    request = RequestFactory().get("/admin/")
    request.user = user
    return {group["title"]: [item["title"] for item in group["items"]] for group in navigation(request)}


def titles(menu) -> set[str]:
    return {title for items in menu.values() for title in items}


def test_menu_is_gathered_from_every_app_that_declares_one():
    """Point 2: no shared file lists the programs — each app's MENU reaches the sidebar."""
    declared = {app.label for app, _ in app_modules("menu")}
    assert {"orgs", "members", "portal", "hall", "hardship", "ledger", "mutualaid", "accounts", "common"} <= declared


def test_province_business_cadre_sees_the_province_configuration(tree):
    menu = menu_of(make_cadre(tree["P"], *BUSINESS, username="sheng_t"))
    assert list(menu) == ["统计分析", "工会组织", "会员", "职工服务", "网上办事大厅", "困难帮扶", "帮扶资金台账",
                          "职工互助保障"]
    assert menu["统计分析"] == ["统计分析", "目标任务", "导入目标任务", "工作报告模板"]
    assert menu["工会组织"] == ["组织树", "工会组织", "导入组织", "用人单位", "组织沿革", "行政区划"]
    assert PROVINCE_ONLY <= titles(menu)
    assert not ACCOUNTS_ONLY & titles(menu)


@pytest.mark.parametrize("code", ["C1", "K11", "T111"])
def test_city_county_and_town_cadres_see_no_province_configuration(tree, code):
    menu = menu_of(make_cadre(tree[code], *BUSINESS, username=f"cadre_{code}"))
    assert not PROVINCE_ONLY & titles(menu), menu
    assert "导入组织" in menu["工会组织"]
    assert menu["帮扶资金台账"] == ["帮扶审批", "批量发放", "台账分录"]
    assert menu["网上办事大厅"] == ["待我办理", "办件", "办事项"]


def test_grassroots_cadre_sees_only_what_a_grassroots_union_uses(tree):
    menu = menu_of(make_cadre(tree["G1111"], *BUSINESS, username="jiceng_t"))
    assert menu["工会组织"] == ["组织树", "工会组织", "用人单位", "组织沿革"]  # no unions below it to import
    assert menu["统计分析"] == ["统计分析", "目标任务"]  # nor to set targets for
    assert not PROVINCE_ONLY & titles(menu)
    assert "导入会员" in menu["会员"]


def test_read_only_cadre_gets_lists_but_no_import(tree):
    menu = menu_of(make_cadre(tree["K11"], username="chakan_t"))
    assert "会员名册" in menu["会员"]
    assert not {"导入组织", "导入会员", "导入困难职工档案", "导入历史发放记录"} & titles(menu)


@pytest.mark.parametrize("role, expected", [
    ("sysadmin", {"账号与安全": ["账号"]}),
    ("secadmin", {"账号与安全": ["账号"]}),
    ("auditor", {"账号与安全": ["审计日志"]}),
])
def test_administrators_see_their_own_tools_only(tree, role, expected):
    """三权分立: each administrator's menu holds their own tool, and no empty group is shown."""
    menu = menu_of(make_cadre(tree["P"], role, username=f"{role}_t"))
    assert {k: v for k, v in menu.items() if k == "账号与安全"} == expected
    assert all(items for items in menu.values())


def test_workbench_shows_the_same_groups_as_the_sidebar(tree, client):
    """工作台 (below the dashboard on the admin index) lists the sidebar's groups, so the two never name a group
    differently."""
    from gonghui.conftest import login

    login(client, make_cadre(tree["T111"], *BUSINESS, username="zhen_t"))
    body = client.get("/admin/").content.decode()
    workbench = body[body.index('id="workbench"'):]
    for group in menu_of(make_cadre(tree["T111"], *BUSINESS, username="zhen_t2")):
        assert f">{group}</h2>" in workbench
    assert "审计与基础数据" not in workbench


def test_a_hidden_entry_is_also_refused_when_typed(tree, client):
    """What the menu hides from a grassroots union the page refuses too: no unions can be placed under it, so
    the organization import answers 404 there, and opens for the town above it."""
    from gonghui.conftest import login

    login(client, make_cadre(tree["G1111"], *BUSINESS, username="jiceng_typed"))
    assert client.get("/admin/orgs/org/import/").status_code == 404
    login(client, make_cadre(tree["T111"], *BUSINESS, username="zhen_typed"))
    assert client.get("/admin/orgs/org/import/").status_code == 200
