"""Scoping: visible_to(user, Org) is exactly the subtree of the user's org (R-AZ-4), and the
subtree query is one range scan of the path index on PostgreSQL."""

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.accounts.models import User
from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.orgs.actions import LEAF_KINDS, NEXT_LEVEL, create_org, move_org
from gonghui.orgs.models import Org, path_step
from gonghui.orgs.queries import visible_to


def independent_subtrees() -> dict[int, set[int]]:
    """For every org, the pks of its subtree, computed by walking parent pointers in Python
    (no use of `path`)."""
    parent_of = dict(Org.objects.values_list("pk", "parent_id"))
    below: dict[int, set[int]] = {pk: set() for pk in parent_of}
    for pk in parent_of:
        node = pk
        while node is not None:
            below[node].add(pk)
            node = parent_of[node]
    return below


def assert_paths_consistent() -> None:
    by_pk = {o.pk: o for o in Org.objects.all()}
    for org in by_pk.values():
        parent_path = by_pk[org.parent_id].path if org.parent_id else ""
        assert org.path == parent_path + path_step(org.pk), org.code


@st.composite
def trees(draw):
    """A forest as a list of (parent index or None, kind): the first node is a root federation,
    grassroots unions are leaves, and no federation sits under a town federation."""
    size = draw(st.integers(min_value=1, max_value=40))
    nodes = [(None, Org.Kind.FEDERATION)]
    levels = [Org.Level.PROVINCE]
    for _ in range(1, size):
        hosts = [i for i, (_, kind) in enumerate(nodes) if kind not in LEAF_KINDS]
        parent = draw(st.one_of(st.none(), st.sampled_from(hosts)) if len(nodes) > 3 else st.sampled_from(hosts))
        if parent is None:
            kind, level = Org.Kind.FEDERATION, Org.Level.PROVINCE
        else:
            kinds = list(Org.Kind.values)
            if levels[parent] not in NEXT_LEVEL:
                kinds.remove(Org.Kind.FEDERATION)
            kind = draw(st.sampled_from(kinds))
            if kind in LEAF_KINDS:
                level = Org.Level.GRASSROOTS
            elif kind == Org.Kind.FEDERATION:
                level = NEXT_LEVEL[levels[parent]]
            else:
                level = levels[parent]
        nodes.append((parent, kind))
        levels.append(level)
    return nodes


def build(nodes) -> list[Org]:
    orgs: list[Org] = []
    for i, (parent, kind) in enumerate(nodes):
        orgs.append(create_org(by=system_actor(), parent=orgs[parent] if parent is not None else None,
                               code=f"H{i}", name=f"组织{i}", kind=kind))
    return orgs


def check_visibility(orgs: list[Org], positions: list[int]) -> None:
    subtrees = independent_subtrees()
    for n, index in enumerate(positions):
        cadre = User.objects.create(username=f"cadre{n}_{index}", org=Org.objects.get(pk=orgs[index].pk))
        visible = set(visible_to(cadre, Org).values_list("pk", flat=True))
        assert visible == subtrees[orgs[index].pk]
        assert set(Org.objects.subtree(cadre.org).values_list("pk", flat=True)) == visible
        User.objects.filter(pk=cadre.pk).delete()


