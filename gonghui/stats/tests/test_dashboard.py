"""Issue 13 part 2 (the cadre's dashboard, 统计分析): the figures equal compute() for the same union and period,
last year's and 同比, the periods' dates, drill-down inside the subtree only, 各下级对比 sorted, every table
exported with the union and the period in its title row, targets' progress and the children behind the pace."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse
from openpyxl import load_workbook

from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.common.models import AuditEntry
from gonghui.conftest import make_cadre
from gonghui.members.actions import join_member
from gonghui.members.tests.conftest import make_facts, make_id
from gonghui.stats import periods, queries
from gonghui.stats.actions import set_target
from gonghui.stats.panels import panels
from gonghui.stats.registry import REGISTRY, compute

pytestmark = pytest.mark.django_db

H1 = "?period=custom&from=2026-01-01&to=2026-06-30"
JOINS = {  # union → join dates: K11 (G1111, G1112) 3 this half-year and 1 last year's; K12 (G1211) 1
    "G1111": ["2025-03-01", "2026-02-01", "2026-03-01"],
    "G1112": ["2026-05-01"],
    "G1211": ["2026-04-01"],
}


@pytest.fixture
def world(tree):
    seq = 0
    for code, days in JOINS.items():
        for day in days:
            seq += 1
            region = tree[code].region_code
            join_member(org=tree[code], facts=make_facts(id_number=make_id(region, seq=seq), join_date=day),
                        by=system_actor())
    return tree


def _rows(response) -> dict:
    return {row.figure.key: row for board in response.context["boards"] for row in board.rows}


def test_dashboard_is_the_home_page_of_the_cadres_own_union(world, cadre_client):
    """Part 2: the back office's home page is the dashboard of the cadre's own union, the workbench below."""
    client = cadre_client(world["K11"], "operator")
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200 and reverse("admin:index") == reverse("stats:dashboard")
    assert response.context["org"] == world["K11"]
    body = response.content.decode()
    assert 'id="dashboard"' in body and 'id="workbench"' in body and ">会员</h2>" in body
    assert [b.panel.title for b in response.context["boards"]] == [
        "组织建设", "会员发展", "网上入会", "网上办事", "困难职工帮扶", "职工互助保障"]


def test_dashboard_figures_equal_compute_for_the_same_union_and_period(world, cadre_client):
    """Part 2: every key figure is compute()'s for the union and period, last year's is compute()'s for the same
    days a year earlier, and 同比 their change."""
    client = cadre_client(world["K11"], "operator")
    response = client.get(reverse("stats:dashboard") + H1)
    keys = [k for p in panels() for k in p.keys]
    now = compute(world["K11"], datetime.date(2026, 1, 1), datetime.date(2026, 6, 30), keys=keys)
    before = compute(world["K11"], datetime.date(2025, 1, 1), datetime.date(2025, 6, 30), keys=keys)
    rows = _rows(response)
    assert set(rows) == set(keys)
    assert {k: r.value for k, r in rows.items()} == now and {k: r.last for k, r in rows.items()} == before
    joined = rows["members.joined"]
    assert (joined.value, joined.last, joined.change) == (3, 1, "+200.0%")
    assert rows["members.total"].value == 4
    body = response.content.decode()
    assert '<tr data-key="members.joined">' in body and 'data-value="3"' in body
    assert f'title="{REGISTRY["members.joined"].definition or REGISTRY["members.joined"].label}"' in body
    assert "2026年1月1日至2026年6月30日" in body


def test_change_in_percent_points_for_rates_and_none_without_last_year():
    """Part 2: 同比 +x% / −x%; a rate's change in percentage points; — where last year is 0 or None."""
    count, rate = REGISTRY["members.joined"], REGISTRY["hall.completion_rate"]
    assert queries.change(count, 3, 4) == "\u221225.0%"
    assert queries.change(count, 3, 0) == "—" and queries.change(count, None, 2) == "—"
    assert queries.change(REGISTRY["hardship.aid_amount"], Decimal("1.50"), Decimal("1.00")) == "+50.0%"
    assert queries.change(rate, 92.5, 90.0) == "+2.5 个百分点"
    assert queries.text(Decimal("1.5")) == "1.50" and queries.text(92.5) == "92.5" and queries.text(None) == "—"


