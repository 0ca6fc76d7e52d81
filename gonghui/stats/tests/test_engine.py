"""The statistics engine (issue 13, part 1): the rollups answer every figure exactly as its definition over the
records does — for random trees, histories and periods, with organizations moved, merged and dissolved along
the way; the cells kept write by write equal the cells rebuilt from the records; the children add up to the
parent."""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.members.actions import join_member
from gonghui.members.models import Member, MemberEvent
from gonghui.members.tests.conftest import make_facts, make_id
from gonghui.orgs.actions import dissolve_org, merge_org, move_org, update_org
from gonghui.orgs.models import Org
from gonghui.stats import rollups
from gonghui.stats.models import Tally
from gonghui.stats.registry import REGISTRY, compute, compute_children, differences, recount

pytestmark = pytest.mark.django_db

FIRST, LAST = datetime.date(2023, 11, 1), datetime.date(2026, 11, 20)  # make_facts checks against 2026-11-20
DAYS = (LAST - FIRST).days
LEAVES = ["G1111", "G1112", "G1211", "G2111"]
FEDERATIONS = ["T111", "T121", "K11", "K12", "C1", "C2", "K21", "T211"]


def _day(offset: int) -> datetime.date:
    return FIRST + datetime.timedelta(days=offset % (DAYS + 1))


@st.composite
def _periods(draw):
    a, b = sorted(draw(st.lists(st.integers(0, DAYS), min_size=2, max_size=2)))
    return _day(a), _day(b)


_op = st.one_of(
    st.tuples(st.just("join"), st.integers(0, 3), st.integers(0, DAYS), st.booleans(), st.booleans()),
    st.tuples(st.just("transfer"), st.integers(0, 30), st.integers(0, 3), st.integers(0, DAYS)),
    st.tuples(st.just("end"), st.integers(0, 30), st.sampled_from(["left", "retired", "deceased"]),
              st.integers(0, DAYS)),
    st.tuples(st.just("edit"), st.integers(0, 30)),
    st.tuples(st.just("move"), st.integers(0, 7), st.integers(0, 7)),
    st.tuples(st.just("merge"), st.integers(0, 3), st.integers(0, 3), st.integers(0, DAYS)),
    st.tuples(st.just("dissolve"), st.integers(0, 3), st.integers(0, DAYS)),
    st.tuples(st.just("flags"), st.integers(0, 3), st.booleans()),
)


def _play(tree, ops) -> None:
    """Write a history through the actions, and the past (back-dated transfers and endings) through the
    records themselves, as an import of an earlier system would leave them."""
    actor, members, seq = system_actor(), [], 0
    for op in ops:
        kind = op[0]
        try:
            with transaction.atomic():
                if kind == "join":
                    _, org, day, woman, migrant = op
                    seq += 1
                    facts = make_facts(id_number=make_id(seq=2 * seq + (0 if woman else 1)),
                                       join_date=_day(day).isoformat(), is_migrant_worker="是" if migrant else "否")
                    members.append(join_member(org=tree[LEAVES[org]], facts=facts, by=actor))
                elif kind == "transfer" and members:
                    _, who, to, day = op
                    member = Member.objects.get(pk=members[who % len(members)].pk)
                    target = Org.objects.get(code=LEAVES[to])
                    MemberEvent.objects.create(member=member, kind=MemberEvent.Kind.TRANSFERRED, date=_day(day),
                                               org=member.org, to_org=target)
                    member.org = target
                    member.save()
                elif kind == "end" and members:
                    _, who, status, day = op
                    member = Member.objects.get(pk=members[who % len(members)].pk)
                    if member.status == Member.Status.ACTIVE:
                        member.status, member.status_date = status, _day(day)
                        member.save()
                        MemberEvent.objects.create(member=member, kind=status, date=_day(day), org=member.org)
                elif kind == "edit" and members:
                    member = Member.objects.get(pk=members[op[1] % len(members)].pk)
                    member.is_migrant_worker = not member.is_migrant_worker
                    member.save()
                elif kind == "move":
                    org, parent = Org.objects.get(code=FEDERATIONS[op[1]]), Org.objects.get(code=FEDERATIONS[op[2]])
                    move_org(org, new_parent=parent, by=actor)
                elif kind == "merge":
                    org, into = Org.objects.get(code=LEAVES[op[1]]), Org.objects.get(code=LEAVES[op[2]])
                    merge_org(org, into=into, by=actor, on=_day(op[3]))
                elif kind == "dissolve":
                    dissolve_org(Org.objects.get(code=LEAVES[op[1]]), by=actor, on=_day(op[2]))
                elif kind == "flags":
                    update_org(Org.objects.get(code=LEAVES[op[1]]), by=actor, has_congress=op[2])
        except DomainError:
            pass  # an operation the rules refuse (a move under its own subtree, a merge into a closed union…)


