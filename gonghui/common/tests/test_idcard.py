"""公民身份号码 (GB 11643) with the vectors of reference part B.1."""

import datetime
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.common import idcard
from gonghui.common.errors import DomainError

pytestmark = pytest.mark.django_db

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def reference_check(body17: str) -> str:
    """Reference part B.10, written independently of gonghui.common.idcard."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(body17, W, strict=True)) % 11]


def error(raw, **kwargs) -> str:
    with pytest.raises(DomainError) as e:
        idcard.parse(raw, **kwargs)
    assert e.value.field == "id_number"
    return e.value.message


@pytest.mark.parametrize("raw", ["11010519491231002X", "11010519491231002x", "１１０１０５１９４９１２３１００２ｘ",
                                 " 110105 19491231 002X\u3000", "\ufeff11010519491231002X\t"])
def test_parse_annex_number_and_its_typed_variants(raw):
    info = idcard.parse(raw)
    assert info == idcard.IdInfo("11010519491231002X", datetime.date(1949, 12, 31), "2")


def test_parse_retired_region_code_accepted():
    """440524 潮阳县 was abolished in 1993; its numbers stay valid."""
    assert idcard.parse("440524188001010014") == idcard.IdInfo("440524188001010014", datetime.date(1880, 1, 1), "1")


def test_parse_wrong_check_char_rejected():
    assert error("110105194912310021") == "身份证号的校验位（最后一位）不正确，请核对号码是否抄错。"


def test_parse_february_30_rejected_although_checksum_valid():
    assert reference_check("11010519490230123") == "4"
    assert error("110105194902301234") == "身份证号中的出生日期不是有效日期，请核对号码。"


def test_parse_future_birth_date_rejected():
    assert reference_check("11010520991231123") == "2"
    assert error("110105209912311232") == "身份证号中的出生日期晚于今天，请核对号码。"


def test_parse_birth_before_1880_rejected():
    body = "11010518791231123"
    assert error(body + reference_check(body)) == "身份证号中的出生日期早于1880年，请核对号码。"


def test_parse_unknown_region_rejected():
    body = "99999919800101123"
    assert "前6位（地址码）不在 GB/T 2260" in error(body + reference_check(body))


def test_parse_district_01_accepted_when_prefecture_exists():
    """B.1 rule 5: nnnn01 (市辖区) is accepted when nnnn00 exists; 340101 is not in the table."""
    assert "340101" not in idcard.historical_codes() and "340100" in idcard.historical_codes()
    body = "34010119800101123"
    assert idcard.parse(body + reference_check(body)).number == body + reference_check(body)


def test_parse_hmt_code_as_resident_card_points_to_residence_permit():
    assert "港澳台居民居住证" in error("810000199001011230")


@pytest.mark.parametrize("raw", ["", "   ", None, "1101051949123100", "11010519491231002Y", "1101051949123100211"])
def test_parse_malformed_rejected(raw):
    message = error(raw)
    assert message.startswith("请填写身份证号") or "应为18位" in message


@pytest.mark.parametrize("n15, n18", [
    ("110105491231002", "11010519491231002X"),
    ("440524800101001", "440524198001010013"),
    ("130503670401001", "130503196704010016"),
    ("440524800101996", "440524188001019967"),  # centenarian sequence 996–999: born in the 1800s
])
def test_fifteen_digit_numbers_converted(n15, n18):
    assert idcard.to18(n15) == n18
    assert idcard.parse(n15).number == n18


def test_centenarian_parse_gives_1880_birth_date():
    assert idcard.parse("440524800101996").birth_date == datetime.date(1880, 1, 1)


@pytest.mark.parametrize("number", ["810000199001011230", "820000199001011240", "830000199001011250"])
def test_hmt_residence_permit_synthetic_vectors(number):
    assert idcard.parse(number, doc_type="hmt_residence").number == number


def test_hmt_residence_permit_with_mainland_code_rejected():
    with pytest.raises(DomainError, match="应以 810000（香港）、820000（澳门）或 830000（台湾）开头"):
        idcard.parse("11010519491231002X", doc_type="hmt_residence")


def test_hmt_residence_permit_wrong_check_rejected():
    with pytest.raises(DomainError, match="港澳台居民居住证号码的校验位"):
        idcard.parse("810000199001011231", doc_type="hmt_residence")


def test_foreign_permanent_card_2023_edition():
    body = "93384019900101123"  # 9, province 33, nationality 840, birth date, sequence
    number = body + reference_check(body)
    info = idcard.parse(number, doc_type="foreign_permanent")
    assert (info.number, info.birth_date, info.gender) == (number, datetime.date(1990, 1, 1), None)


def test_foreign_permanent_card_must_start_with_9():
    with pytest.raises(DomainError, match="2023年版）应以 9 开头"):
        idcard.parse("11010519491231002X", doc_type="foreign_permanent")


def test_foreign_permanent_card_15_chars_rejected():
    with pytest.raises(DomainError, match="应为18位"):
        idcard.parse("110105491231002", doc_type="foreign_permanent")


def test_unknown_doc_type_rejected():
    with pytest.raises(DomainError) as e:
        idcard.parse("11010519491231002X", doc_type="passport")
    assert e.value.field == "doc_type"


@pytest.mark.parametrize("value", [3.40102199001011e17, 340102199001011234, "3.40102E+17", "3.40102e17", "３.４E+17"])
def test_excel_number_rejected_with_text_format_advice(value):
    expected = ("身份证号被 Excel 当成了数字，后几位可能已经丢失：请把身份证号一列的单元格格式设置为“文本”，"
                "再重新录入这些号码。")
    assert idcard.excel_number_problem(value) == expected
    assert error(value) == expected


@pytest.mark.parametrize("value", ["11010519491231002X", "340102199001011234", None, ""])
def test_excel_number_problem_none_for_text(value):
    assert idcard.excel_number_problem(value) is None


def test_check_char_matches_reference_weights():
    assert idcard.WEIGHTS == [pow(2, 18 - i, 11) for i in range(1, 18)] == W
    assert idcard.check_char("11010519491231002") == "X"


# Properties ------------------------------------------------------------------------------------

REAL_CODES = ["110105", "340102", "440524", "130503", "310101", "510104", "650102", "540102"]
bodies = st.builds(
    lambda code, born, seq: f"{code}{born:%Y%m%d}{seq:03d}",
    st.sampled_from(REAL_CODES),
    st.dates(datetime.date(1900, 1, 1), datetime.date(2005, 12, 31)),
    st.integers(0, 999),
)
PROPERTY = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None, max_examples=200)


@PROPERTY
@given(bodies)
def test_property_valid_numbers_parse_and_round_trip(body):
    number = body + idcard.check_char(body)
    assert idcard.check_char(body) == reference_check(body)
    info = idcard.parse(number)
    assert info.number == number == idcard.parse(info.number).number
    assert info.birth_date == datetime.date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    assert info.gender == ("1" if int(body[16]) % 2 else "2")


@PROPERTY
@given(bodies, st.integers(0, 17), st.integers(1, 10))
def test_property_every_single_substitution_rejected(body, position, shift):
    number = body + idcard.check_char(body)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    old = alphabet.index(number[position])
    changed = alphabet[(old + shift) % len(alphabet)]
    if changed == number[position]:
        return
    wrong = number[:position] + changed + number[position + 1:]
    assert idcard.check_char(wrong[:17]) != wrong[17]
    with pytest.raises(DomainError):
        idcard.parse(wrong)


FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in "0123456789X"}


@PROPERTY
@given(bodies, st.lists(st.sampled_from([" ", "\u3000", "\t", "\n"]), max_size=4), st.booleans(), st.booleans())
def test_property_normalize_idempotent_and_variants_agree(body, spaces, full_width, lower):
    number = body + idcard.check_char(body)
    variant = "".join(FULL_WIDTH[c] for c in number) if full_width else number
    variant = variant.lower() if lower else variant
    for i, space in enumerate(spaces):
        cut = (i * 5) % len(variant)
        variant = variant[:cut] + space + variant[cut:]
    assert idcard.normalize(variant) == number
    assert idcard.normalize(idcard.normalize(variant)) == idcard.normalize(variant)


# The fast paths (an import checks a million numbers) against the plain computation -------------

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@PROPERTY
@given(st.text(st.characters(categories=["Nd"]), min_size=17, max_size=17))
def test_property_check_char_of_any_decimal_digits_is_the_weighted_sum(body):
    """check_char reads the digits in base 13; any Unicode decimal digit counts, as int(c) reads it."""
    assert idcard.check_char(body) == reference_check(body)


@pytest.mark.parametrize("body", ["", "1" * 16, "1" * 18, "1234567890123456A", "+1234567890123456", "1_23456789012345"])
def test_check_char_refuses_what_is_not_17_digits(body):
    with pytest.raises(ValueError):
        idcard.check_char(body)


@PROPERTY
@given(st.text(st.sampled_from("0123456789Xx０ｘ٣ \u3000\t\n\u200b\ufeff\x1c") | st.characters(), max_size=22))
def test_property_normalize_is_nfkc_without_invisible_characters_upper_cased(text):
    expected = re.sub(r"[\s\u200b\u200c\u200d\u2060\ufeff]+", "", unicodedata.normalize("NFKC", text)).upper()
    assert idcard.normalize(text) == expected


@PROPERTY
@given(st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32), st.booleans())
def test_property_birth_date_digits_read_like_int(year, month, day, arabic):
    """ASCII digits go through date.fromisoformat; it must accept and refuse what date(int, int, int) does."""
    digits = f"{year:04d}{month:02d}{day:02d}"
    try:
        expected = datetime.date(year, month, day)
    except ValueError:
        expected = "身份证号中的出生日期不是有效日期，请核对号码。"
    else:
        if expected < idcard.EARLIEST_BIRTH:
            expected = "身份证号中的出生日期早于1880年，请核对号码。"
    text = digits.translate(ARABIC_INDIC) if arabic else digits
    try:
        born = idcard._birth_date(text, "身份证号", "id_number", datetime.date.max)
    except DomainError as e:
        born = e.message
    assert born == expected


@PROPERTY
@given(st.text(st.sampled_from("0123456789.eE+-ｅＥ "), max_size=12))
def test_property_parse_flags_scientific_text_exactly_like_excel_number_problem(text):
    flagged = idcard.excel_number_problem(text) is not None
    try:
        idcard.parse(text)
        refused_as_excel = False
    except DomainError as e:
        refused_as_excel = "Excel" in e.message
    assert refused_as_excel == flagged
