"""Issue 3 part 2, "validation in one place": every rule of `facts.clean` with its own cases, the tricky
ones included. Every problem message is checked to be Chinese, to name its field and never to repeat
the ID number (messages end up in error workbooks and logs)."""

import datetime
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.common import idcard
from gonghui.members.facts import _BOOLS, LABELS, Facts, clean, parse_bool

from .conftest import make_id

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)
ID = make_id()  # 340102199001011236: 瑶海区, born 1990-01-01, male
ID_X = make_id(seq=9)  # 34010219900101009X
FEMALE_ID = make_id(seq=124)
CJK = re.compile(r"[\u4e00-\u9fff]")
# The label each field's messages must contain (the document label for the ID column).
MESSAGE_LABELS = LABELS | {"doc_type": "证件类型"}


def run(**raw) -> tuple[Facts | None, list[tuple[str, str]]]:
    values = {"name": "张三", "id_number": ID, "join_date": "2020-05-01"} | raw
    return clean(values, today=TODAY)


def ok(**raw) -> Facts:
    facts, problems = run(**raw)
    assert problems == []
    return facts


def problem(field: str, **raw) -> str:
    """The one problem of `raw` (on `field`), checked to be Chinese, to name the field and not to leak the ID."""
    facts, problems = run(**raw)
    assert facts is None
    assert [f for f, _ in problems] == [field], problems
    message = problems[0][1]
    assert_clean_message(field, message, raw.get("id_number", ID))
    return message


def assert_clean_message(field: str, message: str, raw_id) -> None:
    assert CJK.search(message), message
    assert MESSAGE_LABELS[field] in message, message
    number = idcard.normalize(raw_id)
    for secret in {number, number[:17], number[:15], ID, ID[:17]} - {""}:
        assert secret not in message, message


def test_clean_valid_row_gives_facts():
    facts = ok(mobile="13812345678", ethnicity="汉族", education="本科", political_status="党员",
               household_type="农业", is_migrant_worker="是", worker_group="快递员", member_number="HF-001")
    assert facts == Facts(
        name="张三", doc_type="resident", id_number=ID, gender="1", birth_date=datetime.date(1990, 1, 1),
        mobile="13812345678", ethnicity="01", education="20", political_status="01",
        household_type="agricultural", is_migrant_worker=True, worker_group="courier",
        join_date=datetime.date(2020, 5, 1), member_number="HF-001",
    )


def test_clean_reports_every_field_at_once_without_the_id():
    facts, problems = run(name="张3", gender="女", mobile="1234", ethnicity="火星族", education="很高",
                          political_status="路人", household_type="城堡", is_migrant_worker="也许",
                          worker_group="宇航员", join_date="2020-13-01", member_number="会员1")
    assert facts is None
    assert sorted(f for f, _ in problems) == sorted([
        "name", "gender", "mobile", "ethnicity", "education", "political_status", "household_type",
        "is_migrant_worker", "worker_group", "join_date", "member_number"])
    for field, message in problems:
        assert_clean_message(field, message, ID)


# ID numbers -------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    " 340102199001011236 ",
    "340102 19900101 1236",
    "\u3000340102199001011236\u3000",  # full-width (ideographic) space
    "3401\u30000219900101\u30001236",
    "340102\u200b199001011236",  # zero-width space
    "\ufeff340102199001011236",  # BOM pasted from a CSV
    "340102199001011236\u2060",  # word joiner
    "340102\t199001011236\n",
    "３４０１０２１９９００１０１１２３６",  # full-width digits
    " ３４０１０２ １９９００１０１ １２３６\u3000",
])
def test_clean_id_whitespace_and_full_width_normalised(raw):
    assert ok(id_number=raw).id_number == ID


@pytest.mark.parametrize("raw", ["34010219900101009x", "34010219900101009ｘ", "34010219900101009Ｘ",
                                 " 340102 19900101 009x "])
def test_clean_id_lower_case_and_full_width_x_upper_cased(raw):
    assert ok(id_number=raw).id_number == ID_X == "34010219900101009X"


def test_clean_id_15_digits_converted_to_18():
    facts = ok(id_number="340102900101123")
    assert facts.id_number == ID == idcard.to18("340102900101123")
    assert facts.birth_date == datetime.date(1990, 1, 1)
    assert facts.gender == "1"


