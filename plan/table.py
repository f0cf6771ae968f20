"""Appendix table → raw task records, tolerant of what page breaks and row spans do.

Repeated page headers and `(1) (2) (3)` rows are skipped; parts (`A.`, `PHẦN I`), Roman
sections and sub-groups (`III.1`, a bold row with no lead and no deadline) are headings,
not tasks. A row with an empty number cell is either a page-break continuation (no lead of
its own: merged into the task above) or an unnumbered sub-task (its own content and lead:
`3a`, `3b`, inheriting the spanned cells). A number that restarts inside a section opens a
provisional section (pages and a heading are missing) that `parse.py` names afterwards.
Tables that hold no tasks (`Chỉ tiêu`) are skipped with a note.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from plan.header import FIELDS, Header, column_numbers, header_at, other_table_header
from plan.raw import RawGroup, RawSection, RawTable, RawTask
from plan.rows import SPANNED, Row
from plan.text import clean, fold, is_emphasis, roman_value

_NUMBER = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3}){0,3}[a-zđ]?|[a-zđ])$")
_SECTION_IN_CELL = re.compile(r"^([IVXLC]+)[.)]?(?:\s+(.*))?$")
_GROUP_NUMBER = re.compile(r"^(?:[IVXLC]+\.)?\d{1,3}(?:\.\d{1,3}){0,3}$")
_PART_LETTER = re.compile(r"^([A-HĐ])[.):]?$")
_ANY_LETTER = re.compile(r"^([A-ZĐ])[.):]?$")
_LETTERS = "ABCDĐEGHIKLMNOPQRSTUVXY"
_PART_WORD = re.compile(r"^phần\s+(?:thứ\s+)?([A-ZĐ]|[IVX]+|\d+|nhất|hai|ba|tư|năm)\b[.:]?\s*(.*)$",
                        re.IGNORECASE)
_PART_NAMES = {"nhat": "I", "hai": "II", "ba": "III", "tu": "IV", "nam": "V"}


def read_table(rows: Sequence[Row], start: int) -> RawTable:
    """Walk the rows from the header at `start` and collect sections and tasks."""
    header = header_at(rows, start)
    assert header is not None, "read_table starts at a header"
    walker = _Walker(header, rows[start].line)
    index = start + header.rows
    while index < len(rows):
        index += walker.take(rows, index)
    return walker.result()


class _Walker:
    def __init__(self, header: Header, header_line: int) -> None:
        self.header = header
        self.sections: list[RawSection] = []
        self.groups: list[RawGroup] = []
        self.tasks: list[RawTask] = []
        self.notes: list[tuple[int, str]] = []
        self.header_line = header_line
        self.last_was_section = False
        self.part: str | None = None
        self.group: int | None = None
        self.skipping: int | None = None  # line of an ignored table's header
        self.spanned: list[str] = []  # fields of the current row merged down from above
        self.lettered: RawTask | None = None  # the numbered task unnumbered sub-rows follow
        self.above: tuple[str, ...] = ()  # the previous body row, for cells spanned down

    def result(self) -> RawTable:
        return RawTable(self.sections, self.tasks, self.notes, self.header_line, self.groups)

    def cell(self, row: Row, name: str) -> str:
        index = self.header.columns.get(name)
        return row.cells[index] if index is not None and index < len(row.cells) else ""

    def take(self, rows: Sequence[Row], index: int) -> int:
        """Take one row (two for a stacked page header); returns how many were used."""
        row = rows[index]
        if row.blank:
            return 1
        header = header_at(rows, index)
        if header:
            self.header, self.skipping = header, None  # a page header or the next task table
            return header.rows
        if other_table_header(row):
            self.skipping = row.line
            self.notes.append((row.line, "bỏ qua bảng không có cột thời hạn (bảng chỉ tiêu "
                                         f"«{_short(' | '.join(c for c in row.cells if c))}»)"))
            return 1
        if self.skipping is not None or column_numbers(row):
            return 1
        if len(row.cells) == 1:
            self.notes.append((row.line, f"bỏ qua dòng không thuộc bảng: «{_short(row.cells[0])}»"))
            return 1
        self._row(rows, index)
        return 1

    def _row(self, rows: Sequence[Row], index: int) -> None:
        row, spanned = self._unspan(rows[index])
        self._check_width(row)
        stt = clean(self.cell(row, "stt"))
        values = {name: self.cell(row, name) for name in FIELDS}
        self.spanned = [name for name in FIELDS if name in spanned and clean(values[name])]
        if self._take_part(row, stt, values) or self._take_section(row, stt, values):
            return
        if self._take_group(rows, index, stt, values):
            return
        if stt and not _NUMBER.match(stt.rstrip(".)").lower()) and not clean(values["lead"]):
            text = " | ".join(clean(c) for c in row.cells if c.strip())
            self.notes.append((row.line, f"bỏ qua dòng không phải nhiệm vụ: «{_short(text)}»"))
        elif stt:
            self._start_task(row, stt, values)
        else:
            self._continue(row, values)

    def _unspan(self, row: Row) -> tuple[Row, set[str]]:
        """Cells merged down from the row above take its text (the number cell stays empty,
        so the row reads as a sub-task of the one above)."""
        if SPANNED not in row.cells:
            self.above = row.cells
            return row, set()
        names = {index: name for name, index in self.header.columns.items()}
        cells = list(row.cells)
        spanned: set[str] = set()
        for index, cell in enumerate(cells):
            if cell == SPANNED:
                name = names.get(index, "")
                inherit = name != "stt" and index < len(self.above)
                cells[index] = self.above[index] if inherit else ""
                spanned.add(name)
        self.above = tuple(cells)
        return Row(row.line, tuple(cells)), spanned

    def _check_width(self, row: Row) -> None:
        if any(cell.strip() for cell in row.cells[self.header.width:]):
            self.notes.append((row.line, f"dòng có {len(row.cells)} ô, nhiều hơn tiêu đề "
                                         f"({self.header.width} ô): có thể một ô chứa dấu phẩy mà "
                                         "thiếu dấu ngoặc kép; hãy kiểm tra lại dòng này"))

    def _empty(self, values: dict[str, str], *names: str) -> bool:
        return not any(clean(values[n]) for n in names)

    def _take_part(self, row: Row, stt: str, values: dict[str, str]) -> bool:
        """`A.`/`B` in the number cell, or `PHẦN I …`, with no lead and no deadline."""
        if not self._empty(values, "lead", "deadline"):
            return False
        content = clean(values["content"])
        letter = _PART_LETTER.match(stt) or self._next_letter(stt)
        worded = _PART_WORD.match(f"{stt} {content}".strip())
        if letter and content:
            label, title = letter.group(1), content
        elif worded:
            word = fold(worded.group(1))
            label, title = _PART_NAMES.get(word, worded.group(1).upper()), worded.group(2)
        else:
            return False
        self.part, self.group, self.lettered = label, None, None
        self.sections.append(RawSection(None, clean(title) or None, row.line, part=label))
        self.last_was_section = True
        return True

    def _next_letter(self, stt: str) -> re.Match[str] | None:
        """`I.` after `H.`, `L.` after `K.`: the next lettered part (Vietnamese order, no F, J,
        W), never a Roman section, once the parts go by letters."""
        found = _ANY_LETTER.match(stt)
        if found is None or self.part is None or len(self.part) != 1:
            return None
        at = _LETTERS.find(self.part)
        return found if at >= 0 and _LETTERS[at + 1:at + 2] == found.group(1) else None

    def _take_section(self, row: Row, stt: str, values: dict[str, str]) -> bool:
        head = stt or (clean(values["content"]) if is_emphasis(values["content"]) else "")
        match = _SECTION_IN_CELL.match(head)
        if not match or roman_value(match.group(1)) is None:
            return False
        if not self._empty(values, "lead", "deadline"):
            return False
        title = clean(match.group(2) or "")
        if stt and not title:
            title = clean(values["content"])
        stray = [clean(values[n]) for n in ("product", "coordinating", "note") if clean(values[n])]
        if stray:
            self.notes.append((row.line, f"dòng tiêu đề mục {match.group(1)} có chữ ở cột khác "
                                         f"(«{_short('; '.join(stray))}»); vẫn coi là tiêu đề mục"))
        self.sections.append(RawSection(match.group(1), title or None, row.line, part=self.part))
        self.group, self.lettered, self.last_was_section = None, None, True
        return True

    def _take_group(self, rows: Sequence[Row], index: int, stt: str,
                    values: dict[str, str]) -> bool:
        """A heading inside a section: no lead, no deadline, and numbered like a parent or
        emphasised."""
        content = values["content"]
        if not clean(content) or not self._empty(values, "lead", "deadline", "product"):
            return False
        number = stt.rstrip(".)")
        if number:
            if not _GROUP_NUMBER.match(number):
                return False
            if not (not number[:1].isdigit() or is_emphasis(content)
                    or _next_extends(rows, index, number, self)):
                return False
        elif not is_emphasis(content):
            return False
        numeral = self.sections[-1].numeral if self.sections else None
        label = None
        if number:
            label = number if not number[:1].isdigit() or not numeral else f"{numeral}.{number}"
        line = rows[index].line
        if not self.sections:
            self.sections.append(RawSection(None, None, line, part=self.part))
        self.groups.append(RawGroup(label, number or None, clean(content), line))
        self.group, self.lettered, self.last_was_section = len(self.groups) - 1, None, False
        return True

    def _start_task(self, row: Row, stt: str, values: dict[str, str]) -> None:
        number = stt.rstrip(".)")
        if not self.sections:
            self.sections.append(RawSection(None, None, row.line, part=self.part))
        if _restarts(number, self._last_number()):
            current = self.sections[-1]
            after = current.numeral if current.after is None else current.after
            self.sections.append(RawSection(None, None, row.line, after=after or "",
                                            part=self.part))
            self.group = None
        if not _NUMBER.match(number.lower()):
            self.notes.append((row.line, f"số thứ tự bất thường «{_short(number)}»; giữ nguyên"))
        task = RawTask(len(self.sections) - 1, number, row.line,
                       {name: clean(v) for name, v in values.items()}, group=self.group,
                       extra=self._extra(row), inherited=list(self.spanned))
        self.tasks.append(task)
        self.lettered, self.last_was_section = task, False

    def _extra(self, row: Row) -> dict[str, str]:
        return {label: clean(row.cells[i]) for i, label in self.header.extra.items()
                if i < len(row.cells) and clean(row.cells[i])}

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
        if self._sub_task(row, values):
            return
        task = self.tasks[-1]
        for name in filled:
            task.fields[name] = _join(task.fields[name], clean(values[name]))
        for label, value in self._extra(row).items():
            task.extra[label] = _join(task.extra.get(label, ""), value)
        task.continued.append((row.line, filled))

    def _sub_task(self, row: Row, values: dict[str, str]) -> bool:
        """An unnumbered row with its own content and lead, its number cell spanned above."""
        content, lead = clean(values["content"]), clean(values["lead"])
        above = self.lettered
        if above is None or not content or not lead or content[:1].islower():
            return False
        if not above.number[-1:].isalpha():
            above.number += "a"
        letter = chr(ord(above.number[-1]) + 1)
        task = RawTask(above.section, above.number[:-1] + letter, row.line,
                       {name: clean(v) for name, v in values.items()}, group=above.group,
                       extra=self._extra(row), inherited=list(self.spanned))
        for name in ("product", "coordinating", "deadline", "note"):
            if not task.fields[name] and above.fields[name]:
                task.fields[name] = above.fields[name]
                task.inherited.append(name)
        self.tasks.append(task)
        self.lettered = task
        self.notes.append((row.line, (
            f"dòng không có số thứ tự nhưng có nội dung và cơ quan chủ trì riêng: coi là nhiệm "
            f"vụ {task.number} (không phải phần nối tiếp của nhiệm vụ {above.number})")))
        return True

    def _last_number(self) -> str | None:
        last = self.tasks[-1] if self.tasks else None
        if last and last.section == len(self.sections) - 1 and last.group == self.group:
            return last.number
        return None


def _next_extends(rows: Sequence[Row], index: int, number: str, walker: _Walker) -> bool:
    """True when the next numbered row below is `number.<n>` (a group of decimal tasks)."""
    for row in rows[index + 1:index + 4]:
        stt = clean(walker.cell(row, "stt"))
        if stt:
            return stt.rstrip(".)").startswith(number + ".")
    return False


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
