"""Dates as people enter them in forms and Excel: date cells, and text like 2020-5-1, 2020/05/01,
2020.5.1, 20200501 or 2020年5月1日. Numbers are refused: an Excel serial number (43952) or a typed
20200501 in a numeric cell is too easy to misread, so the user is asked to fix the column."""

import datetime
import re
import unicodedata

from .errors import DomainError

_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]0{1,2}:00(?::00)?)?$")
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
FORMS = "2020-05-01、2020/5/1、2020年5月1日 或 20200501"


def parse_date(value, *, field_label: str, field: str | None = None) -> datetime.date:
    """The date, or a DomainError naming the field. Empty values are refused too: callers skip
    optional empty cells before calling."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        shown = int(value) if isinstance(value, float) and value.is_integer() else value
        raise DomainError(f"{field_label}“{shown}”是一个数字而不是日期：请把该列设置为日期格式，"
                          f"或写作 {FORMS}。", field=field)
    text = unicodedata.normalize("NFKC", "" if value is None else str(value)).strip()
    if not text:
        raise DomainError(f"请填写{field_label}，如 2020-05-01。", field=field)
    match = _DATE_RE.match(text) or _COMPACT_RE.match(text)
    if match:
        try:
            return datetime.date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    raise DomainError(f"{field_label}“{text}”不是有效日期，应写作 {FORMS}。", field=field)


def local_span(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[local midnight of start, local midnight after end): a period of days as a range of timestamps, which
    an index on the timestamp column serves (a `__date__range` filter converts every row instead)."""
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    return (datetime.datetime.combine(start, datetime.time.min, tz),
            datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tz))
