"""The working-day clock: the State Council's schedules as the chinesecalendar package has them (1.11.0
covers 2004–2026), the HolidayDay table over it, weekdays and a flag for a year neither covers."""

import datetime

import chinese_calendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.hall import workdays
from gonghui.hall.models import HolidayDay
from gonghui.hall.workdays import Deadline, add_workdays, covered, is_workday, workdays_between

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture(autouse=True)
def fresh_table_cache():
    # The rows a test creates vanish at its rollback without a post_delete signal: no test may see
    # another's rows through the module-level cache.
    workdays.clear_cache()
    yield
    workdays.clear_cache()


@pytest.fixture
def schedule_2027(db):
    """Part of an administrator's 2027 schedule (illustrative dates, not the official ones)."""
    HolidayDay.objects.create(date=D(2027, 1, 1), kind=HolidayDay.Kind.HOLIDAY, name="元旦")
    HolidayDay.objects.create(date=D(2027, 2, 6), kind=HolidayDay.Kind.HOLIDAY, name="春节")
    HolidayDay.objects.create(date=D(2027, 2, 20), kind=HolidayDay.Kind.WORKDAY, name="春节")


def test_add_workdays_friday_to_monday():
    assert add_workdays(D(2025, 3, 7), 1) == Deadline(date=D(2025, 3, 10), uncovered=False)
    assert add_workdays(D(2025, 3, 8), 1).date == D(2025, 3, 10)  # filed on a Saturday
    assert add_workdays(D(2025, 3, 7), 0) == Deadline(date=D(2025, 3, 7), uncovered=False)


def test_is_workday_spring_festival_2026():
    # 国办发明电〔2025〕7号: 2月15日（周日）至23日（周一）放假调休，共9天；2月14日（周六）、28日（周六）上班.
    assert [is_workday(D(2026, 2, day)) for day in range(13, 25)] == [True, True] + [False] * 9 + [True]
    assert is_workday(D(2026, 2, 28)) is True
    assert is_workday(D(2026, 3, 1)) is False  # an ordinary Sunday


def test_add_workdays_across_spring_festival_2026():
    # Thursday 12th: Friday 13th, working Saturday 14th, then nothing until Tuesday 24th.
    assert add_workdays(D(2026, 2, 12), 2) == Deadline(date=D(2026, 2, 14), uncovered=False)
    assert add_workdays(D(2026, 2, 12), 3).date == D(2026, 2, 24)
    assert add_workdays(D(2026, 2, 14), 1).date == D(2026, 2, 24)
    assert add_workdays(D(2026, 2, 16), 5).date == D(2026, 2, 28)  # 24–27, then the working Saturday
    assert add_workdays(D(2026, 2, 12), 10).date == D(2026, 3, 4)  # … 27th, 28th, 2 and 3 and 4 March
    assert workdays_between(D(2026, 2, 12), D(2026, 3, 4)) == 10


@pytest.mark.parametrize("sunday, start, n", [
    (D(2025, 1, 26), D(2025, 1, 24), 1),  # 2025 Spring Festival: Sunday 26 January worked
    (D(2023, 1, 29), D(2023, 1, 20), 2),  # 2023: Saturday 28 and Sunday 29 January worked
    (D(2026, 1, 4), D(2025, 12, 31), 1),  # 2026 New Year: 1–3 January off, Sunday 4 January worked
])
def test_add_workdays_adjusted_working_sunday(sunday, start, n):
    assert sunday.weekday() == 6
    assert is_workday(sunday) is True
    assert add_workdays(start, n) == Deadline(date=sunday, uncovered=False)


def test_add_workdays_national_day():
    # 2025: 10月1日至8日放假调休；9月28日（周日）、10月11日（周六）上班.
    assert add_workdays(D(2025, 9, 26), 1).date == D(2025, 9, 28)
    assert add_workdays(D(2025, 9, 30), 1).date == D(2025, 10, 9)
    assert add_workdays(D(2025, 10, 9), 2).date == D(2025, 10, 11)
    assert workdays_between(D(2025, 9, 30), D(2025, 10, 8)) == 0
    # 2026: 10月1日至7日；9月20日（周日）、10月10日（周六）上班.
    assert add_workdays(D(2026, 9, 30), 1).date == D(2026, 10, 8)
    assert add_workdays(D(2026, 10, 8), 3).date == D(2026, 10, 12)  # 9th, the working Saturday 10th, 12th
    assert is_workday(D(2026, 9, 20)) is True


def test_add_workdays_into_2027_counts_weekdays_and_flags():
    # No 2027 data: New Year's Day 2027 (a Friday) counts as a working day, flagged rather than refused.
    assert covered(D(2026, 12, 31)) is True
    assert covered(D(2027, 1, 1)) is False
    assert is_workday(D(2027, 1, 1)) is True
    assert is_workday(D(2027, 1, 2)) is False
    assert add_workdays(D(2026, 12, 30), 5) == Deadline(date=D(2027, 1, 6), uncovered=True)
    assert add_workdays(D(2026, 12, 30), 1) == Deadline(date=D(2026, 12, 31), uncovered=False)
    assert add_workdays(D(2027, 3, 1), 0) == Deadline(date=D(2027, 3, 1), uncovered=False)
    assert workdays_between(D(2026, 12, 30), D(2027, 1, 6)) == 5