def test_clean_id_15_digits_centenarian_sequence_gets_1800s():
    """Sequence codes 996–999 of old numbers were reserved for people born in the 1800s."""
    facts = ok(id_number="340102850101997", join_date="1950-01-01")
    assert facts.id_number.startswith("340102188501019")
    assert facts.birth_date == datetime.date(1885, 1, 1)


def test_clean_id_wrong_check_char_refused():
    wrong = ID[:17] + ("7" if ID[17] != "7" else "8")
    assert "校验位" in problem("id_number", id_number=wrong)


def test_clean_id_impossible_date_refused():
    number = make_id(birth="19900230")  # a correct check char over 30 February
    assert "出生日期不是有效日期" in problem("id_number", id_number=number)


def test_clean_id_future_birth_refused():
    assert "晚于今天" in problem("id_number", id_number=make_id(birth="20900101"))


def test_clean_id_retired_region_code_valid():
    """440524 潮阳县 was abolished in 1993: cards issued there keep their numbers."""
    facts = ok(id_number=make_id(region="440524", birth="19800101"))
    assert facts.id_number.startswith("440524")
    assert facts.birth_date == datetime.date(1980, 1, 1)


def test_clean_id_unknown_region_refused():
    assert "地址码" in problem("id_number", id_number=make_id(region="341999"))


@pytest.mark.parametrize("raw", ["34010219900101123", "3401021990010112361", "34010219900101123A", "ABCDEF"])
def test_clean_id_wrong_length_or_characters_refused(raw):
    assert "应为18位" in problem("id_number", id_number=raw)


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_clean_id_missing_refused(raw):
    assert problem("id_number", id_number=raw) == "请填写身份证号。"


@pytest.mark.parametrize("cell", [
    340102199001011236,  # a numeric cell holding all digits (Excel still shows them as 3.40102E+17)
    340102199001011236.0,
    3.40102199001011e17,
    "3.40102E+17",  # the text Excel leaves behind after the digits are gone
    "3.40102e17",
    " 3.40102E+17 ",
    "３.４０１０２Ｅ＋１７",
])
def test_clean_id_excel_number_cell_asks_for_text_column(cell):
    message = problem("id_number", id_number=cell)
    assert "Excel" in message and "文本" in message


def test_clean_id_hmt_residence_permit():
    number = make_id(region="810000")
    assert "港澳台居民居住证" in problem("id_number", id_number=number)
    facts = ok(id_number=number, doc_type="hmt_residence")
    assert (facts.doc_type, facts.id_number, facts.gender) == ("hmt_residence", number, "1")


FOREIGN = "934840199001011" + "22"
FOREIGN += idcard.check_char(FOREIGN)


def test_clean_foreign_permanent_card_needs_gender():
    message = problem("gender", id_number=FOREIGN, doc_type="foreign_permanent")
    assert message == "外国人永久居留身份证不含性别信息，请填写性别。"
    facts = ok(id_number=FOREIGN, doc_type="foreign_permanent", gender="女", name="Anna Schmidt")
    assert (facts.gender, facts.birth_date, facts.name) == ("2", datetime.date(1990, 1, 1), "Anna Schmidt")


def test_clean_unknown_doc_type_refused():
    facts, problems = run(doc_type="passport")
    assert facts is None
    assert problems[0][0] == "doc_type" and "证件类型" in problems[0][1]


# Gender and birth date --------------------------------------------------------------------------

def test_clean_gender_and_birth_derived_when_empty():
    facts = ok(id_number=FEMALE_ID, gender="", birth_date=None)
    assert (facts.gender, facts.birth_date) == ("2", datetime.date(1990, 1, 1))
    assert ok(gender="  ").gender == "1"


@pytest.mark.parametrize("given", ["男", "1", 1, "男性", " 男 "])
def test_clean_gender_given_and_matching(given):
    assert ok(gender=given).gender == "1"


@pytest.mark.parametrize(("number", "given"), [(ID, "女"), (ID, "2"), (FEMALE_ID, "男")])
def test_clean_gender_mismatching_id_refused(number, given):
    assert "性别与身份证号不符" in problem("gender", id_number=number, gender=given)


def test_clean_gender_unknown_value_refused():
    assert "性别“未知”无法识别" in problem("gender", gender="未知")


@pytest.mark.parametrize("given", ["1990-01-01", "1990/1/1", "1990年1月1日", "19900101",
                                   datetime.date(1990, 1, 1), datetime.datetime(1990, 1, 1)])
