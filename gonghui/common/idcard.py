"""公民身份号码 (GB 11643-1999) and the documents numbered the same way (reference part B.1).

`parse()` is the one check used by forms, the API and imports: it normalises what people type or
paste (spaces, full-width characters, a lower-case x), converts old 15-digit numbers, and checks
the check character, the birth date and the address code. The address code is checked against
*every* GB/T 2260 code ever issued, because old cards keep the code of the county at issuance
(440524 潮阳县 was abolished in 1993, yet its numbers are valid).

Messages never repeat the number: they may end up in logs.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from django.utils import timezone

from .errors import DomainError

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK_CHARS = "10X98765432"  # S mod 11 → check character
EARLIEST_BIRTH = datetime.date(1880, 1, 1)
HMT_CODES = {"810000": "香港", "820000": "澳门", "830000": "台湾"}

RESIDENT = "resident"
HMT_RESIDENCE = "hmt_residence"
FOREIGN_PERMANENT = "foreign_permanent"
DOC_LABELS = {
    RESIDENT: "身份证号",
    HMT_RESIDENCE: "港澳台居民居住证号码",
    FOREIGN_PERMANENT: "外国人永久居留身份证号码",
}
MALE, FEMALE = "1", "2"  # GB/T 2261.1

_NUMBER_RE = re.compile(r"^\d{17}[\dX]$")
_OLD_NUMBER_RE = re.compile(r"^\d{15}$")
_SCIENTIFIC_RE = re.compile(r"^\d+(?:\.\d+)?E\+?\d+$", re.IGNORECASE)
# NFKC turns U+3000 into a space; zero-width characters survive it and are not \s.
_INVISIBLE_RE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")


@dataclass(frozen=True)
class IdInfo:
    number: str  # normalised, 18 characters
    birth_date: datetime.date
    gender: str | None  # GB/T 2261.1 code: "1" 男, "2" 女; None when the document does not encode it


def normalize(raw) -> str:
    """NFKC (full-width digits and ｘ), all whitespace removed (full-width too), upper case."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw))
    if text.isalnum():  # the usual case: nothing for _INVISIBLE_RE to remove (it matches no letter or digit)
        return text.upper()
    return _INVISIBLE_RE.sub("", text).upper()