def test_add_workdays_before_2004_counts_weekdays_and_flags():
    assert covered(D(2003, 10, 1)) is False
    assert add_workdays(D(2003, 9, 30), 1) == Deadline(date=D(2003, 10, 1), uncovered=True)


def test_table_covers_2027(schedule_2027):
    assert covered(D(2027, 6, 1)) is True
    assert covered(D(2028, 6, 1)) is False
    assert is_workday(D(2027, 1, 1)) is False
    assert is_workday(D(2027, 2, 20)) is True  # a Saturday worked
    assert add_workdays(D(2026, 12, 30), 5) == Deadline(date=D(2027, 1, 7), uncovered=False)
    assert add_workdays(D(2027, 2, 5), 1) == Deadline(date=D(2027, 2, 8), uncovered=False)
    assert add_workdays(D(2027, 2, 19), 1).date == D(2027, 2, 20)


def test_table_overrides_package():
    HolidayDay.objects.create(date=D(2026, 2, 14), kind=HolidayDay.Kind.HOLIDAY, name="春节")
    HolidayDay.objects.create(date=D(2026, 2, 23), kind=HolidayDay.Kind.WORKDAY, name="春节")
    assert is_workday(D(2026, 2, 14)) is False
    assert is_workday(D(2026, 2, 23)) is True
    assert is_workday(D(2026, 2, 28)) is True  # days without a row keep the package's answer
    assert add_workdays(D(2026, 2, 12), 3) == Deadline(date=D(2026, 2, 24), uncovered=False)


def test_is_workday_matches_package_every_covered_day():
    # The package's rule is read from its tables directly (for speed): it must agree with the package.
    day, last = D(workdays.PACKAGE_YEARS[0], 1, 1), D(workdays.PACKAGE_YEARS[-1], 12, 31)
    assert (day, last) == (D(2004, 1, 1), D(2026, 12, 31))
    while day <= last:
        assert is_workday(day) is chinese_calendar.is_workday(day), day
        day += datetime.timedelta(days=1)
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 4))


def test_cache_refreshed_after_save_and_delete(django_assert_num_queries):
    day = D(2027, 1, 1)
    assert is_workday(day) is True
    with django_assert_num_queries(0):
        assert is_workday(day) is True
        assert add_workdays(D(2027, 1, 4), 20).uncovered is True

    row = HolidayDay.objects.create(date=day, kind=HolidayDay.Kind.HOLIDAY, name="元旦")
    assert (is_workday(day), covered(day)) == (False, True)
    row.kind = HolidayDay.Kind.WORKDAY
    row.save()
    assert is_workday(D(2027, 1, 1)) is True
    row.date = D(2027, 1, 2)
    row.save()
    assert (is_workday(D(2027, 1, 1)), is_workday(D(2027, 1, 2))) == (True, True)
    row.delete()
    assert (is_workday(D(2027, 1, 2)), covered(day)) == (False, False)


def test_cache_expires_for_changes_without_signal(monkeypatch):
    # Another process's save, or a queryset update, sends no signal here: the cache ages out.
    HolidayDay.objects.create(date=D(2027, 1, 1), kind=HolidayDay.Kind.HOLIDAY, name="元旦")
    assert is_workday(D(2027, 1, 1)) is False
    HolidayDay.objects.filter(date=D(2027, 1, 1)).update(kind=HolidayDay.Kind.WORKDAY)
    assert is_workday(D(2027, 1, 1)) is False
    later = workdays.monotonic() + workdays.TABLE_MAX_AGE + 1
    monkeypatch.setattr(workdays, "monotonic", lambda: later)
    assert is_workday(D(2027, 1, 1)) is True


def test_workdays_between_empty_and_reversed():
    assert workdays_between(D(2026, 5, 6), D(2026, 5, 6)) == 0
    assert workdays_between(D(2026, 5, 8), D(2026, 5, 6)) == 0
    assert workdays_between(D(2026, 4, 30), D(2026, 5, 11)) == 5  # 5月1日至5日放假，9日（周六）上班


def test_datetimes_and_negative_counts_refused():
    with pytest.raises(TypeError):
        is_workday(datetime.datetime(2026, 2, 16, 9, 0))
    with pytest.raises(TypeError):
        workdays_between(D(2026, 2, 1), datetime.datetime(2026, 2, 16, 9, 0))
    with pytest.raises(ValueError):
        add_workdays(D(2026, 2, 16), -1)


@pytest.mark.parametrize("table_2027", [False, True])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.dates(D(2024, 1, 1), D(2027, 12, 31)), n=st.integers(0, 60))
def test_workdays_between_inverts_add_workdays(request, table_2027, start, n):
    if table_2027:
        request.getfixturevalue("schedule_2027")
    deadline = add_workdays(start, n)
    assert workdays_between(start, deadline.date) == n
    assert n == 0 or is_workday(deadline.date)
    # Uncovered: a day counted in 2028 (never entered), or in 2027 unless the table has it.
    counted_years = range((start + datetime.timedelta(days=1)).year, deadline.date.year + 1) if n else ()
    assert deadline.uncovered == any(year == 2028 or (year == 2027 and not table_2027) for year in counted_years)