def _cells() -> dict:
    return {(t.grain, t.key, t.day, t.org_id): t.value for t in Tally.objects.all() if t.value}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(ops=st.lists(_op, min_size=5, max_size=30), periods=st.lists(_periods(), min_size=3, max_size=3),
       orgs=st.lists(st.sampled_from(["P", "C1", "K11", "T111", "G1111", "G1112", "C2", "G2111"]),
                     min_size=3, max_size=3))
def test_engine_equals_recount_over_random_histories(tree, ops, periods, orgs):
    """Part 1 'exact': engine = recount for random (org, period), past periods included, after moves and
    merges; and the cells kept write by write equal the cells rebuilt from the records ('fresh', rebuild)."""
    with transaction.atomic():
        _play(tree, ops)
        for code, (start, end) in zip(orgs, periods, strict=True):
            org = Org.objects.get(code=code)
            assert differences(org, start, end, prefix="members.") == []
            assert differences(org, start, end, prefix="orgs.") == []
        kept = _cells()
        rollups.rebuild()
        assert _cells() == kept
        transaction.set_rollback(True)


def test_children_add_up_to_the_parent(tree):
    """Part 1 'exact': an additive figure of the children sums to the parent's, less the parent's own union."""
    actor = system_actor()
    for seq, code in enumerate(["G1111", "G1112", "G1211", "G2111", "G1111"]):
        join_member(org=tree[code], facts=make_facts(id_number=make_id(seq=seq + 1), join_date="2026-03-01"),
                    by=actor)
    start, end = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
    additive = [f.key for f in REGISTRY.values() if f.additive and f.tally is not None]
    for parent in ("P", "C1", "K11"):
        whole = compute(tree[parent], start, end, keys=additive)
        children = [compute(child, start, end, keys=additive) for child in tree[parent].children.all()]
        own = recount_own(tree[parent], start, end, additive)
        for key in additive:
            assert whole[key] == sum(c[key] for c in children) + own[key], key
    assert compute(tree["C1"], start, end, keys=["members.joined"]) == {"members.joined": 4}  # G1111 ×2, G1112, G1211


def test_children_compared_in_one_query_equal_each_child(tree, django_assert_max_num_queries):
    """Part 2 各下级对比: compute_children gives each direct child's own compute(), the rollups in one query."""
    actor = system_actor()
    for seq, code in enumerate(["G1111", "G1211", "G1211", "G2111"]):
        join_member(org=tree[code], facts=make_facts(id_number=make_id(seq=seq + 1), join_date="2026-03-01"),
                    by=actor)
    start, end = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
    keys = ["members.total", "members.joined", "orgs.unions_total", "orgs.congress_rate"]
    with django_assert_max_num_queries(2):  # the children, and their cells
        table = compute_children(tree["C1"], start, end, keys=keys)
    assert {child.code: row["members.joined"] for child, row in table.items()} == {"K11": 1, "K12": 2}
    for child, row in table.items():
        assert row == compute(child, start, end, keys=keys)


def recount_own(org, start, end, keys) -> dict:
    """The parent's own union's part: the subtree's recount less the children's recounts."""
    whole = recount(org, start, end, keys=keys)
    for child in org.children.all():
        part = recount(child, start, end, keys=keys)
        whole = {k: whole[k] - part[k] for k in keys}
    return whole


def test_span_covers_each_day_once():
    """The cells of a period: its partial months by day and its whole months by month, each day once."""
    for start, end in [(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
                       (datetime.date(2026, 1, 15), datetime.date(2026, 3, 3)),
                       (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28)),
                       (datetime.date(2026, 2, 3), datetime.date(2026, 2, 27)),
                       (datetime.date(2025, 12, 31), datetime.date(2026, 1, 1))]:
        q = rollups._span(start, end)
        text = str(q)
        assert "grain" in text
        days = []
        for child in q.children if q.connector == "OR" else [q]:
            parts = dict(child.children) if hasattr(child, "children") else {}
            if parts.get("grain") == Tally.Grain.MONTH:
                month = parts["day__gte"]
                while month < parts["day__lt"]:
                    nxt = rollups._next_month(month)
                    days += [month + datetime.timedelta(d) for d in range((nxt - month).days)]
                    month = nxt
            else:
                lo = parts.get("day__gte") or parts["day__range"][0]
                hi = parts.get("day__range", (None, None))[1] or parts.get("day__lte") or \
                    parts["day__lt"] - datetime.timedelta(days=1)
                days += [lo + datetime.timedelta(d) for d in range((hi - lo).days + 1)]
        assert sorted(days) == [start + datetime.timedelta(d) for d in range((end - start).days + 1)], (start, end)