def test_clean_birth_date_given_and_matching(given):
    assert ok(birth_date=given).birth_date == datetime.date(1990, 1, 1)


def test_clean_birth_date_mismatching_id_refused():
    message = problem("birth_date", birth_date="1990-01-02")
    assert "出生日期与身份证号中的出生日期不符" in message


def test_clean_birth_date_unreadable_refused():
    assert "不是有效日期" in problem("birth_date", birth_date="去年")


# Age and join date ------------------------------------------------------------------------------

def test_clean_age_16_on_join_date_boundary():
    young = make_id(birth="20100501")
    message = problem("join_date", id_number=young, join_date="2026-04-30")
    assert message == "入会时应年满16周岁：按出生日期，入会日期须在2026-05-01或之后，请核对。"
    assert ok(id_number=young, join_date="2026-05-01").join_date == datetime.date(2026, 5, 1)  # the birthday itself


def test_clean_age_born_29_february():
    leapling = make_id(birth="20080229")
    assert "2024-02-29" in problem("join_date", id_number=leapling, join_date="2024-02-28")
    assert ok(id_number=leapling, join_date="2024-02-29").birth_date == datetime.date(2008, 2, 29)


def test_clean_age_born_29_february_turning_16_in_a_common_year():
    """1900 was no leap year: someone born on 29 February 1884 turned 16 on 1 March 1900."""
    leapling = make_id(birth="18840229")
    assert "1900-03-01" in problem("join_date", id_number=leapling, join_date="1900-02-28")
    assert ok(id_number=leapling, join_date="1900-03-01").join_date == datetime.date(1900, 3, 1)


def test_clean_age_checked_against_given_birth_date_of_foreign_card():
    young = "934840201005011" + "22"
    young += idcard.check_char(young)
    assert "年满16周岁" in problem("join_date", id_number=young, doc_type="foreign_permanent", gender="男",
                                 join_date="2026-04-30")


def test_clean_join_date_future_refused_today_accepted():
    assert problem("join_date", join_date="2026-11-21") == "入会日期不能晚于今天，请核对。"
    assert ok(join_date="2026-11-20").join_date == TODAY


def test_clean_join_date_empty_is_today():
    assert ok(join_date="").join_date == TODAY
    assert ok(join_date=None).join_date == TODAY


# Names ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    "阿依古丽.买买提", "阿依古丽•买买提", "阿依古丽・买买提", "阿依古丽．买买提",
    "阿依古丽 · 买买提", "阿依古丽·买买提", " 阿依古丽·买买提\u3000", "阿依古丽\u2027买买提",
])
def test_clean_name_minority_dots_normalised(raw):
    assert ok(name=raw).name == "阿依古丽·买买提"


@pytest.mark.parametrize(("raw", "name"), [
    ("张 三", "张三"), ("John Smith", "John Smith"), ("  John   Smith ", "John Smith"),
    ("Mary-Jane O'Neil", "Mary-Jane O'Neil"), ("José García", "José García"), ("J. R. Smith", "J. R. Smith"),
    ("张" * 50, "张" * 50),
])
def test_clean_name_accepted(raw, name):
    assert ok(name=raw).name == name


@pytest.mark.parametrize(("raw", "words"), [
    ("张三2", "不能包含数字"), ("张三２", "不能包含数字"), ("Li 3rd", "不能包含数字"),
    ("张" * 51, "不能超过50个字符"), ("A" * 51, "不能超过50个字符"),
    ("张三!", "只能由汉字或字母组成"), ("·张三", "只能由汉字或字母组成"), ("张三·", "只能由汉字或字母组成"),
    ("", "请填写姓名"), (None, "请填写姓名"),
])
def test_clean_name_refused(raw, words):
    assert words in problem("name", name=raw)


# Mobiles ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["13812345678", "+86 138 1234 5678", "+8613812345678", "8613812345678",
                                 "0086 138-1234-5678", "138-1234-5678", "138 1234 5678", "１３８１２３４５６７８",
                                 13812345678, 13812345678.0, " 13812345678\u3000"])
def test_clean_mobile_accepted_forms(raw):
    assert ok(mobile=raw).mobile == "13812345678"


