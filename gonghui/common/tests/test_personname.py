"""Person names: CJK or Latin letters, minority-name dots normalised to U+00B7, no digits, 1–50 characters."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.common.errors import DomainError
from gonghui.common.personname import normalize_name


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("张三", "张三"),
        (" 张三 ", "张三"),
        ("张 三", "张三"),
        ("王\u3000五", "王五"),
        ("李", "李"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽‧买买提", "阿依古丽·买买提"),
        ("阿依古丽・买买提", "阿依古丽·买买提"),
        ("阿依古丽･买买提", "阿依古丽·买买提"),
        ("阿依古丽．买买提", "阿依古丽·买买提"),
        ("阿依古丽.买买提", "阿依古丽·买买提"),
        ("阿依古丽●买买提", "阿依古丽·买买提"),
        ("阿依古丽 · 买买提", "阿依古丽·买买提"),
        ("玛丽·居里", "玛丽·居里"),
        ("爱新觉罗·溥仪", "爱新觉罗·溥仪"),
        ("𠀀𪚥", "𠀀𪚥"),  # extension B characters
        ("王〇", "王〇"),
        ("John  Smith", "John Smith"),
        ("Mary J. Smith", "Mary J. Smith"),
        ("Ｊｏｈｎ Ｓｍｉｔｈ", "John Smith"),
        ("Jean-Pierre O'Neil", "Jean-Pierre O'Neil"),
        ("José Núñez", "José Núñez"),
    ],
)
def test_normalize_name_accepts(raw, expected):
    assert normalize_name(raw) == expected


@pytest.mark.parametrize("raw", ["张三1", "张三１", "Smith2"])
def test_normalize_name_digits_rejected(raw):
    with pytest.raises(DomainError) as e:
        normalize_name(raw)
    assert (e.value.message, e.value.field) == ("姓名不能包含数字，请填写证件上的姓名。", "name")


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_normalize_name_empty_rejected(raw):
    with pytest.raises(DomainError, match="请填写姓名。"):
        normalize_name(raw)


def test_normalize_name_length_limit():
    assert normalize_name("张" * 50) == "张" * 50
    with pytest.raises(DomainError, match="姓名不能超过50个字符（当前51个）"):
        normalize_name("张" * 51)


@pytest.mark.parametrize("raw", ["·张三", "张三·", "阿依古丽··买买提", "张三@", "张_三", "김철수", "Иван", "张三!"])
def test_normalize_name_other_characters_rejected(raw):
    with pytest.raises(DomainError, match="姓名只能由汉字或字母组成"):
        normalize_name(raw)


class _Text(str):
    """Not exactly str: takes normalize_name's full path rather than its fast path for plain CJK names."""


def outcome(raw):
    try:
        return normalize_name(raw)
    except DomainError as e:
        return e.message


@settings(deadline=None, max_examples=300)
@given(st.text(st.characters(min_codepoint=0x3400, max_codepoint=0x4DBF) | st.characters(min_codepoint=0x4E00,
                                                                                        max_codepoint=0x9FFF)
               | st.sampled_from(["\u3007", "\uf900", " ", "\u3000", "·", ".", "・", "\u200b", "1", "a"]), max_size=55))
def test_property_fast_path_for_plain_cjk_names_agrees_with_the_full_path(text):
    assert outcome(text) == outcome(_Text(text))