def check_char(body17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits."""
    if len(body17) == 17 and body17.isdecimal():
        # Fast path (an import checks a million numbers). The weights are 2^(17-i) mod 11 for
        # position i = 1..17, and 13 ≡ 2 (mod 11), so the weighted sum ≡ 2 × (the 17 digits read
        # in base 13). int() reads any Unicode decimal digit, like int(c) below.
        return CHECK_CHARS[2 * int(body17, 13) % 11]
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(body17, WEIGHTS, strict=True)) % 11]


def to18(n15: str) -> str:
    """An old 15-digit number (GB 11643-1989) as 18: century inserted, check character appended.

    The century is 19, except for sequence codes 996–999, which the 1989 standard reserved for
    centenarians (born in the 1800s)."""
    century = "18" if int(n15[12:15]) >= 996 else "19"
    body = n15[:6] + century + n15[6:15]
    return body + check_char(body)


@cache
def historical_codes() -> frozenset[str]:
    """Every GB/T 2260 code ever issued, current and retired."""
    from .models import Region

    return frozenset(Region.objects.values_list("code", flat=True))


def region_known(code: str) -> bool:
    """Whether an address code was ever issued. nnnn01 (市辖区) counts when nnnn00 exists: the
    areacodes table omits the 市辖区 rows (reference B.1 rule 5)."""
    codes = historical_codes()
    return code in codes or (code.endswith("01") and code[:4] + "00" in codes)


def _excel_number_message(label: str) -> str:
    return (f"{label}被 Excel 当成了数字，后几位可能已经丢失：请把{label}一列的单元格格式设置为“文本”，"
            "再重新录入这些号码。")


def excel_number_problem(value, *, label: str = "身份证号") -> str | None:
    """Why a cell looks like an ID number Excel turned into a number (and so lost its last
    digits), or None. Numeric cells and scientific-notation text ("3.40102E+17") count."""
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if numeric or (isinstance(value, str) and _SCIENTIFIC_RE.match(normalize(value))):
        return _excel_number_message(label)
    return None


def parse(raw, *, doc_type: str = RESIDENT, field: str = "id_number", today: datetime.date | None = None) -> IdInfo:
    """The checked number with its birth date and gender, or a DomainError saying what to fix."""
    if doc_type not in DOC_LABELS:
        raise DomainError("证件类型应为：居民身份证、港澳台居民居住证或外国人永久居留身份证。", field="doc_type")
    label = DOC_LABELS[doc_type]
    # excel_number_problem(raw), written out so that a text cell is normalised once, not twice. The
    # regex backtracks through every digit before failing: looking for the (upper-cased) E first is
    # 40 times cheaper on a normal number.
    if isinstance(raw, str):
        number = normalize(raw)
        if "E" in number and _SCIENTIFIC_RE.match(number):
            raise DomainError(_excel_number_message(label), field=field)
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        raise DomainError(_excel_number_message(label), field=field)
    else:
        number = normalize(raw)
    if not number:
        raise DomainError(f"请填写{label}。", field=field)
    if doc_type == RESIDENT and len(number) == 15 and _OLD_NUMBER_RE.match(number):
        number = to18(number)
    if not _NUMBER_RE.match(number):
        if doc_type == RESIDENT:
            raise DomainError(f"{label}应为18位（前17位是数字，末位是数字或 X），或15位的旧号码；"
                              f"当前为{len(number)}位，请核对。", field=field)
        raise DomainError(f"{label}应为18位（前17位是数字，末位是数字或 X）；当前为{len(number)}位，请核对。",
                          field=field)
    if check_char(number[:17]) != number[17]:
        raise DomainError(f"{label}的校验位（最后一位）不正确，请核对号码是否抄错。", field=field)

    birth_date = _birth_date(number[6:14], label, field, today)
    gender: str | None = MALE if int(number[16]) % 2 else FEMALE
    if doc_type == RESIDENT:
        if number[:6] in HMT_CODES:
            raise DomainError(f"{label}不能以 {number[:6]} 开头：港澳台居民请选择证件类型“港澳台居民居住证”。",
                              field=field)
        if not region_known(number[:6]):
            raise DomainError(f"{label}的前6位（地址码）不在 GB/T 2260 行政区划代码表中，请核对号码。", field=field)
    elif doc_type == HMT_RESIDENCE:
        if number[:6] not in HMT_CODES:
            raise DomainError(f"{label}应以 810000（香港）、820000（澳门）或 830000（台湾）开头，"
                              "请核对号码或证件类型。", field=field)
    else:
        if number[0] != "9":
            raise DomainError(f"{label}（2023年版）应以 9 开头，请核对号码或证件类型。", field=field)
        gender = None  # not documented for this card: take it from the form
    return IdInfo(number=number, birth_date=birth_date, gender=gender)


def _birth_date(digits: str, label: str, field: str, today: datetime.date | None) -> datetime.date:
    """`digits`: the 8 decimal digits YYYYMMDD of the number."""
    try:
        if digits.isascii():
            # Fast path: YYYYMMDD is ISO 8601's basic format, read 5 times faster by fromisoformat,
            # which accepts and refuses the same dates. It reads ASCII digits only.
            born = datetime.date.fromisoformat(digits)
        else:
            born = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise DomainError(f"{label}中的出生日期不是有效日期，请核对号码。", field=field) from None
    # `today` is passed by bulk callers: timezone.localdate() costs half of a parse.
    if born > (today or timezone.localdate()):
        raise DomainError(f"{label}中的出生日期晚于今天，请核对号码。", field=field)
    if born < EARLIEST_BIRTH:
        raise DomainError(f"{label}中的出生日期早于1880年，请核对号码。", field=field)
    return born