hypothesis_settings = settings(max_examples=40, deadline=None,
                               suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@hypothesis_settings
@given(data=st.data(), nodes=trees())
def test_visible_set_equals_independent_subtree(db, data, nodes):
    """Done-when (R-AZ-4): for random trees and random cadre positions, visible_to(user, Org) is
    exactly the subtree computed by walking parent pointers."""
    with transaction.atomic():
        assert not Org.objects.exists()  # examples do not leak into each other
        orgs = build(nodes)
        positions = data.draw(st.lists(st.integers(0, len(orgs) - 1), min_size=1, max_size=5))
        check_visibility(orgs, positions)
        transaction.set_rollback(True)


@hypothesis_settings
@given(data=st.data(), nodes=trees())
def test_visible_set_follows_random_moves(db, data, nodes):
    """Done-when (R-AZ-4): after random move_org operations (refused ones leave the tree as it
    was), visible sets still equal the independently computed subtrees and paths stay consistent."""
    with transaction.atomic():
        assert not Org.objects.exists()
        orgs = build(nodes)
        moves = data.draw(st.lists(st.tuples(st.integers(0, len(orgs) - 1), st.integers(0, len(orgs) - 1)),
                                   max_size=8))
        for index, target in moves:
            org, new_parent = Org.objects.get(pk=orgs[index].pk), Org.objects.get(pk=orgs[target].pk)
            before = list(Org.objects.order_by("pk").values_list("pk", "parent_id", "path", "level"))
            try:
                move_org(org, new_parent=new_parent, by=system_actor())
            except DomainError:
                assert list(Org.objects.order_by("pk").values_list("pk", "parent_id", "path", "level")) == before
                if new_parent.is_within(org):
                    continue  # a cycle: refused
                assert new_parent.kind in LEAF_KINDS or new_parent.level == Org.Level.TOWN or \
                    Org.objects.subtree(org).filter(kind=Org.Kind.FEDERATION).exists()
            else:
                assert Org.objects.get(pk=org.pk).parent_id == new_parent.pk
            assert_paths_consistent()
        positions = data.draw(st.lists(st.integers(0, len(orgs) - 1), min_size=1, max_size=5))
        check_visibility(orgs, positions)
        transaction.set_rollback(True)


def test_visible_to_nothing_without_an_org_or_when_inactive(tree):
    """Done-when: an account without an org, an inactive one or an anonymous one sees nothing."""
    from django.contrib.auth.models import AnonymousUser

    assert not visible_to(User.objects.create(username="noorg"), Org).exists()
    assert not visible_to(User.objects.create(username="off", org=tree["P"], is_active=False), Org).exists()
    assert not visible_to(AnonymousUser(), Org).exists()
    assert visible_to(User.objects.create(username="top", org=tree["P"]), Org).count() == len(tree)


def test_descendant_does_not_see_ancestors_or_siblings(tree):
    """Done-when: descendants never see ancestors or siblings (R-AZ-4, fixed tree)."""
    cadre = User.objects.create(username="t111", org=tree["T111"])
    assert set(visible_to(cadre, Org).values_list("code", flat=True)) == {"T111", "G1111", "G1112"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's")
def test_subtree_query_uses_the_path_index(db):
    """Done-when: the subtree query of a county uses an index on `path` on PostgreSQL, not a
    sequential scan (4,221 orgs loaded with correct paths, then ANALYZE)."""
    base = 1_000_000
    rows: list[Org] = []

    def add(parent: Org | None, kind: str, level: str) -> Org:
        pk = base + len(rows)
        org = Org(pk=pk, code=f"X{pk}", name=f"组织{pk}", kind=kind, level=level, parent=parent,
                  path=(parent.path if parent else "") + path_step(pk))
        rows.append(org)
        return org

    province = add(None, Org.Kind.FEDERATION, Org.Level.PROVINCE)
    counties = []
    for _ in range(20):
        city = add(province, Org.Kind.FEDERATION, Org.Level.CITY)
        for _ in range(10):
            county = add(city, Org.Kind.FEDERATION, Org.Level.COUNTY)
            counties.append(county)
            for _ in range(20):
                add(county, Org.Kind.GRASSROOTS, Org.Level.GRASSROOTS)
    Org.objects.bulk_create(rows, batch_size=1000)
    county = counties[57]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orgs_org")
        plans = {}
        for label, qs in {
            "count": Org.objects.subtree(county).order_by(),
            "values": Org.objects.subtree(county).values("pk", "code", "name"),
        }.items():
            sql, params = qs.query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plans[label] = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'orgs_org' AND indexdef LIKE '%(path%'")
        path_indexes = [row[0] for row in cursor.fetchall()]
    assert path_indexes
    for label, plan in plans.items():
        assert "Seq Scan" not in plan, f"{label}:\n{plan}"
        assert any(f"Index Scan using {i}" in plan or f"Index Only Scan using {i}" in plan
                   or f"Bitmap Index Scan on {i}" in plan for i in path_indexes), f"{label}:\n{plan}"
    assert Org.objects.subtree(county).count() == 21
