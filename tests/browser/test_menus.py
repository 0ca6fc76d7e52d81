"""Issue 12, "the back office a cadre sees": per union level, the sidebar that a business cadre (operator,
approver, org_admin) gets in a real browser holds exactly what that level can use, the same groups as
工作台, and the province's configuration pages stay shut below the province even when typed. The same
expectations as the unit-level gonghui/tests/test_menu.py, written out per level."""

import re
from typing import NamedTuple

import pytest
from playwright.sync_api import Page, expect

from gonghui.conftest import build_tree, make_cadre

from .steps import desk_shot, log_in_cadre

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOT_FOUND = "页面不存在或您无权访问"
# Kept by the province alone: open to the province's cadre (under its sidebar entry), 404 for every level below.
PROVINCE_PAGES = {"/admin/ledger/paymentkind/add/": "帮扶类别", "/admin/hall/holidayday/add/": "节假日调整",
                  "/admin/stats/reporttemplate/add/": "工作报告模板"}

MENU_PROVINCE = {
    "统计分析": ["统计分析", "目标任务", "导入目标任务", "工作报告模板"],
    "工会组织": ["组织树", "工会组织", "导入组织", "用人单位", "组织沿革", "行政区划"],
    "会员": ["会员名册", "导入会员", "转会申请", "会籍变动"],
    "职工服务": ["入会申请", "实名绑定确认", "入会二维码", "电子会员卡"],
    "网上办事大厅": ["待我办理", "办件", "办事项", "节假日调整"],
    "困难帮扶": ["困难职工档案", "复核到期", "导入困难职工档案", "导入历史发放记录"],
    "帮扶资金台账": ["帮扶审批", "批量发放", "台账分录", "帮扶类别", "资金来源"],
    "职工互助保障": ["互助保障计划", "单位参保", "保障名单", "赠送活动", "互助金申请"],
}
MENU_CITY = {
    "统计分析": ["统计分析", "目标任务", "导入目标任务"],
    "工会组织": ["组织树", "工会组织", "导入组织", "用人单位", "组织沿革"],
    "会员": ["会员名册", "导入会员", "转会申请", "会籍变动"],
    "职工服务": ["入会申请", "实名绑定确认", "入会二维码", "电子会员卡"],
    "网上办事大厅": ["待我办理", "办件", "办事项"],
    "困难帮扶": ["困难职工档案", "复核到期", "导入困难职工档案", "导入历史发放记录"],
    "帮扶资金台账": ["帮扶审批", "批量发放", "台账分录"],
    "职工互助保障": ["互助保障计划", "单位参保", "保障名单", "赠送活动", "互助金申请"],
}
MENU_COUNTY = {
    "统计分析": ["统计分析", "目标任务", "导入目标任务"],
    "工会组织": ["组织树", "工会组织", "导入组织", "用人单位", "组织沿革"],
    "会员": ["会员名册", "导入会员", "转会申请", "会籍变动"],
    "职工服务": ["入会申请", "实名绑定确认", "入会二维码", "电子会员卡"],
    "网上办事大厅": ["待我办理", "办件", "办事项"],
    "困难帮扶": ["困难职工档案", "复核到期", "导入困难职工档案", "导入历史发放记录"],
    "帮扶资金台账": ["帮扶审批", "批量发放", "台账分录"],
    "职工互助保障": ["互助保障计划", "单位参保", "保障名单", "赠送活动", "互助金申请"],
}
MENU_GRASSROOTS = {
    "统计分析": ["统计分析", "目标任务"],  # no unions below it to set targets for
    "工会组织": ["组织树", "工会组织", "用人单位", "组织沿革"],  # no unions below it to import
    "会员": ["会员名册", "导入会员", "转会申请", "会籍变动"],
    "职工服务": ["入会申请", "实名绑定确认", "入会二维码", "电子会员卡"],
    "网上办事大厅": ["待我办理", "办件", "办事项"],
    "困难帮扶": ["困难职工档案", "复核到期", "导入困难职工档案", "导入历史发放记录"],
    "帮扶资金台账": ["帮扶审批", "批量发放", "台账分录"],
    "职工互助保障": ["互助保障计划", "单位参保", "保障名单", "赠送活动", "互助金申请"],
}

# The sidebar as the cadre sees it: each group's heading and its entries' labels (the icon's ligature name is
# a sibling span, left out), with whether the browser draws them. simplebar wraps the groups in its own divs
# once its script runs, so groups are found by their heading rather than by position.
READ_SIDEBAR = """() => [...document.querySelectorAll('#nav-sidebar-apps h2')].map(h => ({
    title: h.textContent.trim(),
    visible: h.checkVisibility(),
    items: [...h.parentElement.querySelectorAll(':scope > ol > li > a')].map(a => ({
        title: a.querySelector('span:not(.material-symbols-outlined)').textContent.trim(),
        visible: a.checkVisibility(),
    })),
}))"""
READ_WORKBENCH = """() => [...document.querySelectorAll('#workbench section')].map(s => [
    s.querySelector('h2').textContent.trim(),
    [...s.querySelectorAll('li > a')].map(a => a.lastChild.textContent.trim()),
])"""