def test_trend_is_one_point_per_month_of_the_year(world, cadre_client):
    """Part 2: the monthly trend: each month of the period's year up to its end, compute()'s value for the month."""
    client = cadre_client(world["K11"], "operator")
    board = next(b for b in client.get(reverse("stats:dashboard") + H1).context["boards"]
                 if b.panel.app == "members")
    trend = json.loads(board.trend)
    assert trend["labels"] == [f"{m}月" for m in range(1, 7)]
    joined = next(d for d in trend["datasets"] if d["label"].startswith("期内新入会会员"))
    assert joined["data"] == [0, 1, 1, 0, 1, 0]
    composition = json.loads(board.composition)
    assert composition["labels"] == ["女性", "农民工", "八大群体", "新就业形态劳动者"]


@pytest.mark.parametrize(("choice", "today", "start", "end"), [
    ("year", "2026-12-07", "2026-01-01", "2026-12-07"),
    ("half", "2026-12-07", "2026-01-01", "2026-06-30"),
    ("half", "2026-03-10", "2026-01-01", "2026-03-10"),
    ("quarter", "2026-05-15", "2026-04-01", "2026-05-15"),
    ("quarter", "2026-12-07", "2026-10-01", "2026-12-07"),
    ("month", "2026-12-07", "2026-12-01", "2026-12-07"),
    ("nonsense", "2026-12-07", "2026-01-01", "2026-12-07"),
])
def test_period_choices_give_their_dates(choice, today, start, end):
    """Part 2: 本年, 上半年, 本季度, 本月, each up to today."""
    period = periods.choose(choice, datetime.date.fromisoformat(today))
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)


def test_custom_period_and_last_year():
    """Part 2: 自定义 from/to, checked; the same period last year (29 February → 28 February)."""
    period = periods.choose("custom", datetime.date(2026, 12, 7), start="2024-02-29", end="2024-03-31")
    assert period.last_year() == periods.Period("custom", datetime.date(2023, 2, 28), datetime.date(2023, 3, 31))
    assert [m for m, _, _ in period.months()] == [1, 2, 3]
    assert period.months()[-1][1:] == (datetime.date(2024, 3, 1), datetime.date(2024, 3, 31))
    with pytest.raises(DomainError, match="起始日期不能晚于截止日期"):
        periods.choose("custom", datetime.date(2026, 12, 7), start="2026-05-01", end="2026-04-01")
    with pytest.raises(DomainError, match="不是有效日期"):
        periods.choose("custom", datetime.date(2026, 12, 7), start="x", end="2026-04-01")


def test_a_bad_custom_period_says_so_and_shows_this_year(world, cadre_client):
    """Part 2: 自定义 with a reversed range tells the cadre why, and shows 本年 instead of an error page."""
    client = cadre_client(world["K11"], "operator")
    response = client.get(reverse("stats:dashboard") + "?period=custom&from=2026-05-01&to=2026-04-01")
    assert response.context["period"].choice == "year" and "起始日期不能晚于截止日期" in response.content.decode()


def test_drill_down_to_a_descendant_and_404_outside_the_subtree(world, cadre_client):
    """Part 2: ?org= drills down to a union of the subtree; a union outside it (a sibling, the parent) is 404."""
    client = cadre_client(world["K11"], "operator")
    response = client.get(reverse("stats:dashboard") + "?org=G1111")
    assert response.status_code == 200 and response.context["org"] == world["G1111"]
    assert [o.code for o in response.context["trail"]] == ["K11", "T111", "G1111"]
    for code in ("K12", "C1", "G2111", "NOPE"):
        assert client.get(reverse("stats:dashboard") + f"?org={code}").status_code == 404


