"""The cadre's dashboard (issue 13 parts 2 and 3) in the browser: a county cadre logs in and lands on 统计分析 of
the county; picks a custom period; every key figure on the page equals `gonghui stats` for the same union and
period; the county's target shows its progress (完成率, 超额完成) and the child behind the pace is marked; a click
on a child drills down to its own dashboard. Screenshots at province and county level."""

import datetime
import io
import json
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from gonghui.common.actors import system_actor
from gonghui.conftest import build_tree, make_cadre
from gonghui.members.actions import join_member
from gonghui.members.tests.conftest import make_facts, make_id
from gonghui.stats.actions import set_target
from tests.browser.steps import desk_shot, log_in_cadre

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JOINS = {"G1111": ["2025-03-01", "2026-02-01", "2026-03-01", "2026-03-20"], "G1112": ["2026-05-01"],
         "G1211": ["2026-04-01"], "G2111": ["2026-01-15", "2026-06-01"]}


@pytest.fixture
def province(regions):
    tree = build_tree()
    seq = 0
    for code, days in JOINS.items():
        for day in days:
            seq += 1
            join_member(org=tree[code], facts=make_facts(id_number=make_id(tree[code].region_code, seq=seq),
                                                         join_date=day), by=system_actor())
    set_target(org=tree["K11"], year=2026, key="members.joined", value=3, by=system_actor())
    set_target(org=tree["T111"], year=2026, key="members.joined", value=20, by=system_actor())
    set_target(org=tree["C1"], year=2026, key="members.joined", value=10, by=system_actor())
    return tree


def _stats(code: str, start: str, end: str) -> dict:
    out = io.StringIO()
    call_command("stats", org=code, start=datetime.date.fromisoformat(start), end=datetime.date.fromisoformat(end),
                 json=True, stdout=out)
    return json.loads(out.getvalue())["figures"]


def _choose_period(page: Page, start: str, end: str) -> None:
    page.locator("label.gh-dash-choice", has_text="自定义").click()
    page.fill("input[name=from]", start)
    page.fill("input[name=to]", end)
    page.get_by_role("button", name="查询").click()


def test_county_cadre_dashboard_figures_targets_and_drill_down(province, page: Page, new_desk, screenshot):
    cadre = make_cadre(province["K11"], "operator")
    log_in_cadre(page, cadre)
    expect(page.locator("#dashboard")).to_have_attribute("data-org", "K11")
    expect(page.locator("#workbench")).to_be_visible()

    _choose_period(page, "2026-01-01", "2026-06-30")
    expect(page.locator("#period-label")).to_have_text("2026年1月1日至2026年6月30日")
    expected = _stats("K11", "2026-01-01", "2026-06-30")
    cells = page.locator("[id^=panel-] tr[data-key]")
    assert cells.count() >= 25
    for row in cells.all():
        key = row.get_attribute("data-key")
        shown = row.locator("td.gh-value").inner_text().strip()
        value = expected[key]
        assert (shown == "—") if value is None else float(shown) == pytest.approx(float(value)), (key, shown, value)
    assert page.locator("tr[data-key='members.joined'] td.gh-value").first.inner_text() == "4"
    definition = page.locator("#panel-members tr[data-key='members.joined'] td.gh-fig")
    assert definition.get_attribute("title")

    # The county's own target: 4 of 3 by 30 June, exceeded; its town T111 (4 of 20) is behind the pace.
    target = page.locator("#targets tr[data-key='members.joined']")
    expect(target).to_contain_text("133.3%")
    expect(target).to_contain_text("超额完成")
    expect(page.locator("#children tr[data-org='T111']")).to_have_class(re.compile("gh-behind"))
    desk_shot(screenshot, page, "dashboard-county")

    page.locator("#children tr[data-org='T111'] a").first.click()
    expect(page).to_have_url(re.compile(r"\?org=T111&period=custom&from=2026-01-01&to=2026-06-30$"))
    expect(page.locator("#dashboard")).to_have_attribute("data-org", "T111")
    town = _stats("T111", "2026-01-01", "2026-06-30")
    joined = page.locator("#panel-members tr[data-key='members.joined'] td.gh-value").inner_text()
    assert int(joined) == town["members.joined"] == 4

    # Outside the county's subtree: not found.
    assert page.goto("/admin/?org=K12").status == 404

    province_cadre = make_cadre(province["P"], "operator")
    desk = new_desk()
    log_in_cadre(desk, province_cadre)
    _choose_period(desk, "2026-01-01", "2026-06-30")
    expect(desk.locator("#children tr[data-org='C1']")).to_be_visible()
    assert desk.locator("#panel-members tr[data-key='members.joined'] td.gh-value").inner_text() == str(
        _stats("P", "2026-01-01", "2026-06-30")["members.joined"])
    desk_shot(screenshot, desk, "dashboard-province")
