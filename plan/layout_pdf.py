"""PDF with a text layer → rows, through pdfplumber's ruled-table finder.

Each page's tables become rows in reading order, with the text around them as one-cell
rows (the plan's number, date and title live there). A table continued on the next page,
its header repeated, and merged cells (None from pdfplumber: a row span) are left for the
table logic, which already reads page headers, continuations and spans. Rows are numbered
in reading order; a warning's "dòng" is that number. A PDF without a text layer (a scan)
is refused with what to do instead.
"""

from __future__ import annotations

import io
from typing import Any

from plan import limits
from plan.rows import PlanFormatError, Row

_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
_SCANNED = ("tệp PDF không có lớp chữ (có thể là bản quét): không đọc được nội dung. Hãy dùng "
            "bản PDF xuất từ Word, hoặc tệp .docx/.xlsx gốc, hoặc nhận dạng chữ (OCR) trước")


def pdf_rows(data: bytes) -> list[Row]:
    """Rows of every page; raises PlanFormatError for a broken or scanned PDF."""
    import pdfplumber

    try:
        document = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many types for a broken file
        raise PlanFormatError("tệp PDF hỏng, không mở được") from exc
    items: list[tuple[str, ...]] = []
    chars = 0
    budget = limits.Budget()
    try:
        with document:
            if len(document.pages) > limits.MAX_PAGES:
                raise limits.refuse(f"{len(document.pages)} trang, tối đa {limits.MAX_PAGES}")
            for page in document.pages:
                budget.clock()
                chars += len(page.chars)
                for item in _page_items(page):
                    budget.row(len(item))
                    items.append(tuple(limits.cell(text) for text in item))
                page.flush_cache()
    except PlanFormatError:
        raise
    except Exception as exc:  # pdfminer raises many types for damaged streams
        raise PlanFormatError(f"tệp PDF hỏng, không đọc được trang: {type(exc).__name__}"
                              ) from exc
    if chars == 0:
        raise PlanFormatError(_SCANNED)
    return [Row(number, cells) for number, cells in enumerate(items, 1)]


def _page_items(page: Any) -> list[tuple[str, ...]]:
    """Table rows and text lines of one page, top to bottom."""
    tables = page.find_tables(_TABLE_SETTINGS)
    placed: list[tuple[float, tuple[str, ...]]] = []
    boxes = [table.bbox for table in tables]
    for table in tables:
        for row, cells in zip(table.rows, table.extract(), strict=False):
            texts = tuple(_cell(value) for value in cells)
            if sum(1 for t in texts if t) == 1:
                texts = _maybe_bold(page, row, texts)
            placed.append((row.bbox[1], texts))
    outside = page.filter(lambda obj: not any(_inside(obj, box) for box in boxes))
    for line in outside.extract_text_lines(return_chars=False):
        text = line["text"].strip()
        if text:
            placed.append((line["top"], (text,)))
    placed.sort(key=lambda item: item[0])
    return [cells for _, cells in placed]


def _cell(value: str | None) -> str:
    return " ".join((value or "").split())


def _inside(obj: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    mid_x = (obj.get("x0", 0) + obj.get("x1", 0)) / 2
    mid_y = (obj.get("top", 0) + obj.get("bottom", 0)) / 2
    return bool(x0 <= mid_x <= x1 and top <= mid_y <= bottom)


def _maybe_bold(page: Any, row: Any, texts: tuple[str, ...]) -> tuple[str, ...]:
    """A one-cell row in bold is a heading: mark it as the Word reader does."""
    chars = page.crop(row.bbox).chars
    letters = [c for c in chars if c["text"].strip()]
    if letters and all("bold" in c.get("fontname", "").lower() for c in letters):
        return tuple(f"<b>{t}</b>" if t else t for t in texts)
    return texts
