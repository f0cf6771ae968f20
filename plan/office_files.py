"""Word and Excel files → rows (python-docx, openpyxl), spans and date cells made plain.

Vertically merged cells (a number or deadline spanning several rows) are read once, on
their first row, so the table logic sees the span and can inherit it; a month typed as a
date cell and shown `mm/yyyy` stays a month, never the 1st of that month.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

from plan import limits
from plan.header import find_header
from plan.rows import SPANNED, PlanFormatError, Row

_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _open_zip(data: bytes, member: str, kind: str) -> None:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile as exc:
        raise PlanFormatError(f"tệp không phải {kind} hợp lệ (không mở được)") from exc
    if member not in names:
        raise PlanFormatError(f"tệp không phải {kind} hợp lệ (thiếu {member})")


def _cell_text(value: object, number_format: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        if "d" not in number_format.lower() and "m" in number_format.lower():
            return value.strftime("%m/%Y")  # a month typed as a date: keep it a month
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def xlsx_rows(data: bytes) -> list[Row]:
    """The first sheet with an appendix header (or the first sheet), cells as shown, within
    `plan.limits` (rows, cells, columns, sheets and time counted as they are read)."""
    from openpyxl import load_workbook

    _open_zip(data, "xl/workbook.xml", "bảng tính .xlsx")
    limits.check_zip(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise PlanFormatError(f"không đọc được bảng tính: {exc}") from exc
    if len(book.sheetnames) > limits.MAX_SHEETS:
        raise limits.refuse(f"{len(book.sheetnames)} trang tính, tối đa {limits.MAX_SHEETS}")
    budget = limits.Budget()
    first: list[Row] = []
    for sheet in book.worksheets:
        covered = _covered(book, sheet)
        rows = []
        width = min(sheet.max_column or limits.MAX_COLUMNS, limits.MAX_COLUMNS)
        for n, cells in enumerate(sheet.iter_rows(max_col=width), 1):
            budget.row(len(cells))
            rows.append(Row(n, tuple(SPANNED if (n, i) in covered else limits.cell(_cell_text(
                getattr(c, "value", None), getattr(c, "number_format", "") or ""))
                for i, c in enumerate(cells, 1))))
        first = first or rows
        if find_header(rows) is not None:
            return rows
    return first


def _covered(book: Any, sheet: Any) -> set[tuple[int, int]]:
    """(row, column) of cells under a vertical merge, below its first row (read-only mode
    does not load merges, so they are read from the sheet's XML)."""
    try:
        with book._archive.open(sheet._worksheet_path) as stream:
            xml = stream.read()
    except (AttributeError, KeyError, OSError):
        return set()
    covered: set[tuple[int, int]] = set()
    for first_col, first_row, last_col, last_row in _MERGE.findall(xml):
        top, bottom = int(first_row), int(last_row)
        left, right = _column(first_col), min(_column(last_col), limits.MAX_COLUMNS)
        if len(covered) + max(0, bottom - top) * max(0, right - left + 1) > limits.MAX_CELLS:
            raise limits.refuse("vùng gộp ô quá lớn")
        for column in range(left, right + 1):
            covered.update((row, column) for row in range(top + 1, bottom + 1))
    return covered


def _column(letters: bytes) -> int:
    value = 0
    for letter in letters:
        value = value * 26 + letter - 64
    return value


def docx_rows(data: bytes) -> list[Row]:
    """Paragraphs as one-cell rows and table rows as cells, in document order."""
    import docx
    from docx.table import Table

    _open_zip(data, "word/document.xml", "văn bản .docx")
    limits.check_zip(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for broken files
        raise PlanFormatError(f"không đọc được văn bản Word: {exc}") from exc
    budget = limits.Budget()
    rows: list[Row] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            above: list[Any] = []
            for table_row in block.rows:
                budget.row(_grid_width(table_row))  # before python-docx expands the spans
                cells, above = _docx_cells(table_row, above)
                rows.append(Row(len(rows) + 1, cells))
        else:
            budget.row(1)
            rows.append(Row(len(rows) + 1, (limits.cell(_emphasised(block.text, block.runs)),)))
    return rows


def _grid_width(table_row: Any) -> int:
    """Columns the row spans in the grid, read from its XML (a forged gridSpan of 10,000
    would make python-docx repeat the cell 10,000 times)."""
    width = sum(int(tc.grid_span or 1) for tc in table_row._tr.tc_lst)
    if width > limits.MAX_COLUMNS:
        raise limits.refuse(f"một hàng bảng rộng {width} cột, tối đa {limits.MAX_COLUMNS}")
    return width


def _docx_cells(table_row: Any, above: list[Any]) -> tuple[tuple[str, ...], list[Any]]:
    """Merged cells repeat in python-docx: across a row (gridSpan) and down (vMerge, where
    the row below returns the cell above). Keep the text once; bold or italic is marked."""
    cells: list[str] = []
    tcs = [cell._tc for cell in table_row.cells]
    for index, cell in enumerate(table_row.cells):
        if index > 0 and tcs[index - 1] is cell._tc:
            cells.append("")  # spanned across: the table logic reads the row as it is
            continue
        if index < len(above) and above[index] is cell._tc:
            cells.append(SPANNED)  # spanned down: the text belongs to the row above
            continue
        runs = [run for p in cell.paragraphs for run in p.runs]
        text = limits.cell("\n".join(p.text for p in cell.paragraphs).strip())
        cells.append(_emphasised(text, runs))
    return tuple(cells), tcs


def _emphasised(text: str, runs: Any) -> str:
    visible = [run for run in runs if run.text.strip()]
    if not text.strip() or not visible:
        return text
    if all(run.bold for run in visible):
        return f"<b>{text.strip()}</b>"
    if all(run.italic for run in visible):
        return f"<i>{text.strip()}</i>"
    return text
