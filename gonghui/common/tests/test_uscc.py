"""统一社会信用代码 (GB 32100-2015) with the vectors of reference part B.2."""

import pytest

from gonghui.common import uscc

VALID = [
    "914403001922038216", "9144030071526726XG", "91310110666007217T",
    "91350200776049653A", "91350500798359476R", "913502000728319549", "123502001549897397",
    "9135021359498494XQ", "91350213678251743X", "91350100M000100Y43",
]
SYNTHETIC = ["81110105MC00000017", "51110000MJ00000019", "121100004000000014", "89440300000000001R"]


def reference_check(body17: str) -> str:
    """Reference part B.10, written independently of gonghui.common.uscc."""
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [pow(3, i, 31) for i in range(17)]
    return chars[(31 - sum(chars.index(c) * w for c, w in zip(body17, weights, strict=True)) % 31) % 31]


def test_weights_are_the_standard_ones():
    assert uscc.WEIGHTS == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    assert uscc.CHARSET == "0123456789ABCDEFGHJKLMNPQRTUWXY" and not set("IOSVZ") & set(uscc.CHARSET)


@pytest.mark.parametrize("code", VALID + SYNTHETIC)
def test_valid_codes_accepted(code):
    """Done-when: every valid vector of B.2 (published and synthetic) passes."""
    assert uscc.problem(code) is None
    assert uscc.check_char(code[:17]) == code[17] == reference_check(code[:17])


def test_failing_checksum_names_the_expected_character():
    """Done-when: 91350203M0001QAY9B fails with the expected check character 9 in the message."""
    assert uscc.problem("91350203M0001QAY9B") == "统一社会信用代码校验位错误：第18位应为 9，请核对证照。"


@pytest.mark.parametrize("code", ["81110105MC00000017"])
def test_union_code_starting_with_81_accepted(code):
    assert uscc.problem(code, union=True) is None


@pytest.mark.parametrize("code", ["89440300000000001R", "91350200776049653A", "51110000MJ00000019",
                                  "121100004000000014"])
def test_union_code_must_start_with_81(code):
    """Done-when: a union's own code must start with 81 (基层工会), other valid codes are refused."""
    assert uscc.problem(code, union=True) == "工会的统一社会信用代码应以 81 开头（工会法人资格证书上的代码）。"


@pytest.mark.parametrize("code, length", [("9135020077604965", 16), ("91350200776049653", 17),
                                          ("91350200776049653AA", 19), ("", 0)])
def test_wrong_length_refused(code, length):
    assert uscc.problem(code) == f"统一社会信用代码应为18位，当前为{length}位。"


@pytest.mark.parametrize("code, bad", [
    ("91350200776049653I", "I"), ("9135020077604965OA", "O"), ("91S50200776049653A", "S"),
    ("91350200776049653V", "V"), ("Z1350200776049653A", "Z"), ("91350200776049653a", "a"),
    ("913502007760-9653A", "-"),
])
def test_characters_outside_the_charset_refused(code, bad):
    message = uscc.problem(code)
    assert message.startswith("统一社会信用代码含有不允许的字符：") and bad in message
    assert "不使用 I、O、S、V、Z" in message


def test_normalize_handles_full_width_spaces_and_case():
    assert uscc.normalize("９１３５０２００７７６０４９６５３ａ") == "91350200776049653A"
    assert uscc.normalize(" 9135 0200 7760 4965 3a ") == "91350200776049653A"


def test_make_builds_valid_codes():
    code = uscc.make("81", "340102", "MA0000001")
    assert len(code) == 18 and uscc.problem(code, union=True) is None