@pytest.mark.parametrize(("raw", "words"), [
    ("139765432101", "当前为12位"), ("1397654321", "当前为10位"),
    ("12976543210", "以 13–19 开头"), ("11976543210", "以 13–19 开头"),
    ("1397654321a", "只能包含数字"), ("+1 212 555 0100", "只能包含数字"),
])
def test_clean_mobile_refused(raw, words):
    message = problem("mobile", mobile=raw)
    assert words in message
    assert re.sub(r"\D", "", str(raw)) not in message


def test_clean_mobile_optional():
    assert ok(mobile="").mobile == ""
    assert ok(mobile=None).mobile == ""


# Enumerations -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "raw", "code"), [
    ("ethnicity", "01", "01"), ("ethnicity", "1", "01"), ("ethnicity", 1, "01"), ("ethnicity", 1.0, "01"),
    ("ethnicity", "汉族", "01"), ("ethnicity", "汉", "01"), ("ethnicity", " 汉 族 ", "01"),
    ("ethnicity", "维吾尔", "05"), ("ethnicity", "其他", "97"),
    ("education", "本科", "20"), ("education", "大学本科毕业", "21"), ("education", "21", "21"),
    ("education", "大专", "30"), ("education", "硕士", "14"), ("education", "高中", "60"),
    ("political_status", "党员", "01"), ("political_status", "中国共产党党员", "01"),
    ("political_status", "团员", "03"), ("political_status", "群众", "13"), ("political_status", 13, "13"),
    ("household_type", "农业", "agricultural"), ("household_type", "农业户口", "agricultural"),
    ("household_type", "非农", "non_agricultural"), ("household_type", "居民", "resident"),
    ("worker_group", "快递员", "courier"), ("worker_group", "外卖骑手", "food_delivery"),
    ("worker_group", "货车司机", "truck_driver"), ("worker_group", "网约车", "ride_hailing_driver"),
])
def test_clean_enumeration_by_code_name_or_short_form(field, raw, code):
    assert getattr(ok(**{field: raw}), field) == code


@pytest.mark.parametrize("field", ["ethnicity", "education", "political_status", "household_type", "worker_group"])
def test_clean_enumeration_optional(field):
    assert getattr(ok(**{field: " "}), field) == ""


@pytest.mark.parametrize(("field", "raw", "message"), [
    ("ethnicity", "火星族", "民族“火星族”无法识别，请填写标准代码或名称，如：01、汉族、汉、回族。"),
    ("ethnicity", "57", "民族“57”无法识别，请填写标准代码或名称，如：01、汉族、汉、回族。"),
    ("education", "很高", "学历“很高”无法识别，请填写标准代码或名称，如：21、大学本科毕业、本科、大专、高中。"),
    ("political_status", "路人",
     "政治面貌“路人”无法识别，请填写标准代码或名称，如：01、中国共产党党员、党员、团员、群众。"),
    ("household_type", "城堡", "户籍类型“城堡”无法识别，请填写标准代码或名称，如：农业、非农业、居民、其他。"),
])
def test_clean_enumeration_unknown_value_refused(field, raw, message):
    assert problem(field, **{field: raw}) == message


def test_clean_worker_group_unknown_names_the_column():
    assert "八大群体“宇航员”无法识别" in problem("worker_group", worker_group="宇航员")


# Dates ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    datetime.datetime(2020, 5, 1),  # an Excel date cell (openpyxl gives a datetime)
    datetime.date(2020, 5, 1),
    "2020-5-1", "2020-05-01", "2020/05/01", "2020/5/1", "2020.5.1", "20200501", "2020年5月1日",
    "２０２０年５月１日", " 2020-05-01 ", "2020-05-01 00:00:00",
])
def test_clean_join_date_forms(raw):
    assert ok(join_date=raw).join_date == datetime.date(2020, 5, 1)


@pytest.mark.parametrize("raw", [43952, 43952.0, 20200501])
def test_clean_join_date_numeric_serial_refused(raw):
    message = problem("join_date", join_date=raw)
    assert "是一个数字而不是日期" in message and "日期格式" in message


@pytest.mark.parametrize("raw", ["2020-13-01", "2020-02-30", "5/1/2020", "去年五一"])
def test_clean_join_date_invalid_refused(raw):
    assert "不是有效日期" in problem("join_date", join_date=raw)


# 是否农民工 -------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["是", "Y", "y", "yes", "YES", "1", 1, 1.0, True, "√", "true", "ｙｅｓ", " 是 "])
def test_clean_migrant_worker_yes_forms(raw):
    assert ok(is_migrant_worker=raw).is_migrant_worker is True


