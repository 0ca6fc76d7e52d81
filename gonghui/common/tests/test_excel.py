"""Workbooks written by build_workbook: styled, typed, and readable by read_rows."""

import datetime
import io

from openpyxl import load_workbook

from gonghui.common.excel import ERROR_FILL, build_workbook, read_rows

HEADER = ["组织代码", "组织名称", "职工人数", "成立日期"]
ROWS = [
    ["G1111", "合肥瑶海机械有限公司工会", 120, datetime.date(2020, 1, 1)],
    ["G1112", "明光路商圈联合工会", 35, datetime.date(2021, 6, 30)],
]


def _sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def test_build_workbook_header_bold_and_sheet_settings():
    sheet = _sheet(build_workbook("工会组织", HEADER, ROWS))
    assert sheet.title == "工会组织"
    assert [c.value for c in sheet[1]] == HEADER
    assert all(c.font.bold for c in sheet[1])
    assert not any(c.font.bold for c in sheet[2])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 12  # 4 characters * 2 + 4
    assert sheet.column_dimensions["B"].width == 12


def test_build_workbook_values_round_trip():
    sheet = _sheet(build_workbook("工会组织", HEADER, iter(ROWS)))  # a generator, as the export passes
    values = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert values == [
        ["G1111", "合肥瑶海机械有限公司工会", 120, datetime.datetime(2020, 1, 1)],
        ["G1112", "明光路商圈联合工会", 35, datetime.datetime(2021, 6, 30)],
    ]


def test_build_workbook_highlights_only_error_cells():
    sheet = _sheet(build_workbook("导入错误", HEADER, ROWS, error_cells={1: [0, 4]}))
    colour = ERROR_FILL.fgColor.rgb  # openpyxl stores "FFC7CE" as "00FFC7CE"
    assert sheet["A3"].fill.fgColor.rgb == colour and sheet["A3"].fill.fill_type == "solid"
    assert sheet["E3"].fill.fgColor.rgb == colour and sheet["E3"].value is None  # past the row's end
    assert sheet["B3"].fill.fill_type is None
    assert sheet["A2"].fill.fill_type is None
    assert sheet["A3"].value == "G1112"


def test_read_rows_reads_back_build_workbook():
    header, rows = read_rows(build_workbook("工会组织", HEADER, ROWS), "组织.xlsx")
    assert header == HEADER
    assert rows == [
        (2, ["G1111", "合肥瑶海机械有限公司工会", 120, datetime.date(2020, 1, 1)]),
        (3, ["G1112", "明光路商圈联合工会", 35, datetime.date(2021, 6, 30)]),
    ]
