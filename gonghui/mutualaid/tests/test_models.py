"""Mutual-aid models: which plans a union sees (Plan.scope_q)."""

import pytest

from gonghui.conftest import make_cadre
from gonghui.mutualaid.models import Plan
from gonghui.orgs.queries import visible_to

from .conftest import make_plan

pytestmark = pytest.mark.django_db


def test_plan_scope_is_the_subtree_and_the_unions_above(tree):
    """Issue 6 part 3 and review finding 9: a union sees the plans of its subtree and of the unions above it —
    their paths are its own cut at each level (Org's STEP), not at every character — and no other branch's."""
    for code in ("P", "C1", "K11", "G1111", "C2", "K12"):
        make_plan(tree[code], name=f"{code}计划")
    org = tree["K11"]
    ancestors = Plan.scope_q(org).children[1]
    assert ancestors == ("org__path__in", [tree["P"].path, tree["C1"].path])
    seen = visible_to(make_cadre(org, "operator"), Plan).values_list("name", flat=True)
    assert sorted(seen) == ["C1计划", "G1111计划", "K11计划", "P计划"]
