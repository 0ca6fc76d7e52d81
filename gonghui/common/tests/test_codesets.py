"""National code sets (reference B.4–B.8): standard code, standard name and common short forms."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.common import codesets
from gonghui.common.codesets import (
    EDUCATION,
    ETHNICITY,
    GENDER,
    HOUSEHOLD_TYPE,
    POLITICAL_STATUS,
    WORKER_GROUP,
    lookup,
)
from gonghui.common.errors import DomainError


def test_ethnicity_has_the_56_codes_and_the_two_extras():
    assert list(ETHNICITY.entries)[:56] == [f"{i:02d}" for i in range(1, 57)]
    assert ETHNICITY.entries["36"] == "毛南族" and ETHNICITY.entries["56"] == "基诺族"
    assert ETHNICITY.entries["97"] == "其他" and ETHNICITY.entries["98"] == "外国血统中国籍人士"
    assert not {"57", "58", "99"} & set(ETHNICITY.entries)


@pytest.mark.parametrize(
    "codeset, raw, expected",
    [
        (ETHNICITY, "01", ("01", "汉族")),
        (ETHNICITY, "1", ("01", "汉族")),
        (ETHNICITY, 1, ("01", "汉族")),
        (ETHNICITY, 1.0, ("01", "汉族")),
        (ETHNICITY, "汉族", ("01", "汉族")),
        (ETHNICITY, "汉", ("01", "汉族")),
        (ETHNICITY, " 汉 族 ", ("01", "汉族")),
        (ETHNICITY, "维吾尔", ("05", "维吾尔族")),
        (ETHNICITY, "土族", ("30", "土族")),
        (ETHNICITY, "毛难族", ("36", "毛南族")),
        (ETHNICITY, "崩龙族", ("46", "德昂族")),
        (ETHNICITY, "穿青人", ("97", "其他")),
        (ETHNICITY, "98", ("98", "外国血统中国籍人士")),
        (EDUCATION, "21", ("21", "大学本科毕业")),
        (EDUCATION, "大学本科毕业", ("21", "大学本科毕业")),
        (EDUCATION, "本科", ("20", "大学本科教育")),
        (EDUCATION, "大专", ("30", "大学专科教育")),
        (EDUCATION, "研究生", ("10", "研究生教育")),
        (EDUCATION, "博士", ("11", "博士研究生毕业")),
        (EDUCATION, "硕士", ("14", "硕士研究生毕业")),
        (EDUCATION, "高中", ("60", "普通高级中学教育")),
        (EDUCATION, "中专", ("40", "中等职业教育")),
        (EDUCATION, "初中", ("70", "初级中学教育")),
        (EDUCATION, "90", ("90", "其他")),
        (POLITICAL_STATUS, "01", ("01", "中国共产党党员")),
        (POLITICAL_STATUS, "1", ("01", "中国共产党党员")),
        (POLITICAL_STATUS, "中国共产党党员", ("01", "中国共产党党员")),
        (POLITICAL_STATUS, "党员", ("01", "中国共产党党员")),
        (POLITICAL_STATUS, "中共党员", ("01", "中国共产党党员")),
        (POLITICAL_STATUS, "中国共产党党员（保留团籍）", ("01", "中国共产党党员")),
        (POLITICAL_STATUS, "预备党员", ("02", "中国共产党预备党员")),
        (POLITICAL_STATUS, "团员", ("03", "中国共产主义青年团团员")),
        (POLITICAL_STATUS, "共青团员", ("03", "中国共产主义青年团团员")),
        (POLITICAL_STATUS, "九三学社", ("10", "九三学社社员")),
        (POLITICAL_STATUS, "无党派人士", ("12", "无党派民主人士")),
        (POLITICAL_STATUS, "群众", ("13", "群众")),
        (POLITICAL_STATUS, "13", ("13", "群众")),
        (HOUSEHOLD_TYPE, "农业", ("agricultural", "农业")),
        (HOUSEHOLD_TYPE, "农业家庭户口", ("agricultural", "农业")),
        (HOUSEHOLD_TYPE, "农业集体户口", ("agricultural", "农业")),
        (HOUSEHOLD_TYPE, "农村", ("agricultural", "农业")),
        (HOUSEHOLD_TYPE, "非农业", ("non_agricultural", "非农业")),
        (HOUSEHOLD_TYPE, "非农业集体户口", ("non_agricultural", "非农业")),
        (HOUSEHOLD_TYPE, "城镇户口", ("non_agricultural", "非农业")),
        (HOUSEHOLD_TYPE, "居民户口", ("resident", "居民")),
        (HOUSEHOLD_TYPE, "暂住户口", ("other", "其他")),
        (HOUSEHOLD_TYPE, "其他", ("other", "其他")),
        (WORKER_GROUP, "货车司机", ("truck_driver", "货车司机")),
        (WORKER_GROUP, "快递员", ("courier", "快递员")),
        (WORKER_GROUP, "护工护理员", ("care_worker", "护工护理员")),
        (WORKER_GROUP, "家政", ("domestic_worker", "家政服务员")),
        (WORKER_GROUP, "商场信息员", ("mall_info_staff", "商场信息员")),
        (WORKER_GROUP, "外卖骑手", ("food_delivery", "网约送餐员")),
        (WORKER_GROUP, "房产中介", ("estate_agent", "房产中介员")),
        (WORKER_GROUP, "保安", ("security_guard", "保安员")),
        (WORKER_GROUP, "网约车司机", ("ride_hailing_driver", "网约车司机")),
        (WORKER_GROUP, "truck_driver", ("truck_driver", "货车司机")),
        (GENDER, "男", ("1", "男")),
        (GENDER, "女", ("2", "女")),
        (GENDER, "1", ("1", "男")),
        (GENDER, 2, ("2", "女")),
        (GENDER, "女性", ("2", "女")),
    ],
)
def test_lookup_code_name_and_short_forms(codeset, raw, expected):
    assert lookup(codeset, raw) == expected


def test_the_eight_groups_are_all_there():
    assert list(WORKER_GROUP.entries.values())[:8] == [
        "货车司机",
        "快递员",
        "护工护理员",
        "家政服务员",
        "商场信息员",
        "网约送餐员",
        "房产中介员",
        "保安员",
    ]


def test_political_status_codes_01_to_13():
    assert list(POLITICAL_STATUS.entries) == [f"{i:02d}" for i in range(1, 14)]


def test_every_alias_points_to_an_existing_code():
    for codeset in (ETHNICITY, EDUCATION, POLITICAL_STATUS, HOUSEHOLD_TYPE, WORKER_GROUP, GENDER):
        assert set(codeset.aliases.values()) <= set(codeset.entries), codeset.label


@pytest.mark.parametrize(
    "codeset, raw, message",
    [
        (ETHNICITY, "火星族", "民族“火星族”无法识别，请填写标准代码或名称，如：01、汉族、汉、回族。"),
        (ETHNICITY, "57", "民族“57”无法识别，请填写标准代码或名称，如：01、汉族、汉、回族。"),
        (EDUCATION, "幼儿园", "学历“幼儿园”无法识别，请填写标准代码或名称，如：21、大学本科毕业、本科、大专、高中。"),
        (
            POLITICAL_STATUS,
            "14",
            "政治面貌“14”无法识别，请填写标准代码或名称，如：01、中国共产党党员、党员、团员、群众。",
        ),
        (GENDER, "0", "性别“0”无法识别，请填写标准代码或名称，如：男、女、1、2。"),
        (
            HOUSEHOLD_TYPE,
            "火星户口",
            "户籍类型“火星户口”无法识别，请填写标准代码或名称，如：农业、非农业、居民、其他。",
        ),
    ],
)
def test_lookup_unknown_value_message(codeset, raw, message):
    with pytest.raises(DomainError) as e:
        lookup(codeset, raw)
    assert (e.value.message, e.value.field) == (message, codeset.field)


@pytest.mark.parametrize("raw", [None, "", "  ", True])
def test_lookup_empty_rejected(raw):
    with pytest.raises(DomainError, match="请填写民族，如：01、汉族、汉、回族。"):
        lookup(codesets.ETHNICITY, raw)


class _Text(str):
    """Not exactly str: never remembered by lookup's cache of text seen before."""


