"""The service hall's working-day clock (办理时限按工作日计): which days are working days in mainland
China, the deadline n working days on, and the working days between two dates.

Order of truth for a day: a `HolidayDay` row the administrators entered wins; else the `chinesecalendar`
package's data (the State Council's yearly holiday notice) when it covers the year; else Monday to Friday
are working days. A year neither covers is counted on weekdays and flagged (`Deadline.uncovered`), never an
error: next year's schedule is published only in November or December, and deadlines already run into it.
"""

import datetime
from dataclasses import dataclass
from time import monotonic

import chinese_calendar
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import HolidayDay

ONE_DAY = datetime.timedelta(days=1)

# The package's own tables, date -> holiday: `holidays` are the days off (weekends inside a holiday span
# included), `workdays` the weekend days worked instead (调休上班). Read directly because the package's
# is_workday() scans every key for its year range on each call, too slow for a due flag on every list
# row. Its range is the first to the last year of `holidays` (1.11.0: 2004–2026); for any other year it
# raises NotImplementedError.
_PACKAGE_HOLIDAYS = chinese_calendar.holidays
_PACKAGE_WORKDAYS = chinese_calendar.workdays
PACKAGE_YEARS = range(min(_PACKAGE_HOLIDAYS).year, max(_PACKAGE_HOLIDAYS).year + 1)

# HolidayDay rows by year, {year: {date: is a working day}}; an empty dict is a year without rows.
_table: dict[int, dict[datetime.date, bool]] = {}
_table_since = 0.0
# A save clears only this process's cache: the other gunicorn workers and db_worker reload at most this
# long after an administrator's change. The same bound covers queryset.update() and bulk_create(), which
# send no signals.
TABLE_MAX_AGE = 300  # seconds


@dataclass(frozen=True)
class Deadline:
    date: datetime.date
    # Some day counted fell in a year neither the package nor the HolidayDay table covers, and was
    # counted on the Monday-to-Friday rule: the date may move once that year's schedule is entered.
    uncovered: bool


def clear_cache() -> None:
    global _table_since
    _table.clear()
    _table_since = monotonic()


def _table_year(year: int) -> dict[datetime.date, bool]:
    if monotonic() - _table_since > TABLE_MAX_AGE:
        clear_cache()
    rows = _table.get(year)
    if rows is None:
        rows = {
            day: kind == HolidayDay.Kind.WORKDAY
            for day, kind in HolidayDay.objects.filter(date__year=year).values_list("date", "kind")
        }
        _table[year] = rows
    return rows


# A signal, not an action, because this is cache invalidation rather than domain logic: whatever saves a
# HolidayDay (the admin, an import, a fixture) the next count must see it. Cleared again at commit, since
# another thread may reload the year between the save and the commit and cache the old rows.
@receiver([post_save, post_delete], sender=HolidayDay, dispatch_uid="hall.workdays.holiday_day_changed")
def _holiday_day_changed(*, using: str, **kwargs) -> None:
    clear_cache()
    transaction.on_commit(clear_cache, using=using)


def _check_date(*days: datetime.date) -> None:
    # A datetime is a date too, but never equals a date key: every holiday would silently be missed.
    if any(isinstance(day, datetime.datetime) for day in days):
        raise TypeError("working days are counted on dates: pass timezone.localdate(), not a datetime")


def covered(day: datetime.date) -> bool:
    """Whether the holidays of `day`'s year are known: the package covers the year, or the HolidayDay table
    has at least one row in it. One row is enough because administrators enter a whole year's schedule at
    once (its holidays and its adjusted working days), never a single day of a year they have not entered."""
    return day.year in PACKAGE_YEARS or bool(_table_year(day.year))


def is_workday(day: datetime.date) -> bool:
    """Whether `day` is a working day: its HolidayDay row if it has one, else the package's data for a year
    it covers, else Monday to Friday."""
    _check_date(day)
    entered = _table_year(day.year).get(day)
    if entered is not None:
        return entered
    if day.year in PACKAGE_YEARS:
        return day in _PACKAGE_WORKDAYS or (day.weekday() < 5 and day not in _PACKAGE_HOLIDAYS)
    return day.weekday() < 5


def add_workdays(start: datetime.date, n: int) -> Deadline:
    """The day on which n working days, counted from the day after `start`, are over: 1 working day from a
    Friday is the next Monday (unless that is a holiday), from the eve of a holiday the first working day
    after it; n=0 is `start` itself. Flagged `uncovered` when a day counted fell in a year without data."""
    _check_date(start)
    if n < 0:
        raise ValueError(f"n must be 0 or more, not {n}")
    day, uncovered = start, False
    while n:
        day += ONE_DAY
        uncovered = uncovered or not covered(day)
        if is_workday(day):
            n -= 1
    return Deadline(date=day, uncovered=uncovered)


def workdays_between(start: datetime.date, end: datetime.date) -> int:
    """The working days in (start, end]: the handling time of an application received on `start` and
    finished on `end`, or the days a suspension lasted (0 when end <= start).
    workdays_between(s, add_workdays(s, n).date) == n."""
    _check_date(start, end)
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        count += is_workday(day)
    return count
