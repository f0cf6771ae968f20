"""Document bytes → rows, one small reader per format. No file system access here."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from typing import Any

from plan.header import find_header
from plan.rows import PlanFormatError, Row

SUPPORTED = (".txt", ".md", ".tsv", ".csv", ".xlsx", ".xlsm", ".docx")


def read_rows(name: str, data: bytes) -> list[Row]:
    """Pick the reader by extension and check the bytes really are that format."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    readers: dict[str, Callable[[bytes], list[Row]]] = {
        ".txt": _text_rows, ".md": _text_rows, ".tsv": _text_rows,
        ".csv": _csv_rows, ".xlsx": _xlsx_rows, ".xlsm": _xlsx_rows, ".docx": _docx_rows}
    reader = readers.get(suffix)
    if reader is None:
        raise PlanFormatError(f"định dạng «{suffix or name}» chưa được hỗ trợ; hãy lưu kế hoạch "
                              f"thành {', '.join(SUPPORTED)}")
    if not data.strip():
        raise PlanFormatError("tệp rỗng")
    return reader(data)


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096] or data.startswith(b"PK\x03\x04"):
        raise PlanFormatError("tệp không phải văn bản thuần (có thể là tệp nhị phân đổi đuôi)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanFormatError(f"tệp không phải văn bản UTF-8 (byte lỗi ở vị trí {exc.start})"
                              ) from exc


def _text_rows(data: bytes) -> list[Row]:
    text = _decode(data)
    return [Row(n, tuple(line.split("\t"))) for n, line in enumerate(text.splitlines(), 1)]


def _csv_rows(data: bytes) -> list[Row]:
    text = _decode(data)
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows: list[Row] = []
    line = 1
    try:
        for record in reader:
            rows.append(Row(line, tuple(record)))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise PlanFormatError(f"tệp CSV hỏng ở dòng {reader.line_num}: {exc}") from exc
    return rows


def _open_zip(data: bytes, member: str, kind: str) -> None:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile as exc:
        raise PlanFormatError(f"tệp không phải {kind} hợp lệ (không mở được)") from exc
    if member not in names:
        raise PlanFormatError(f"tệp không phải {kind} hợp lệ (thiếu {member})")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(data: bytes) -> list[Row]:
    from openpyxl import load_workbook

    _open_zip(data, "xl/workbook.xml", "bảng tính .xlsx")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise PlanFormatError(f"không đọc được bảng tính: {exc}") from exc
    first: list[Row] = []
    for sheet in book.worksheets:
        rows = [Row(n, tuple(_cell_text(v) for v in values))
                for n, values in enumerate(sheet.iter_rows(values_only=True), 1)]
        first = first or rows
        if find_header(rows) is not None:
            return rows
    return first


def _docx_rows(data: bytes) -> list[Row]:
    import docx
    from docx.table import Table

    _open_zip(data, "word/document.xml", "văn bản .docx")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for broken files
        raise PlanFormatError(f"không đọc được văn bản Word: {exc}") from exc
    rows: list[Row] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for table_row in block.rows:
                rows.append(Row(len(rows) + 1, _docx_cells(table_row)))
        else:
            rows.append(Row(len(rows) + 1, (block.text,)))
    return rows


def _docx_cells(table_row: Any) -> tuple[str, ...]:
    """Merged cells repeat in python-docx; keep the text once, bold marked for sections."""
    cells: list[str] = []
    previous = None
    for cell in table_row.cells:
        if cell._tc is previous:
            cells.append("")
            continue
        previous = cell._tc
        runs = [run for p in cell.paragraphs for run in p.runs if run.text.strip()]
        text = "\n".join(p.text for p in cell.paragraphs).strip()
        bold = bool(runs) and all(run.bold for run in runs)
        cells.append(f"<b>{text}</b>" if bold and text else text)
    return tuple(cells)