@pytest.fixture
def tree(regions):
    """gonghui/conftest.py's test tree, built once the region table is back (orgs validate their region)."""
    return build_tree()


def sidebar(page: Page) -> list[list]:
    """[[group, [entry, …]], …] in the sidebar's order (a list, so that a group shown twice would count)."""
    groups = page.evaluate(READ_SIDEBAR)
    hidden = [g["title"] for g in groups if not g["visible"]]
    hidden += [i["title"] for g in groups for i in g["items"] if not i["visible"]]
    assert not hidden, f"菜单项在页面中但未显示：{hidden}"
    return [[g["title"], [i["title"] for i in g["items"]]] for g in groups]


def menu_shot(screenshot, page: Page, name: str) -> None:
    """desk_shot with the window first made tall enough for the whole sidebar: its list of groups scrolls
    inside a window-high panel (simplebar's wrapper), so a window the height of 工作台 would cut the lower
    groups off."""
    viewport = page.viewport_size
    overflow = page.evaluate(
        "(() => { const apps = document.querySelector('#nav-sidebar-apps');"
        " const content = apps.querySelector('.simplebar-content') || apps;"  # simplebar's scrolling wrapper
        " return content.scrollHeight - apps.clientHeight; })()"
    )
    page.set_viewport_size({"width": viewport["width"], "height": viewport["height"] + max(overflow, 0)})
    desk_shot(screenshot, page, name)
    page.set_viewport_size(viewport)


def open_entry(page: Page, group: str, entry: str):
    """Click `entry` under `group`'s heading in the sidebar; the response of the page it opens."""
    heading = page.locator("#nav-sidebar-apps h2", has_text=re.compile(rf"^\s*{group}\s*$"))
    link = heading.locator("xpath=..").locator("ol > li > a", has_text=re.compile(rf"^\s*\S+\s+{entry}\s*$"))
    with page.expect_navigation() as navigation:
        link.click()
    return navigation.value


class Level(NamedTuple):
    code: str  # the cadre's union in the test tree
    menu: dict[str, list[str]]
    shot: str
    group: str  # the sidebar entry clicked, by its group and label
    entry: str
    url: str  # where it opens, its <title> and a word of its heading
    title: str
    heading: str


LEVELS = [
    Level("P", MENU_PROVINCE, "menu-province", "网上办事大厅", "节假日调整", r"/admin/hall/holidayday/$",
          "选择 节假日调整 来修改", "节假日调整"),
    Level("C1", MENU_CITY, "menu-city", "工会组织", "导入组织", r"/admin/orgs/org/import/$", "导入组织", "导入组织"),
    Level("K11", MENU_COUNTY, "menu-county", "困难帮扶", "复核到期", r"/admin/hardship/hardshipfile/\?due=1$",
          "选择困难职工档案查看", "困难职工档案"),
    Level("G1111", MENU_GRASSROOTS, "menu-grassroots", "会员", "会员名册", r"/admin/members/member/$",
          "选择 会员 来修改", "会员"),
]


@pytest.mark.parametrize("level", LEVELS, ids=["province", "city", "county", "grassroots"])
def test_sidebar_shows_what_the_level_can_use_and_nothing_else(page: Page, tree, screenshot, level: Level):
    """Issue 12, done-when: a browser test per role level (province, city, county, grassroots) checks that the
    menu shows what that role can use and nothing else; docs/screenshots/menu-<level>.png show them."""
    cadre = make_cadre(tree[level.code], "operator", "approver", "org_admin")
    log_in_cadre(page, cadre)

    expected = [[group, entries] for group, entries in level.menu.items()]
    assert sidebar(page) == expected
    assert page.evaluate(READ_WORKBENCH) == expected
    menu_shot(screenshot, page, level.shot)

    response = open_entry(page, level.group, level.entry)
    assert response.ok, response.status
    expect(page).to_have_url(re.compile(level.url))
    expect(page).to_have_title(f"{level.title} | 智慧工会管理后台")
    expect(page.locator("h1")).to_contain_text(level.heading)
    expect(page.locator("#nav-sidebar-apps a.active")).to_have_count(1)
    expect(page.locator("#nav-sidebar-apps a.active")).to_contain_text(level.entry)
    assert sidebar(page) == expected  # the same menu on every page, not only on 工作台

    for path, entry in PROVINCE_PAGES.items():
        response = page.goto(path)
        if level.code == "P":
            assert response.status == 200, path
            expect(page.locator("#nav-sidebar-apps a.active")).to_contain_text(entry)
        else:
            assert response.status == 404, path
            expect(page.locator("body")).to_contain_text(NOT_FOUND)
