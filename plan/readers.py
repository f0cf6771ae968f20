"""Document bytes → rows, with the layout chosen by content, not by the extension alone.

Binary formats are told apart by their signature (PDF, Office Open XML, the OLE2 container
of .doc/.xls, OpenDocument, RTF); text is a tab table, a CSV file, a Markdown pipe table,
a website dump with one cell per line, or prose task blocks with labels. No file system
access here: legacy formats raise `NeedsConversion` for the edge to convert.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from typing import Any

from plan import limits
from plan.header import find_header
from plan.layout_cells import cell_rows, looks_like_cells
from plan.layout_pipe import looks_like_pipes, pipe_rows
from plan.layout_prose import prose_rows
from plan.office_files import docx_rows, xlsx_rows
from plan.rows import Document, NeedsConversion, PlanFormatError, Row

SUPPORTED = (".docx", ".xlsx", ".pdf", ".csv", ".md", ".txt", ".tsv", ".xlsm",
             ".doc", ".xls", ".odt", ".ods", ".rtf")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_LEGACY = {".doc": ".docx", ".rtf": ".docx", ".odt": ".docx", ".xls": ".xlsx", ".ods": ".xlsx"}


def read_rows(name: str, data: bytes) -> list[Row]:
    """Rows of a document (see `read_document`)."""
    return read_document(name, data).rows


def read_document(name: str, data: bytes) -> Document:
    """Pick the reader from the bytes, the extension only breaking ties."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not data.strip():
        raise PlanFormatError("tệp rỗng")
    binary = _binary_reader(suffix, data)
    if binary is not None:
        return binary
    if suffix not in {".txt", ".md", ".tsv", ".csv", ".text", ""} and suffix not in _LEGACY:
        raise PlanFormatError(f"định dạng «{suffix}» chưa được hỗ trợ; hãy lưu kế hoạch thành "
                              f"{', '.join(SUPPORTED[:3])} (hoặc {', '.join(SUPPORTED[3:7])})")
    if suffix in _LEGACY:
        raise PlanFormatError(f"tệp không phải {suffix} hợp lệ (không nhận ra nội dung)")
    return _text_document(suffix, _decode(data))


def _binary_reader(suffix: str, data: bytes) -> Document | None:
    if data.startswith(b"%PDF"):
        from plan.layout_pdf import pdf_rows

        return Document(pdf_rows(data), "pdf")
    if data.startswith(b"PK\x03\x04"):
        return _zip_document(suffix, data)
    if data.startswith(_OLE2):
        target = _LEGACY.get(suffix, ".docx")
        raise NeedsConversion(suffix if suffix in {".doc", ".xls"} else ".doc/.xls", target)
    if data.lstrip().startswith(b"{\\rtf"):
        raise NeedsConversion(".rtf", ".docx")
    if suffix in {".xlsx", ".xlsm"}:
        raise PlanFormatError("tệp không phải bảng tính .xlsx hợp lệ (không mở được)")
    if suffix == ".docx":
        raise PlanFormatError("tệp không phải văn bản .docx hợp lệ (không mở được)")
    if suffix == ".pdf":
        raise PlanFormatError("tệp không phải PDF hợp lệ (thiếu phần đầu %PDF)")
    return None


def _zip_document(suffix: str, data: bytes) -> Document:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        mimetype = archive.read("mimetype")[:80] if "mimetype" in names else b""
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise PlanFormatError("tệp nén hỏng, không mở được") from exc
    readers: dict[str, Callable[[bytes], list[Row]]] = {
        "word/document.xml": docx_rows, "xl/workbook.xml": xlsx_rows}
    expected = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml",
                ".xlsm": "xl/workbook.xml"}.get(suffix)
    if expected and expected not in names:
        kind = "văn bản .docx" if suffix == ".docx" else "bảng tính .xlsx"
        raise PlanFormatError(f"tệp không phải {kind} hợp lệ (thiếu {expected})")
    for member, reader in readers.items():
        if member in names:
            rows = reader(data)
            layout = "docx" if reader is docx_rows else "xlsx"
            return _with_prose(rows, layout)
    if b"opendocument.text" in mimetype:
        raise NeedsConversion(".odt", ".docx")
    if b"opendocument.spreadsheet" in mimetype:
        raise NeedsConversion(".ods", ".xlsx")
    raise PlanFormatError("tệp nén không phải văn bản Word hay bảng tính Excel")


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise PlanFormatError("tệp không phải văn bản thuần (có thể là tệp nhị phân đổi đuôi)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanFormatError(f"tệp không phải văn bản UTF-8 (byte lỗi ở vị trí {exc.start})"
                              ) from exc


def _text_document(suffix: str, text: str) -> Document:
    lines = text.splitlines()
    if len(lines) > limits.MAX_TEXT_LINES:
        raise limits.refuse(f"{len(lines):,} dòng, tối đa {limits.MAX_TEXT_LINES:,}"
                            .replace(",", "."))
    if looks_like_cells(lines):
        return Document(cell_rows(lines), "cells")
    if looks_like_pipes(lines):
        return _with_prose(pipe_rows(lines), "pipe")
    if suffix == ".csv":
        return Document(_csv_rows(text), "csv")
    rows = [Row(n, tuple(line.split("\t"))) for n, line in enumerate(lines, 1)]
    return _with_prose(rows, "tsv" if any("\t" in line for line in lines) else "table")


def _with_prose(rows: list[Row], layout: str) -> Document:
    """A document without an appendix header may hold its tasks as labelled prose blocks."""
    if find_header(rows) is not None:
        return Document(rows, layout)
    prose = prose_rows(rows)
    return Document(prose, "prose") if prose is not None else Document(rows, layout)


def _csv_rows(text: str) -> list[Row]:
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