@pytest.mark.parametrize("raw", ["否", "N", "no", "0", 0, 0.0, False, "×", "不是", "", None])
def test_clean_migrant_worker_no_forms(raw):
    assert ok(is_migrant_worker=raw).is_migrant_worker is False


@pytest.mark.parametrize("raw", ["也许", 2, "农民工"])
def test_clean_migrant_worker_other_values_refused(raw):
    assert problem("is_migrant_worker", is_migrant_worker=raw) == "是否农民工应填写“是”或“否”。"


# Member numbers ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "number"), [
    ("", ""), (None, ""), ("HF-2019-00012", "HF-2019-00012"), ("hf-2019-00012", "HF-2019-00012"),
    (" 340202600000018 ", "340202600000018"), (12345, "12345"), (12345.0, "12345"), ("ＡＢ１２", "AB12"),
    ("A" * 20, "A" * 20),
])
def test_clean_member_number_legacy_pattern_accepted(raw, number):
    assert ok(member_number=raw).member_number == number


@pytest.mark.parametrize("raw", ["会员123", "A" * 21, "-123", "AB 12", "AB_12"])
def test_clean_member_number_outside_legacy_pattern_refused(raw):
    assert "会员证号只能由数字、大写字母和“-”组成" in problem("member_number", member_number=raw)


# Properties -------------------------------------------------------------------------------------

REGIONS = ["110105", "340102", "440524", "310101", "650102", "540102"]
bodies = st.builds(
    lambda code, born, seq: f"{code}{born:%Y%m%d}{seq:03d}",
    st.sampled_from(REGIONS),
    st.dates(datetime.date(1900, 1, 1), datetime.date(2003, 12, 31)),  # 16 by the join date 2020-05-01
    st.integers(0, 999),
)
PROPERTY = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None, max_examples=150)


@PROPERTY
@given(bodies, st.sampled_from("0123456789X"))
def test_property_clean_accepts_computed_check_char_only(body, other):
    good = body + idcard.check_char(body)
    assert ok(id_number=good).id_number == good
    if other != good[17]:
        assert "校验位" in problem("id_number", id_number=body + other)


INVISIBLE = [" ", "\u3000", "\t", "\n", "\u200b", "\ufeff", "\u00a0"]


@PROPERTY
@given(bodies, st.lists(st.tuples(st.integers(0, 40), st.sampled_from(INVISIBLE)), max_size=6),
       st.lists(st.booleans(), min_size=18, max_size=18), st.booleans())
def test_property_clean_normalisation_idempotent_and_invariant(body, inserts, widen, lower):
    number = body + idcard.check_char(body)
    variant = "".join(chr(ord(c) + 0xFEE0) if w else c for c, w in zip(number, widen, strict=True))
    variant = variant.lower() if lower else variant
    for position, char in inserts:
        cut = position % (len(variant) + 1)
        variant = variant[:cut] + char + variant[cut:]
    assert idcard.normalize(variant) == number
    assert idcard.normalize(idcard.normalize(variant)) == idcard.normalize(variant)
    facts = ok(id_number=variant)
    assert facts.id_number == number
    assert ok(id_number=facts.id_number).id_number == number


@PROPERTY
@given(st.sampled_from(REGIONS), st.dates(datetime.date(1900, 1, 1), datetime.date(1999, 12, 31)),
       st.integers(0, 995))
def test_property_to18_validates_and_keeps_birth_date(region, born, seq):
    old = f"{region}{born:%y%m%d}{seq:03d}"
    new = idcard.to18(old)
    assert new[:6] == region and new[6:14] == f"{born:%Y%m%d}" and new[14:17] == old[12:]
    assert idcard.check_char(new[:17]) == new[17]
    facts = ok(id_number=old)
    assert (facts.id_number, facts.birth_date) == (new, born)


def test_parse_bool_spellings_are_their_own_normal_form():
    """parse_bool takes an exact spelling without normalising it: each must be NFKC, trimmed, lower case."""
    for text, value in _BOOLS.items():
        assert unicodedata.normalize("NFKC", text).strip().lower() == text
        assert parse_bool(text, label="是否农民工", field="is_migrant_worker") is value
    assert parse_bool(" ＹＥＳ ", label="是否农民工", field="is_migrant_worker") is True
