"""Amounts in 元 (used by the hall's money fields and the hardship households)."""

from decimal import Decimal

import pytest

from gonghui.common.errors import DomainError
from gonghui.common.money import parse_yuan


@pytest.mark.parametrize("raw, expected", [("1,200.5", "1200.50"), ("0", "0.00"), ("", "0.00"), (None, "0.00"),
                                           (" 35 ", "35.00"), ("２４００", "2400.00"), (Decimal("7.1"), "7.10")])
def test_parse_yuan_accepts_what_people_type(raw, expected):
    assert parse_yuan(raw, label="金额") == Decimal(expected)


@pytest.mark.parametrize("raw", ["12.345", "-1", "十元", "NaN", "Infinity"])
def test_parse_yuan_refuses_with_the_label(raw):
    with pytest.raises(DomainError, match="“月收入”应为"):
        parse_yuan(raw, label="月收入", field="income")


@pytest.mark.parametrize("raw", ["1e30", "1E3", "2e-2", "1" + "0" * 40, "10000000000", "9999999999.999"])
def test_parse_yuan_refuses_exponents_and_huge_amounts(raw):
    """Review finding 3: "1e30" was an InvalidOperation (a server error) and amounts had no upper bound;
    exponent notation and amounts of 100 亿元 or more are now refused with the label."""
    with pytest.raises(DomainError, match="“金额”应为"):
        parse_yuan(raw, label="金额", field="amount")


def test_parse_yuan_accepts_the_largest_amount_a_column_holds():
    """Review finding 3: the bound is the amount columns' (max_digits 12, two places)."""
    assert parse_yuan("9,999,999,999.99", label="金额") == Decimal("9999999999.99")