def outcome(codeset, raw):
    try:
        return lookup(codeset, raw)
    except DomainError as e:
        return e.message


ALL = [GENDER, ETHNICITY, EDUCATION, POLITICAL_STATUS, HOUSEHOLD_TYPE, WORKER_GROUP]
SPELLINGS = sorted({s for c in ALL for s in [*c.entries, *c.entries.values(), *c.aliases]})


@settings(deadline=None, max_examples=300)
@given(st.sampled_from(ALL), st.lists(st.sampled_from(SPELLINGS) | st.sampled_from([" ", "１", "族", "x", "\u3000"]),
                                      max_size=3).map("".join))
def test_property_remembered_lookups_agree_with_fresh_ones(codeset, text):
    first = outcome(codeset, text)
    assert outcome(codeset, text) == first == outcome(codeset, _Text(text))


def test_remembered_text_is_not_confused_with_numbers_or_booleans():
    assert lookup(GENDER, "1") == ("1", "男")
    assert lookup(GENDER, 1) == lookup(GENDER, 1.0) == ("1", "男")
    with pytest.raises(DomainError, match="请填写性别"):
        lookup(GENDER, True)


def test_lookup_remembers_at_most_seen_max_spellings(monkeypatch):
    monkeypatch.setattr(codesets, "_PREPARED", {})  # a full cache is left to this test only
    for i in range(codesets.SEEN_MAX + 10):
        lookup(EDUCATION, "本科" + " " * (i % 3) + "\u3000" * (i // 3))
    seen = codesets._PREPARED[id(EDUCATION)][2]
    assert len(seen) == codesets.SEEN_MAX
    assert lookup(EDUCATION, "本科" + "\u3000" * (codesets.SEEN_MAX + 5)) == ("20", "大学本科教育")
