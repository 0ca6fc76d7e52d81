"""Excel in and out: read a header row of Chinese column names from .xlsx or .csv (python-calamine),
write workbooks with openpyxl."""

import csv
import datetime
import io
import unicodedata
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")


class ExcelError(Exception):
    """The file cannot be read at all (wrong type, empty, no header)."""


def read_rows(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, list]]]:
    """The header and the data rows of the first sheet: [(excel_row_number, [cells])].
    Blank rows are skipped; numbers, dates and text come back as Python values."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        text = None
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            raise ExcelError("CSV 文件编码无法识别，请另存为 UTF-8 编码。")
        table = list(csv.reader(io.StringIO(text)))
    elif suffix in {".xlsx", ".xlsm", ".xls"}:
        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
            table = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception as e:  # calamine raises several error types for a damaged file
            raise ExcelError(f"无法读取 Excel 文件：{e}") from None
    else:
        raise ExcelError("只支持 .xlsx 或 .csv 文件。")
    numbered = [(i + 1, row) for i, row in enumerate(table)
                if any(str(c).strip() for c in row if c is not None)]
    if not numbered:
        raise ExcelError("文件是空的。")
    _, header = numbered[0]
    return [str(h or "").strip() for h in header], numbered[1:]


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date().isoformat()
    return str(value).strip()


def plain_cell(value):
    """A cell value as read, in a form openpyxl can write back (an error workbook repeats the rows as given)."""
    if value is None or isinstance(value, str | int | float | bool | datetime.date | datetime.time):
        return value
    return str(value)


def header_label(value) -> str:
    """A header cell as compared with the column names: NFKC, all whitespace (full-width too) removed."""
    return "".join(unicodedata.normalize("NFKC", cell_text(value)).split())


def write_guide(sheet, lines: list[str], *, width: int = 120) -> None:
    """An import template's 填写说明 sheet: one wrapped line per row, the first as its title."""
    sheet.column_dimensions["A"].width = width
    for i, line in enumerate(lines, start=1):
        cell = sheet.cell(row=i, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if i == 1:
            cell.font = Font(bold=True, size=14)


ERROR_COLUMN = "错误说明"


def error_workbook(header: list[str], rejected_rows, *, error_cells: dict | None = None) -> bytes:
    """An import's error workbook: the rejected rows as they were in the file (`rejected_rows`: (row number,
    cells, [(column as the file names it, message)])) with a 错误说明 column, faulty cells highlighted. Without
    `error_cells` ({row index: [column index]}) they are found from the column names (the rows are then held
    in memory: for the small imports; the member import streams its rows and passes its own)."""
    width = len(header)

    def written(number, cells, problems):
        row = [plain_cell(c) for c in cells[:width]]
        row += [None] * (width - len(row))
        return row + [f"第{number}行：" + "；".join(f"【{c}】{m}" for c, m in problems)]

    if error_cells is None:
        positions: dict[str, int] = {}
        for i, name in enumerate(header):
            positions.setdefault(name, i)
        rejected_rows = list(rejected_rows)
        error_cells = {r: sorted({positions[c] for c, _ in problems if c in positions} | {width})
                       for r, (_, _, problems) in enumerate(rejected_rows)}
    rows = (written(*rejected) for rejected in rejected_rows)
    return build_workbook("导入错误", [*header, ERROR_COLUMN], rows, error_cells=error_cells)


def build_workbook(title: str, header: list[str], rows, *, error_cells: dict | None = None, caption: str = ""
                   ) -> bytes:
    """A workbook with one sheet: bold header, the rows, and (optionally) cells {(row_idx, col_idx)}
    to highlight as errors (0-based over `rows`). A `caption` (a report table's organization and period) is a
    title row above the header.

    Write-only: each row goes to the file as it is appended, so a large export (which may pass
    `rows` as a generator) never holds every cell at once. Sheet settings must therefore come
    before the first row, and styled cells are WriteOnlyCell."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.freeze_panes = "A3" if caption else "A2"
    for i, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(str(name)) * 2 + 4))
    bold = Font(bold=True)
    if caption:
        ws.append([_styled(ws, caption, font=Font(bold=True, size=14))])
    ws.append([_styled(ws, name, font=bold) for name in header])
    error_cells = error_cells or {}
    for r, row in enumerate(rows):
        row = list(row)
        for c in error_cells.get(r, ()):
            row += [None] * (c + 1 - len(row))  # a highlighted cell past the row's end is blank
            row[c] = _styled(ws, row[c], fill=ERROR_FILL)
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _styled(ws, value, **style) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    for name, val in style.items():
        setattr(cell, name, val)
    return cell
