"""Dates from forms and Excel: date cells and the usual written forms; numbers and impossible dates refused."""

import datetime

import pytest

from gonghui.common.dates import parse_date
from gonghui.common.errors import DomainError

MAY_1 = datetime.date(2020, 5, 1)


@pytest.mark.parametrize("value", [
    "2020-5-1", "2020-05-01", "2020/05/01", "2020/5/1", "2020.5.1", "20200501", "2020年5月1日", "2020年05月01日",
    " 2020-05-01 ", "2020-05-01 00:00:00", "2020-05-01T00:00:00", "2020/5/1 0:00", "２０２０年５月１日",
])
def test_parse_date_text_forms(value):
    assert parse_date(value, field_label="入会日期") == MAY_1


def test_parse_date_excel_date_cells():
    assert parse_date(datetime.datetime(2020, 5, 1, 0, 0), field_label="入会日期") == MAY_1
    assert parse_date(MAY_1, field_label="入会日期") == MAY_1


@pytest.mark.parametrize("value, shown", [(43952, "43952"), (43952.0, "43952"), (20200501, "20200501")])
def test_parse_date_numbers_rejected(value, shown):
    with pytest.raises(DomainError) as e:
        parse_date(value, field_label="入会日期", field="joined_on")
    assert e.value.field == "joined_on"
    assert e.value.message.startswith(f"入会日期“{shown}”是一个数字而不是日期：请把该列设置为日期格式")


@pytest.mark.parametrize("value", ["2020-2-30", "2021-02-29", "20201301", "2020-13-1", "2020-5-32", "2020-5",
                                   "5/1/2020", "明天", "2020-05-01 13:45"])
def test_parse_date_impossible_or_unknown_rejected(value):
    with pytest.raises(DomainError) as e:
        parse_date(value, field_label="出生日期")
    expected = f"出生日期“{value}”不是有效日期，应写作 2020-05-01、2020/5/1、2020年5月1日 或 20200501。"
    assert e.value.message == expected


def test_parse_date_leap_day_accepted():
    assert parse_date("2020-2-29", field_label="出生日期") == datetime.date(2020, 2, 29)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_parse_date_empty_rejected(value):
    with pytest.raises(DomainError, match="请填写入会日期"):
        parse_date(value, field_label="入会日期")
