"""Website dumps with one cell per line: each cell follows a line holding only `|`.

This is what a coordinator gets by copying a plan from a legal-documents website:

    |
    STT
    |
    Nội dung
    |
    …
    |
    |          ← the extra `|` closes the row
    |
    1
    |
    Xây dựng kế hoạch … (wrapped over
    several lines)
    |

Two bars in a row are either an empty cell or the end of a row. The header tells them
apart: a row ends when it has as many cells as the header, or when fewer but the next cell
starts a new row (a number or a Roman numeral) — the page used row spans, and the missing
cells are the spanned ones (the number cell first). Lines around the tables (menus,
"Đăng nhập", "Tải về", footers, page counters, the body of the plan: six lines or more
without a bar) become one-cell rows that are warned about and never become tasks.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from plan.header import column_of, header_at
from plan.rows import SPANNED, Row
from plan.text import clean, fold

PROSE_RUN = 6  # this many text lines without a bar are body text, not a wrapped cell
_FOOTER = re.compile(r"^(ghi chu|luu y|trang \d|noi nhan|tm\. |kt\. |\(\*\))")
_NUMBER_LABEL = re.compile(r"^(stt|tt|so tt|so thu tu)$")
_ROW_START = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*|[IVXLC]+|[A-HĐ])[.)]?$")


def looks_like_cells(lines: Sequence[str]) -> bool:
    """Many lines holding only `|`: twelve, or ten that are a fifth of the non-blank lines
    (a short appendix after a long body still counts)."""
    bars = sum(1 for line in lines if line.strip() == "|")
    filled = sum(1 for line in lines if line.strip())
    return bars >= 12 or (bars >= 10 and bars * 5 >= filled)


def cell_rows(lines: Sequence[str]) -> list[Row]:
    """Rebuild the rows; long stretches of text between bars stay prose (one-cell rows)."""
    bars = [i for i, line in enumerate(lines) if line.strip() == "|"]
    rows = _prose(lines, 0, bars[0])
    start = bars[0]
    width, lead_first = 0, False
    header = _header_bar(lines, bars)
    for before, after in itertools.pairwise([*bars, len(lines)]):
        gap = sum(1 for line in lines[before + 1:after] if line.strip())
        # past the appendix's header, a long text right after a filled cell is a long cell
        # of the same row (a task's content over 6+ lines), not the body of the plan
        in_row = header is not None and before > header and lines[before - 1].strip() != "|"
        if (gap >= PROSE_RUN and not in_row) or after == len(lines):
            table, width, lead_first = _table_rows(_cells(lines, start, before), width,
                                                   lead_first)
            rows += table
            rows += _prose(lines, before + 1, after)
            start = after
    return rows


def _header_bar(lines: Sequence[str], bars: Sequence[int]) -> int | None:
    """The bar before the appendix header's first cell (STT / TT) — its row shape decides
    where the table is, never the lines before it."""
    for bar in bars:
        following = [fold(line) for line in lines[bar + 1:bar + 14] if line.strip() != "|"]
        if following and _NUMBER_LABEL.match(following[0]) and any(
                "chu tri" in text or "thoi han" in text or "thoi gian" in text
                for text in following[1:]):
            return bar
    return None


def _prose(lines: Sequence[str], begin: int, end: int) -> list[Row]:
    return [Row(n + 1, (lines[n].strip(),)) for n in range(begin, end) if lines[n].strip()]


def _cells(lines: Sequence[str], first: int, last: int) -> list[tuple[int, str]]:
    """(line, text) of every cell between two bars; "" for empty cells."""
    cells: list[tuple[int, str]] = []
    current: list[str] = []
    line = first + 1
    for index in range(first + 1, last + 1):
        text = lines[index].strip()
        if text == "|":
            cells.append((line, clean(" ".join(current))))
            current, line = [], index + 2
        elif text:
            if not current:
                line = index + 1
            current.append(text)
    return cells


def _table_rows(cells: list[tuple[int, str]], width: int, lead_first: bool
                ) -> tuple[list[Row], int, bool]:
    """Rows of one stretch of cells; `width` is the header's, once it has been seen;
    `lead_first`: the header's first column is not the number (a lead column spanning its
    tasks' rows: their rows come one cell short, the number first)."""
    rows: list[Row] = []
    index = 0
    while index < len(cells):
        row: list[tuple[int, str]] = []
        while index < len(cells):
            line, text = cells[index]
            if not text and row and _row_ends(row, width, cells, index, lead_first):
                index += 1
                break
            if text or row:
                row.append((line, text))
            index += 1
        if not row:
            continue
        texts = tuple(text for _, text in row)
        if not width:
            lead = next((k for k, text in enumerate(texts) if _NUMBER_LABEL.match(fold(text))),
                        0)
            named = any(column_of(text) for text in texts[:lead])  # "Cơ quan chủ trì", STT…
            if lead and not named and header_at([Row(row[lead][0], texts[lead:])], 0):
                # the signature block and the appendix title glued before the header row:
                # lines of their own (warned, never tasks), the header starts at STT
                rows += [Row(line, (text,)) for line, text in row[:lead] if text]
                row, texts = row[lead:], texts[lead:]
            candidate = Row(row[0][0], texts)
            if header_at([candidate], 0):
                width = len(texts)
                lead_first = not _NUMBER_LABEL.match(fold(texts[0]))
        elif (len(texts) == 1 and not _ROW_START.match(texts[0])) or _FOOTER.match(
                fold(texts[0])):
            # a note or the page's footer under the table ("Ghi chú: …", "Trang 2", "Nơi
            # nhận"): lines of their own (read for duties, warned), never a task's continuation
            rows += [Row(line, (text,)) for line, text in row if text]
            continue
        elif lead_first and len(texts) == width - 1 and _ROW_START.match(texts[0]):
            texts = (SPANNED, *texts)  # the first column spans this row: same as above
        elif len(texts) < width and not _ROW_START.match(texts[0]):
            texts = ("", *texts)  # the number cell spanned from the row above
        rows.append(Row(row[0][0], texts))
    return rows, width, lead_first


def _row_ends(row: list[tuple[int, str]], width: int, cells: list[tuple[int, str]],
              index: int, lead_first: bool = False) -> bool:
    """Is this empty cell the bar that closes the row, rather than an empty cell in it?"""
    if not width or len(row) >= width:
        return True
    if lead_first and len(row) == width - 1 and _ROW_START.match(row[0][1]):
        return True  # a task row under a spanned lead: one cell short, number first
    following = next((text for _, text in cells[index + 1:index + 2]), "")
    return not following or _ROW_START.match(following) is not None
