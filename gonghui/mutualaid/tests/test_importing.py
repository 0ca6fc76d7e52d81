"""Issue 6 part 6: the unit enrolment list from Excel — rows matched to the union's members by ID number or
member number; the others rejected into the same error workbook as the member import (错误说明, faulty cells
highlighted), the valid rows kept for the enrolment's preview."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.common.excel import ERROR_FILL, build_workbook
from gonghui.conftest import make_cadre
from gonghui.members.actions import end_membership
from gonghui.members.tests.conftest import make_id
from gonghui.mutualaid import actions
from gonghui.mutualaid.importing import read_enrolment_list

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def xlsx(header, rows) -> bytes:
    return build_workbook("名单", header, rows)


def test_list_matches_members_and_rejects_the_rest(tree, plan, member_factory):
    """Part 6: 甲 by ID, 乙 by member number kept; a wrong name, a member of another union (same message as
    nobody), a bad ID, a repeat, a member who left, one already covered and an empty row rejected."""
    a = member_factory("G1111", name="甲", id_number=make_id(seq=201))
    b = member_factory("G1112", name="乙")
    c = member_factory("G1111", name="丙", id_number=make_id(seq=203))
    other = member_factory("G1211", name="丁", id_number=make_id(seq=204))
    left = member_factory("G1111", name="戊", id_number=make_id(seq=205))
    end_membership(left, status="left", date=TODAY, by=system_actor())
    covered = member_factory("G1111", name="己", id_number=make_id(seq=206))
    actions.enrol(plan=plan, org=tree["G1111"], members=[covered], by=make_cadre(tree["G1111"], "operator"))
    data = xlsx(["姓名", "身份证号", "会员编号"], [
        ["甲", make_id(seq=201), ""], ["乙", "", b.member_number.lower()], ["张冠李戴", make_id(seq=203), ""],
        ["丁", make_id(seq=204), ""], ["庚", "34010219900101", ""], ["甲", "", a.member_number],
        ["戊", make_id(seq=205), ""], ["己", make_id(seq=206), ""], ["辛", "", ""]])
    listing = read_enrolment_list(data, "名单.xlsx", org=tree["T111"], by=make_cadre(tree["T111"], "operator"),
                                  plan=plan)
    assert [m.name for m in listing.written] == ["甲", "乙"]
    assert listing.rows == 9 and listing.rejected == 7
    messages = {e.row: (e.column, e.message) for e in listing.errors}
    not_found = "在明光路街道总工会及下级工会的会员中未找到该会员（姓名与证件号或会员证号不符）。"
    assert messages[4] == messages[5] == ("身份证号", not_found)  # wrong name; another county's member
    assert messages[6][0] == "身份证号" and "18位" in messages[6][1]
    assert messages[7] == ("整行", "与第2行是同一会员。")
    assert messages[8] == ("整行", "会籍状态为“退会”，不是在会会员。")
    assert messages[9] == ("整行", "已参加该计划，不能重复参保。")
    assert messages[10] == ("整行", "请填写身份证号或会员证号。")
    assert c not in listing.written and other not in listing.written
    sheet = load_workbook(io.BytesIO(listing.error_workbook())).active
    rows = list(sheet.iter_rows())
    assert [cell.value for cell in rows[0]] == ["姓名", "身份证号", "会员编号", "错误说明"]
    assert rows[1][0].value == "张冠李戴" and rows[1][3].value == f"第4行：【身份证号】{not_found}"
    assert rows[1][1].fill.fgColor.rgb == ERROR_FILL.fgColor.rgb and rows[1][3].fill.fgColor.rgb.endswith("FFC7CE")
    assert rows[1][0].fill.fgColor.rgb != ERROR_FILL.fgColor.rgb


def test_unreadable_list_refused(tree):
    """Part 6: a list without the columns, or not a spreadsheet, is refused as a whole with a message."""
    cadre = make_cadre(tree["G1111"], "operator")
    with pytest.raises(DomainError, match="须有“姓名”列"):
        read_enrolment_list(xlsx(["名字", "电话"], [["甲", "1"]]), "名单.xlsx", org=tree["G1111"], by=cadre)
    with pytest.raises(DomainError, match="只支持"):
        read_enrolment_list(b"hello", "名单.txt", org=tree["G1111"], by=cadre)


def test_error_workbook_names_and_highlights_columns_as_the_file_does(tree, member_factory):
    """Review finding 2: under the alias header “会员 编号” (matched as 会员编号, spaces and all), a number not
    found is reported in that column's own name and its cell highlighted; the file's other cells come back as
    read — a date stays a date, not text."""
    member_factory("G1111", name="甲")
    joined = datetime.date(2021, 3, 15)
    data = xlsx(["姓名", "会员 编号", "入会日期"], [["甲", "X0000", joined]])
    listing = read_enrolment_list(data, "名单.xlsx", org=tree["G1111"], by=make_cadre(tree["G1111"], "operator"))
    assert [(e.row, e.column) for e in listing.errors] == [(2, "会员 编号")]
    rows = list(load_workbook(io.BytesIO(listing.error_workbook())).active.iter_rows())
    assert [cell.value for cell in rows[0]] == ["姓名", "会员 编号", "入会日期", "错误说明"]
    assert rows[1][3].value.startswith("第2行：【会员 编号】在合肥瑶海机械有限公司工会及下级工会的会员中未找到")
    assert rows[1][1].fill.fgColor.rgb == ERROR_FILL.fgColor.rgb
    assert rows[1][0].fill.fgColor.rgb != ERROR_FILL.fgColor.rgb
    assert isinstance(rows[1][2].value, datetime.datetime) and rows[1][2].value.date() == joined


def test_list_reads_only_the_members_the_uploader_may_see(tree, member_factory):
    """Review finding 5: the list is matched among the members of the union's subtree that the uploading
    account sees: a town cadre listing for the county (above them) finds nobody outside the town."""
    member_factory("G1111", name="甲")
    cousin = member_factory("G1211", name="乙")
    data = xlsx(["姓名", "会员证号"], [["乙", cousin.member_number]])
    listing = read_enrolment_list(data, "名单.xlsx", org=tree["C1"], by=make_cadre(tree["T111"], "operator"))
    assert listing.written == [] and listing.errors[0].column == "会员证号"

