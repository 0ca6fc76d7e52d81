"""Issue 3 part 8: the member figures (members.*) by subtree and period, with values."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from gonghui.common.actors import system_actor
from gonghui.conftest import make_cadre
from gonghui.members.actions import decide_transfer, end_membership, join_member, request_transfer
from gonghui.members.tests.conftest import make_facts, make_id
from gonghui.stats.registry import REGISTRY, compute

pytestmark = pytest.mark.django_db

Y2025 = (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
KEYS = {
    "members.total", "members.women", "members.migrant_workers", "members.eight_groups", "members.new_employment",
    "members.joined", "members.joined_women", "members.joined_migrant_workers", "members.joined_eight_groups",
    "members.joined_new_employment", "members.transfers_in", "members.transfers_out", "members.left",
    "members.retired", "members.deceased",
}
# who: (union joined, odd seq = man / even = woman, facts, join date)
PEOPLE = {
    "m1": ("G1111", 2, {"is_migrant_worker": "是", "worker_group": "快递员"}, "2020-05-01"),
    "m2": ("G1111", 1, {"worker_group": "保安员"}, "2026-03-01"),
    "m3": ("G1111", 3, {}, "2020-05-01"),  # leaves 2026-02-01
    "m4": ("G1112", 4, {"worker_group": "网约车司机"}, "2026-02-01"),
    "m5": ("G1211", 5, {"is_migrant_worker": "是"}, "2019-01-01"),  # retires 2026-06-30
    "m6": ("G2111", 6, {}, "2020-01-01"),  # transferred to G1111 today
    "m7": ("G2111", 7, {}, "2021-01-01"),  # dies 2026-04-01
    "m8": ("G1111", 9, {"is_migrant_worker": "是"}, "2018-01-01"),  # transferred to G2111 today
    "m9": ("G1111", 8, {"worker_group": "外卖骑手"}, "2018-01-01"),  # transferred to G1112 today
    "m10": ("G1211", 10, {}, "2025-06-01"),
}


@pytest.fixture
def world(tree):
    """The members above with their leaving, retirement, death and three transfers decided today."""
    members = {
        who: join_member(org=tree[code], facts=make_facts(id_number=make_id(seq=seq), join_date=joined, **raw),
                         by=system_actor())
        for who, (code, seq, raw, joined) in PEOPLE.items()
    }
    end_membership(members["m3"], status="left", date=datetime.date(2026, 2, 1), by=system_actor())
    end_membership(members["m5"], status="retired", date=datetime.date(2026, 6, 30), by=system_actor())
    end_membership(members["m7"], status="deceased", date=datetime.date(2026, 4, 1), by=system_actor())
    requester = make_cadre(tree["P"], "operator")
    approver = make_cadre(tree["P"], "approver")
    for who, to in (("m6", "G1111"), ("m8", "G2111"), ("m9", "G1112")):
        transfer = request_transfer(id_number=make_id(seq=PEOPLE[who][1]), name="张三", to_org=tree[to],
                                    by=requester)
        decide_transfer(transfer, approve=True, by=approver)
    return tree


def figures(org, start, end) -> dict:
    return compute(org, start, end, prefix="members.")


def test_member_figures_registered():
    assert {key for key in REGISTRY if key.startswith("members.")} == KEYS
    assert all(REGISTRY[key].unit == "人" for key in KEYS)


def test_member_figures_this_year(world):
    """Period 2026-01-01 … today: members now, this year's joins, transfers, leavers."""
    period = (datetime.date(2026, 1, 1), timezone.localdate())
    assert figures(world["G1111"], *period) == {
        "members.total": 3, "members.women": 2, "members.migrant_workers": 1,  # m1, m2, m6
        "members.eight_groups": 2, "members.new_employment": 1,
        "members.joined": 1, "members.joined_women": 0, "members.joined_migrant_workers": 0,  # m2
        "members.joined_eight_groups": 1, "members.joined_new_employment": 0,
        "members.transfers_in": 1, "members.transfers_out": 2,  # m6 in; m8 and m9 out
        "members.left": 1, "members.retired": 0, "members.deceased": 0,  # m3
    }
    assert figures(world["C1"], *period) == {
        "members.total": 6, "members.women": 5, "members.migrant_workers": 1,  # m1 m2 m6 | m4 m9 | m10
        "members.eight_groups": 3, "members.new_employment": 3,
        "members.joined": 2, "members.joined_women": 1, "members.joined_migrant_workers": 0,  # m2, m4
        "members.joined_eight_groups": 1, "members.joined_new_employment": 1,
        "members.transfers_in": 1, "members.transfers_out": 1,  # m6 in, m8 out; m9 moved inside C1
        "members.left": 1, "members.retired": 1, "members.deceased": 0,  # m3, m5
    }
    assert figures(world["P"], *period) == {
        "members.total": 7, "members.women": 5, "members.migrant_workers": 2,  # C1's six and m8
        "members.eight_groups": 3, "members.new_employment": 3,
        "members.joined": 2, "members.joined_women": 1, "members.joined_migrant_workers": 0,
        "members.joined_eight_groups": 1, "members.joined_new_employment": 1,
        "members.transfers_in": 0, "members.transfers_out": 0,  # every move inside the province
        "members.left": 1, "members.retired": 1, "members.deceased": 1,  # m3, m5, m7
    }


def test_member_figures_as_of_an_earlier_end(world):
    """Period 2025: members as they were on 2025-12-31 — later leavers still in, later joiners not yet,
    and the transfers approved after it undone (m6 was in G2111, m8 and m9 in G1111)."""
    g1111 = figures(world["G1111"], *Y2025)
    assert (g1111["members.total"], g1111["members.women"], g1111["members.migrant_workers"]) == (4, 2, 2)
    assert (g1111["members.eight_groups"], g1111["members.new_employment"]) == (2, 2)  # m1, m9
    assert figures(world["G1112"], *Y2025)["members.total"] == 0
    c1 = figures(world["C1"], *Y2025)
    assert (c1["members.total"], c1["members.women"], c1["members.migrant_workers"]) == (6, 3, 3)
    assert (c1["members.joined"], c1["members.joined_women"]) == (1, 1)  # m10
    assert [c1[k] for k in ("members.transfers_in", "members.transfers_out", "members.left", "members.retired",
                            "members.deceased")] == [0, 0, 0, 0, 0]
    assert figures(world["P"], *Y2025)["members.total"] == 8  # all but m2 and m4, who joined in 2026
    assert figures(world["C2"], *Y2025)["members.total"] == 2  # m6, m7
    assert figures(world["C2"], datetime.date(2026, 1, 1), timezone.localdate())["members.total"] == 1  # m8


def test_member_figures_empty_subtree(world):
    assert set(figures(world["I1"], *Y2025).values()) == {0}


def test_stats_command_lists_member_figures(world):
    out = io.StringIO()
    call_command("stats", org="C1", start=Y2025[0], end=Y2025[1], json=True, stdout=out)
    data = json.loads(out.getvalue())
    assert KEYS <= set(data["figures"])
    assert (data["figures"]["members.total"], data["figures"]["members.joined"]) == (6, 1)
