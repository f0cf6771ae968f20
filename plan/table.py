"""Appendix table → raw task records, tolerant of what page breaks do to a table.

The header row is found by its column names (any province's wording, with or without
diacritics). Repeated page headers are skipped, rows with an empty STT are merged into
the task above, and a row number that restarts inside a section opens a provisional
section (pages and a heading are missing) that `sections.py` names afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from plan.rows import Row
from plan.text import clean, fold, is_bold, roman_value

FIELDS = ("content", "product", "lead", "coordinating", "deadline", "note")
FIELD_LABELS = {"content": "Nội dung", "product": "Sản phẩm", "lead": "Cơ quan chủ trì",
                "coordinating": "Cơ quan phối hợp", "deadline": "Thời hạn", "note": "Ghi chú"}
_LABEL_MAX = 60  # header labels are short; long cells are content
_NUMBER = re.compile(r"^\d{1,3}[a-zđ]?$")
_SECTION_IN_CELL = re.compile(r"^([IVXLC]+)[.)]?(?:\s+(.*))?$")


def column_of(label: str) -> str | None:
    """Which field a header cell names (None for an unknown column)."""
    text = fold(clean(label)).strip(" .:")
    rules = (
        ("stt", text in {"stt", "tt", "so tt", "so thu tu"}),
        ("lead", "chu tri" in text),
        ("coordinating", "phoi hop" in text),
        ("deadline", any(w in text for w in ("thoi gian", "thoi han", "tien do", "han hoan"))),
        ("note", "ghi chu" in text),
        ("product", any(w in text for w in ("san pham", "hinh thuc", "ket qua"))),
        ("content", "noi dung" in text or text in {"nhiem vu", "ten nhiem vu", "cong viec",
                                                   "ten cong viec", "nhiem vu, giai phap"}),
    )
    return next((name for name, hit in rules if hit), None)


def header_map(row: Row) -> dict[str, int] | None:
    """Column positions when this row is an appendix header, else None."""
    first = clean(row.cells[0]) if row.cells else ""
    if first[:1].isdigit() or len(row.cells) < 3:
        return None  # a numbered task row or a paragraph: checked cheaply, it is most rows
    found: dict[str, int] = {}
    for index, cell in enumerate(row.cells):
        name = column_of(cell) if cell.strip() and len(cell) <= _LABEL_MAX else None
        if name and name not in found:
            found[name] = index
    return found if {"content", "lead", "deadline"} <= found.keys() else None


@dataclass
class RawSection:
    """A section heading, or a provisional one opened by a restarting row number."""

    numeral: str | None
    title: str | None
    line: int
    after: str | None = None  # for provisional sections: the numeral they followed


@dataclass
class RawTask:
    """A task while rows are still being merged into it."""

    section: int
    number: str
    line: int
    fields: dict[str, str]
    continued: list[tuple[int, list[str]]] = field(default_factory=list)


@dataclass
class RawTable:
    """What the table pass found, before refs, deadlines and agencies are worked out."""

    sections: list[RawSection]
    tasks: list[RawTask]
    notes: list[tuple[int, str]]
    header_line: int


def find_header(rows: Sequence[Row]) -> int | None:
    """Index of the first header row in `rows`."""
    return next((i for i, row in enumerate(rows) if header_map(row)), None)


def read_table(rows: Sequence[Row], start: int) -> RawTable:
    """Walk the rows from the header at `start` and collect sections and tasks."""
    walker = _Walker(header_map(rows[start]) or {}, rows[start].line, len(rows[start].cells))
    for row in rows[start + 1:]:
        walker.take(row)
    return walker.result()


class _Walker:
    def __init__(self, columns: dict[str, int], header_line: int, width: int) -> None:
        self.columns = columns
        self.width = width
        self.sections: list[RawSection] = []
        self.tasks: list[RawTask] = []
        self.notes: list[tuple[int, str]] = []
        self.header_line = header_line
        self.last_was_section = False

    def result(self) -> RawTable:
        return RawTable(self.sections, self.tasks, self.notes, self.header_line)

    def cell(self, row: Row, name: str) -> str:
        index = self.columns.get(name)
        return row.cells[index] if index is not None and index < len(row.cells) else ""

    def take(self, row: Row) -> None:
        if row.blank:
            return
        columns = header_map(row)
        if columns:
            self.columns = columns  # a page header; a new layout is taken as it comes
            self.width = len(row.cells)
            return
        if len([c for c in row.cells if c.strip()]) == 1 and len(row.cells) == 1:
            self.notes.append((row.line, f"bỏ qua dòng không thuộc bảng: «{_short(row.cells[0])}»"))
            return
        self._check_width(row)
        stt = clean(self.cell(row, "stt"))
        values = {name: self.cell(row, name) for name in FIELDS}
        if self._take_section(row, stt, values):
            return
        if stt:
            self._start_task(row, stt, values)
        else:
            self._continue(row, values)

    def _check_width(self, row: Row) -> None:
        if any(cell.strip() for cell in row.cells[self.width:]):
            self.notes.append((row.line, f"dòng có {len(row.cells)} ô, nhiều hơn tiêu đề "
                                         f"({self.width} ô): có thể một ô chứa dấu phẩy mà thiếu "
                                         "dấu ngoặc kép; hãy kiểm tra lại dòng này"))

    def _take_section(self, row: Row, stt: str, values: dict[str, str]) -> bool:
        others = any(clean(values[n]) for n in ("product", "lead", "deadline"))
        head = stt or (clean(values["content"]) if is_bold(values["content"]) else "")
        match = _SECTION_IN_CELL.match(head)
        if others or not match or roman_value(match.group(1)) is None:
            return False
        title = clean(match.group(2) or "")
        if stt and not title:
            title = clean(values["content"])
        self.sections.append(RawSection(match.group(1), title or None, row.line))
        self.last_was_section = True
        return True

    def _start_task(self, row: Row, stt: str, values: dict[str, str]) -> None:
        number = stt.rstrip(".)")
        if not self.sections:
            self.sections.append(RawSection(None, None, row.line))
        if _restarts(number, self._last_number()):
            current = self.sections[-1]
            after = current.numeral if current.after is None else current.after
            self.sections.append(RawSection(None, None, row.line, after=after or ""))
        if not _NUMBER.match(number.lower()):
            self.notes.append((row.line, f"số thứ tự bất thường «{_short(number)}»; giữ nguyên"))
        self.tasks.append(RawTask(len(self.sections) - 1, number, row.line,
                                  {name: clean(v) for name, v in values.items()}))
        self.last_was_section = False

    def _continue(self, row: Row, values: dict[str, str]) -> None:
        filled = [name for name in FIELDS if clean(values[name])]
        if self.last_was_section and filled == ["content"]:
            section = self.sections[-1]
            section.title = f"{section.title or ''} {clean(values['content'])}".strip()
            self.notes.append((row.line, "nối tiếp tiêu đề mục ở dòng trước"))
            return
        if not self.tasks or self.last_was_section:
            self.notes.append((row.line, "dòng không có số thứ tự và không có nhiệm vụ phía "
                                         "trên để nối vào; giữ lại thành một nhiệm vụ riêng"))
            self._start_task(row, f"?{row.line}", values)
            return
        task = self.tasks[-1]
        for name in filled:
            task.fields[name] = _join(task.fields[name], clean(values[name]))
        task.continued.append((row.line, filled))

    def _last_number(self) -> str | None:
        last = self.tasks[-1] if self.tasks else None
        return last.number if last and last.section == len(self.sections) - 1 else None


def _restarts(number: str, last: str | None) -> bool:
    """A number not above the last one in its section means the numbering started over."""
    if last is None or not number.isdigit() or not last.isdigit():
        return False
    return int(number) <= int(last)


def _join(before: str, after: str) -> str:
    if not before:
        return after
    return f"{before} {after}"


def _short(text: str, limit: int = 60) -> str:
    text = clean(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
