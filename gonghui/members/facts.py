"""Member facts: the one validation used by the back-office forms, the API and the import.

`clean(raw)` takes raw values keyed by field name (strings as typed, or Excel cell values) and
returns the cleaned facts and a list of problems ``(field, Chinese message)``. Each message names
the field and says what to do; none repeats an ID or mobile number (they end up in error files and
logs). It is pure Python over the validators in `gonghui.common` and touches no table except the
cached GB/T 2260 codes, so the import calls it for a million rows.
"""

import datetime
import unicodedata
from dataclasses import dataclass

from django.utils import timezone

from gonghui.common import codesets, dates, idcard, mobile, personname
from gonghui.common.errors import DomainError

from . import numbers

MIN_AGE = 16  # 《工会法》: workers of 16 and over may join

# field → Chinese label, in the import template's column order.
LABELS = {
    "name": "姓名",
    "gender": "性别",
    "ethnicity": "民族",
    "id_number": "身份证号",
    "birth_date": "出生日期",
    "mobile": "手机号",
    "education": "学历",
    "political_status": "政治面貌",
    "household_type": "户籍类型",
    "is_migrant_worker": "是否农民工",
    "worker_group": "八大群体",
    "join_date": "入会日期",
    "member_number": "会员证号",
}
CODESETS = {
    "ethnicity": codesets.ETHNICITY,
    "education": codesets.EDUCATION,
    "political_status": codesets.POLITICAL_STATUS,
    "household_type": codesets.HOUSEHOLD_TYPE,
    "worker_group": codesets.WORKER_GROUP,
}
_YES = frozenset({"是", "y", "yes", "1", "true", "√", "✓", "对"})
_NO = frozenset({"否", "n", "no", "0", "false", "×", "不是", "非"})
# The spellings above are their own normal form (NFKC, trimmed, lower case): text that is exactly one
# of them needs no normalising (parse_bool's fast path).
_BOOLS = dict.fromkeys(_YES, True) | dict.fromkeys(_NO, False)


@dataclass
class Facts:
    name: str
    doc_type: str
    id_number: str  # normalised, 18 characters
    gender: str
    birth_date: datetime.date
    mobile: str  # "" when not given
    ethnicity: str
    education: str
    political_status: str
    household_type: str
    is_migrant_worker: bool
    worker_group: str
    join_date: datetime.date
    member_number: str  # "" when one is to be issued


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_bool(value, *, label: str, field: str) -> bool:
    if type(value) is str and (known := _BOOLS.get(value)) is not None:
        return known
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().lower()
        if text in _YES:
            return True
        if text in _NO:
            return False
    raise DomainError(f"{label}应填写“是”或“否”。", field=field)


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def birthday(birth: datetime.date, age: int) -> datetime.date:
    """The day one turns `age` (1 March for those born on 29 February, when the year has none)."""
    try:
        return birth.replace(year=birth.year + age)
    except ValueError:
        return datetime.date(birth.year + age, 3, 1)


def clean(raw: dict, *, today: datetime.date | None = None) -> tuple[Facts | None, list[tuple[str, str]]]:
    """(facts, []) when every rule passes, else (None, problems). Empty optional values stay empty;
    gender and birth date are taken from the ID when not given, and must match it when given."""
    # Each check is written out as try/except (a value that fails is None, and its problem is noted)
    # rather than through a helper taking the function and its arguments: the import runs this a
    # million times.
    today = today or timezone.localdate()
    problems: list[tuple[str, str]] = []
    get = raw.get

    try:
        name = personname.normalize_name(get("name"), field="name", label="姓名")
    except DomainError as e:
        name = None
        problems.append((e.field, e.message))

    doc_type = get("doc_type") or idcard.RESIDENT
    try:
        info = idcard.parse(get("id_number"), doc_type=doc_type, field="id_number", today=today)
    except DomainError as e:
        info = None
        problems.append((e.field, e.message))

    gender = None
    value = get("gender")
    if not _empty(value):
        try:
            gender = codesets.lookup(codesets.GENDER, value)[0]
        except DomainError as e:
            problems.append((e.field, e.message))
        if gender and info and info.gender and gender != info.gender:
            problems.append(("gender", "性别与身份证号不符（身份证号第17位奇数为男、偶数为女），请核对。"))
    elif info:
        gender = info.gender
        if gender is None:
            problems.append(("gender", "外国人永久居留身份证不含性别信息，请填写性别。"))

    birth_date = None
    value = get("birth_date")
    if not _empty(value):
        try:
            birth_date = dates.parse_date(value, field_label="出生日期", field="birth_date")
        except DomainError as e:
            problems.append((e.field, e.message))
        if birth_date and info and birth_date != info.birth_date:
            problems.append(("birth_date", "出生日期与身份证号中的出生日期不符，请核对；"
                             "也可留空，由身份证号自动生成。"))
    elif info:
        birth_date = info.birth_date

    mobile_number = ""
    value = get("mobile")
    if not _empty(value):
        try:
            mobile_number = mobile.normalize(value, field="mobile")
        except DomainError as e:
            problems.append((e.field, e.message))

    codes = {}
    for field, codeset in CODESETS.items():
        value = get(field)
        code = ""
        if not _empty(value):
            try:
                code = codesets.lookup(codeset, value)[0]
            except DomainError as e:
                problems.append((e.field, e.message))
        codes[field] = code

    migrant = False
    value = get("is_migrant_worker")
    if not _empty(value):
        try:
            migrant = parse_bool(value, label="是否农民工", field="is_migrant_worker")
        except DomainError as e:
            migrant = None
            problems.append((e.field, e.message))

    join_date = today
    value = get("join_date")
    if not _empty(value):
        try:
            join_date = dates.parse_date(value, field_label="入会日期", field="join_date")
        except DomainError as e:
            join_date = None
            problems.append((e.field, e.message))
    if join_date:
        if join_date > today:
            problems.append(("join_date", "入会日期不能晚于今天，请核对。"))
        elif birth_date and age_on(birth_date, join_date) < MIN_AGE:
            problems.append(("join_date", f"入会时应年满{MIN_AGE}周岁：按出生日期，入会日期须在"
                             f"{birthday(birth_date, MIN_AGE):%Y-%m-%d}或之后，请核对。"))

    member_number = ""
    value = get("member_number")
    if not _empty(value):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        member_number = unicodedata.normalize("NFKC", str(value)).strip().upper()
        if not numbers.LEGACY_RE.match(member_number):
            problems.append(("member_number", "会员证号只能由数字、大写字母和“-”组成，最长20位；留空则由系统生成。"))

    if problems:
        return None, problems
    return Facts(
        name=name, doc_type=doc_type, id_number=info.number, gender=gender, birth_date=birth_date,
        mobile=mobile_number, is_migrant_worker=migrant, join_date=join_date, member_number=member_number,
        **codes,
    ), []
