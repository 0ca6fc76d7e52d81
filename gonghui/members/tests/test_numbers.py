"""Issue 3 part 5: member numbers (会员证号) by the documented scheme PP YYYY NNNNNNNN C."""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.common.actors import system_actor
from gonghui.members import numbers
from gonghui.members.models import NumberSequence
from gonghui.orgs.actions import create_org
from gonghui.orgs.models import Org

from .test_actions import POSTGRES_ONLY, run_in_threads

pytestmark = pytest.mark.django_db


def reference_check(body14: str) -> str:
    """ISO 7064 MOD 11-2 written out: weights 2^(n-i) mod 11, check value (12 - S mod 11) mod 11, 10 → X."""
    total = sum(int(d) * pow(2, 14 - i, 11) for i, d in enumerate(body14))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def test_allocate_follows_the_scheme(tree):
    first = numbers.allocate(tree["G1111"], 2026, 3)
    assert [n[:14] for n in first] == ["34202600000001", "34202600000002", "34202600000003"]
    assert all(len(n) == 15 and numbers.is_valid(n) and n[14] == reference_check(n[:14]) for n in first)
    assert numbers.allocate(tree["G2111"], 2026)[0][:14] == "34202600000004"  # one serial per province and year
    assert numbers.allocate(tree["G1111"], 2025)[0][:14] == "34202500000001"
    assert NumberSequence.objects.get(prefix="342026").last == 4


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(last=st.integers(min_value=0, max_value=99_999_000))
def test_allocate_block_check_characters_agree_with_the_standard(tree, last):
    """Part 5: a block's check characters (computed from tables) are the ISO 7064 ones, across the
    serial's 10,000 boundaries too."""
    NumberSequence.objects.update_or_create(prefix="342026", defaults={"last": last})
    block = numbers.allocate(tree["G1111"], 2026, 25)
    assert [int(n[6:14]) for n in block] == list(range(last + 1, last + 26))
    assert all(n[14] == reference_check(n[:14]) for n in block)


def test_allocate_province_from_nearest_ancestor_with_a_region(tree):
    no_region = create_org(by=system_actor(), parent=tree["G1111"].parent, code="NR1", name="无区划工会",
                           kind=Org.Kind.GRASSROOTS, founded_on=datetime.date(2020, 1, 1))
    assert numbers.province_digits(no_region) == "34"
    root = create_org(by=system_actor(), parent=None, code="ROOT2", name="另一棵树", kind=Org.Kind.FEDERATION,
                      founded_on=datetime.date(2020, 1, 1))
    assert numbers.province_digits(root) == "00"
    assert numbers.allocate(root, 2026)[0][:6] == "002026"


def test_allocate_serials_only_used_when_the_transaction_commits(tree):
    with pytest.raises(RuntimeError), transaction.atomic():
        numbers.allocate(tree["G1111"], 2026, 10)
        raise RuntimeError("导入中断")
    assert numbers.allocate(tree["G1111"], 2026)[0][:14] == "34202600000001"


@pytest.mark.parametrize("number", ["342026000000011", "34202600000001", "3420260000000111", "34202600000001A",
                                    "X42026000000011", ""])
def test_is_valid_refuses_malformed_numbers(number):
    assert numbers.is_valid(number) is (number == "34202600000001" + reference_check("34202600000001"))


bodies = st.text("0123456789", min_size=14, max_size=14)
PROPERTY = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None, max_examples=300)


@PROPERTY
@given(bodies, st.integers(0, 13), st.integers(1, 9))
def test_property_check_char_catches_substitutions_and_transpositions(body, position, shift):
    number = body + numbers.check_char(body)
    assert numbers.check_char(body) == reference_check(body)
    assert numbers.is_valid(number)
    changed = str((int(body[position]) + shift) % 10)
    assert not numbers.is_valid(number[:position] + changed + number[position + 1:])
    if position < 13 and body[position] != body[position + 1]:
        swapped = body[:position] + body[position + 1] + body[position] + body[position + 2:]
        assert not numbers.is_valid(swapped + number[14])


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_allocate_concurrent_blocks_never_overlap():
    from gonghui.conftest import build_tree

    org = build_tree()["G1111"]
    results = run_in_threads(*[lambda: numbers.allocate(org, 2026, 200) for _ in range(4)])
    assert all(isinstance(r, list) for r in results), results
    serials = sorted(int(n[6:14]) for block in results for n in block)
    assert serials == list(range(1, 801))
