"""Issue 13 part 3 (targets, 目标任务): who may set a target, which figures take one, the audit entry, and the
progress maths (完成率, 超额完成, behind the time-proportional pace) with values."""

import datetime
from decimal import Decimal

import pytest

from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.common.models import AuditEntry
from gonghui.conftest import make_cadre
from gonghui.members.actions import join_member
from gonghui.members.tests.conftest import make_facts, make_id
from gonghui.stats.actions import set_target
from gonghui.stats.targets import Target, pace, progress, progress_of_children

pytestmark = pytest.mark.django_db


def _join(org, seq: int, day: str):
    return join_member(org=org, facts=make_facts(id_number=make_id(seq=seq), join_date=day), by=system_actor())


def test_set_target_by_the_parents_org_admin_is_audited(tree):
    """Part 3: setting a target is an audited action of the parent's 单位管理员."""
    admin = make_cadre(tree["C1"], "org_admin")
    target, created = set_target(org=tree["K11"], year=2026, key="members.joined", value="400", by=admin)
    assert created and target.value == Decimal("400.00") and target.set_by == admin
    again, created = set_target(org=tree["K11"], year=2026, key="members.joined", value=450, by=admin)
    assert not created and again.pk == target.pk and Target.objects.get().value == Decimal("450.00")
    entries = AuditEntry.objects.filter(action="stats_target_set").order_by("pk")
    assert [e.changes["value"] for e in entries] == [[None, "400"], ["400", "450"]]
    assert entries[0].changes["org"] == "K11" and entries[0].actor == admin


@pytest.mark.parametrize(("org", "roles", "code"), [
    ("K11", ("org_admin",), "K11"),  # the union's own administrator: targets come from above
    ("C1", ("operator", "approver"), "K11"),  # the parent, but not its 单位管理员
    ("P", ("org_admin",), "K11"),  # the grandparent: the city sets the county's
    ("C2", ("org_admin",), "K11"),  # an outsider
    ("C1", ("org_admin",), "C1"),  # the city for itself: its parent does
])
def test_set_target_refused_to_anyone_but_the_parents_org_admin(tree, org, roles, code):
    """Part 3: only the parent's 单位管理员 sets a union's target (own cadre no, outsider no)."""
    with pytest.raises(DomainError, match="上级工会的单位管理员"):
        set_target(org=tree[code], year=2026, key="members.joined", value=1, by=make_cadre(tree[org], *roles))
    assert not Target.objects.exists()


def test_set_target_of_the_root_by_its_own_admin(tree):
    """Part 3: the province root has no parent: its own 单位管理员 sets its targets."""
    target, _ = set_target(org=tree["P"], year=2026, key="orgs.unions_new", value=400,
                           by=make_cadre(tree["P"], "org_admin"))
    assert target.org == tree["P"]


@pytest.mark.parametrize(("key", "value", "message"), [
    ("members.nothing", 1, "没有统计指标"),
    ("hall.completion_rate", 90, "不是可累加的指标"),
    ("members.joined", "-1", "不小于 0"),
    ("members.joined", "abc", "不是数字"),
    ("members.joined", "1.234", "两位小数"),
])
def test_set_target_checks_key_and_value(tree, key, value, message):
    """Part 3: a target only on an additive figure of the registry, with a sensible value."""
    with pytest.raises(DomainError, match=message):
        set_target(org=tree["K11"], year=2026, key=key, value=value, by=make_cadre(tree["C1"], "org_admin"))


def test_pace_is_the_share_of_the_year_gone_by():
    """Part 3: the time-proportional pace."""
    assert pace(2026, datetime.date(2026, 1, 1)) == 1 / 365
    assert pace(2026, datetime.date(2026, 7, 2)) == 183 / 365
    assert pace(2026, datetime.date(2027, 3, 1)) == 1.0  # past the year: the whole year
    assert pace(2024, datetime.date(2024, 12, 31)) == 1.0  # a leap year has 366 days


def test_progress_rate_over_and_behind_pace(tree):
    """Part 3: progress counts 1 January..on; 完成率 = value/target; 超额完成 at ≥ 100 %; behind the pace when the
    share done is below the share of the year gone by."""
    for seq, day in enumerate(["2025-12-20", "2026-01-10", "2026-02-10", "2026-03-10", "2026-05-10"], start=1):
        _join(tree["G1111"], seq, day)
    admin = make_cadre(tree["C1"], "org_admin")
    set_target(org=tree["K11"], year=2026, key="members.joined", value=8, by=admin)
    set_target(org=tree["K11"], year=2026, key="members.total", value=4, by=admin)
    set_target(org=tree["K11"], year=2025, key="members.joined", value=1, by=admin)

    rows = progress(tree["K11"], 2026, datetime.date(2026, 3, 31))
    assert [r["key"] for r in rows] == ["members.joined", "members.total"]
    joined, total = rows
    # 3 joined by 31 March (the December one is last year's): 3/8 = 37.5 % against 90/365 = 24.7 % of the year.
    assert (joined["value"], joined["target"], joined["rate"]) == (3, Decimal("8.00"), 37.5)
    assert joined["label"] == "期内新入会会员" and joined["unit"] == "人"
    assert not joined["over"] and not joined["behind_pace"]
    assert (total["value"], total["rate"], total["over"]) == (4, 100.0, True)

    july = progress(tree["K11"], 2026, datetime.date(2026, 7, 1))[0]  # 4/8 = 50 % against 182/365 = 49.9 %
    assert (july["value"], july["rate"], july["behind_pace"]) == (4, 50.0, False)
    august = progress(tree["K11"], 2026, datetime.date(2026, 8, 1))[0]  # still 4/8 against 213/365 = 58 %
    assert (august["rate"], august["behind_pace"]) == (50.0, True)


def test_progress_of_children_one_row_list_per_child_with_targets(tree):
    """Part 3: the children behind the pace, as the dashboard's children table shows them."""
    _join(tree["G1111"], 1, "2026-01-10")
    admin = make_cadre(tree["C1"], "org_admin")
    set_target(org=tree["K11"], year=2026, key="members.joined", value=1, by=admin)
    set_target(org=tree["K12"], year=2026, key="members.joined", value=10, by=admin)
    rows = progress_of_children(tree["C1"], 2026, datetime.date(2026, 6, 30))
    assert set(rows) == {tree["K11"].pk, tree["K12"].pk}
    assert rows[tree["K11"].pk][0]["over"] and not rows[tree["K11"].pk][0]["behind_pace"]
    assert rows[tree["K12"].pk][0]["value"] == 0 and rows[tree["K12"].pk][0]["behind_pace"]
    assert progress(tree["C1"], 2026, datetime.date(2026, 6, 30)) == []
