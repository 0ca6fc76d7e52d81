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
