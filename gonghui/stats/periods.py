"""The periods a cadre picks on the dashboard: 本年, 上半年, 本季度, 本月 (each up to today, so a period under way is
compared with the same days of last year) or 自定义 (from, to)."""

import datetime
from dataclasses import dataclass

from gonghui.common import dates
from gonghui.common.errors import DomainError

CHOICES = {"year": "本年", "half": "上半年", "quarter": "本季度", "month": "本月", "custom": "自定义"}
DEFAULT = "year"
LONGEST = datetime.timedelta(days=366 * 10)


@dataclass(frozen=True)
class Period:
    choice: str
    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        return f"{_day(self.start)}至{_day(self.end)}"

    @property
    def year(self) -> int:
        return self.end.year

    def last_year(self) -> "Period":
        """The same days a year earlier (29 February becomes the 28th)."""
        return Period(self.choice, _year_before(self.start), _year_before(self.end))

    def months(self) -> list[tuple[int, datetime.date, datetime.date]]:
        """(month, first day, last day) of each month of the period's year up to its end: the trend's points."""
        out = []
        for month in range(1, self.end.month + 1):
            first = datetime.date(self.end.year, month, 1)
            out.append((month, first, min(_month_end(first), self.end)))
        return out


def _day(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _month_end(first: datetime.date) -> datetime.date:
    following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def choose(choice: str, today: datetime.date, *, start=None, end=None) -> Period:
    """The period `choice` at `today`; `custom` takes `start` and `end` (dates or text as typed) and raises
    DomainError in Chinese for a missing, malformed or reversed range."""
    if choice == "custom":
        first = dates.parse_date(start, field_label="起始日期", field="from")
        last = dates.parse_date(end, field_label="截止日期", field="to")
        if first > last:
            raise DomainError("起始日期不能晚于截止日期。", field="from")
        if last - first > LONGEST:
            raise DomainError("自定义时期最长十年。", field="from")
        return Period(choice, first, last)
    if choice == "half":
        return Period(choice, today.replace(month=1, day=1), min(today, today.replace(month=6, day=30)))
    if choice == "quarter":
        first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        return Period(choice, first, today)
    if choice == "month":
        return Period(choice, today.replace(day=1), today)
    return Period(DEFAULT, today.replace(month=1, day=1), today)
