"""Mainland mobile numbers (reference part B.7)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.common import mobile
from gonghui.common.errors import DomainError


@pytest.mark.parametrize("raw", [
    "13812345678", " 13812345678 ", "+86 138-1234-5678", "+8613812345678", "008613812345678", "86 138 1234 5678",
    "１３８１２３４５６７８", "138\u30001234\u30005678", "＋８６－１３８１２３４５６７８", 13812345678, 13812345678.0,
])
def test_normalize_accepts_typed_forms(raw):
    assert mobile.normalize(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["19912345678", "17012345678", "14512345678"])
def test_normalize_accepts_new_segments(raw):
    assert mobile.normalize(raw) == raw


@pytest.mark.parametrize("raw, fragment", [
    ("138123456789", "当前为12位"),
    ("1381234567", "当前为10位"),
    ("23812345678", "以 13–19 开头"),
    ("12812345678", "以 13–19 开头"),
    ("1440123456789", "当前为13位"),  # IoT numbers are not personal phones
    ("138abcd5678", "只能包含数字"),
    ("8613812345678x", "只能包含数字"),
])
def test_normalize_rejects_with_message(raw, fragment):
    with pytest.raises(DomainError) as e:
        mobile.normalize(raw)
    assert e.value.field == "mobile" and e.value.message.startswith("手机号") and fragment in e.value.message


@pytest.mark.parametrize("raw", [None, "", "  ", "--"])
def test_normalize_empty_rejected(raw):
    with pytest.raises(DomainError, match="请填写手机号"):
        mobile.normalize(raw)


def test_normalize_86_kept_when_part_of_the_number():
    """A number that itself starts with 86 is not a prefix: only 13 digits starting 86 lose it."""
    with pytest.raises(DomainError, match="以 13–19 开头"):
        mobile.normalize("86123456789")


class _Text(str):
    """Not exactly str: takes normalize's full path rather than its fast path for 11 plain digits."""


def outcome(raw):
    try:
        return mobile.normalize(raw)
    except DomainError as e:
        return e.message


@pytest.mark.parametrize("raw", ["13812345678\n", "1381234567８", "١٣٨١٢٣٤٥٦٧٨", "13812345678 "])
def test_near_plain_numbers_take_the_full_path(raw):
    assert outcome(raw) == outcome(_Text(raw))


@settings(deadline=None, max_examples=300)
@given(st.text(st.sampled_from("0123456789０٣+- \n\u200b"), min_size=9, max_size=15))
def test_property_fast_path_for_plain_numbers_agrees_with_the_full_path(text):
    assert outcome(text) == outcome(_Text(text))