def test_children_table_has_the_key_figures_and_sorts(world, cadre_client):
    """Part 2: 各下级对比: the direct children with compute()'s key figures, sorted by a column both ways; each
    row links to the child's own dashboard."""
    client = cadre_client(world["C1"], "operator")
    url = reverse("stats:dashboard") + H1
    response = client.get(url)
    kids = response.context["children"]
    assert [c.org.code for c in kids] == ["K11", "K12"]
    keys = [f.key for f in queries.key_figures()]
    assert kids[1].values == compute(world["K12"], datetime.date(2026, 1, 1), datetime.date(2026, 6, 30), keys=keys)
    assert (kids[0].values["members.joined"], kids[1].values["members.joined"]) == (3, 1)
    assert "?org=K12&amp;period=custom&amp;from=2026-01-01&amp;to=2026-06-30" in response.content.decode()
    ascending = client.get(url + "&sort=members.joined").context["children"]
    descending = client.get(url + "&sort=-members.joined").context["children"]
    assert [c.org.code for c in ascending] == ["K12", "K11"] and [c.org.code for c in descending] == ["K11", "K12"]


def _sheet(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_every_table_exports_with_union_and_period_in_its_title(world, cadre_client):
    """Part 2: each table to Excel, its title row naming the union and the period; audited."""
    client = cadre_client(world["C1"], "operator")
    set_target(org=world["C1"], year=2026, key="members.joined", value=8, by=system_actor())
    base = reverse("stats:dashboard") + H1
    figures = _sheet(client.get(base + "&export=figures"))
    assert figures[0][0] == "合肥市总工会 主要指标（2026年1月1日至2026年6月30日）"
    assert figures[1][:6] == ("板块", "指标", "单位", "本期", "上年同期", "同比")
    assert ("会员发展", "期内新入会会员", "人", "4", "1", "+300.0%") in [r[:6] for r in figures[2:]]
    children = _sheet(client.get(base + "&export=children&sort=members.joined"))
    assert children[0][0] == "合肥市总工会 各下级对比（2026年1月1日至2026年6月30日）"
    assert children[1][:2] == ("组织代码", "组织名称")
    column = children[1].index("期内新入会会员（人）")
    assert [(r[0], r[column]) for r in children[2:]] == [("K12", "1"), ("K11", "3")]
    targets = _sheet(client.get(base + "&export=targets"))
    assert targets[0][0] == "合肥市总工会 2026年目标任务完成情况（截至6月30日）"
    assert targets[2] == ("期内新入会会员", "人", "8", "4", "50.0%", "按进度推进")
    assert AuditEntry.objects.filter(action="stats_export").count() == 3
    assert client.get(base + "&export=nothing").status_code == 404


def test_targets_progress_and_children_behind_the_pace(world, cadre_client):
    """Part 3 on the dashboard: own targets with 完成率 and 超额完成; children behind the time-proportional pace
    highlighted in 各下级对比."""
    admin = make_cadre(world["C1"], "org_admin")
    set_target(org=world["K11"], year=2026, key="members.joined", value=2, by=admin)
    set_target(org=world["K12"], year=2026, key="members.joined", value=10, by=admin)
    county = cadre_client(world["K11"], "operator").get(reverse("stats:dashboard") + H1)
    [row] = county.context["targets"]
    assert (row["value"], row["rate_shown"], row["over"]) == (3, "150.0%", True)
    assert "超额完成" in county.content.decode()
    city = cadre_client(world["C1"], "operator").get(reverse("stats:dashboard") + H1)
    behind = {c.org.code: [p["key"] for p in c.behind] for c in city.context["children"]}
    assert behind == {"K11": [], "K12": ["members.joined"]}  # 1 of 10 at half the year
    assert '<tr data-org="K12" class="gh-behind"' in city.content.decode()


def test_report_button_links_to_the_report_with_union_and_period(world, cadre_client):
    """Part 2: 生成工作报告 links to stats:report with org, from and to (when the report's view is installed)."""
    response = cadre_client(world["K11"], "operator").get(reverse("stats:dashboard") + H1)
    try:
        expected = reverse("stats:report") + "?org=K11&from=2026-01-01&to=2026-06-30"
    except NoReverseMatch:  # the report's view is not on this branch: no button
        assert response.context["report_url"] == "" and 'id="report-link"' not in response.content.decode()
    else:
        assert response.context["report_url"] == expected
