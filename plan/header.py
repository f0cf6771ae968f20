"""Which row is the appendix header, and which column holds what.

Any province's wording, with or without diacritics: `Cơ quan chủ trì` / `Đơn vị chủ trì` /
`Chủ trì`, or `Đơn vị thực hiện` when there is no separate chủ trì column; two stacked header
rows (`Cơ quan thực hiện` spanning `Chủ trì | Phối hợp`) are read as one. Columns we do not
know (`Nguồn kinh phí`…) are kept as extras, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from plan.rows import Row
from plan.text import clean, fold

FIELDS = ("content", "product", "lead", "coordinating", "deadline", "note")
FIELD_LABELS = {"content": "Nội dung", "product": "Sản phẩm", "lead": "Cơ quan chủ trì",
                "coordinating": "Cơ quan phối hợp", "deadline": "Thời hạn", "note": "Ghi chú"}
REQUIRED = ("content", "lead", "deadline")
_LABEL_MAX = 60  # header labels are short; long cells are content
_SUB_LABELS = frozenset({"chu tri", "phoi hop", "bat dau", "ket thuc", "hoan thanh"})
_COLUMN_NUMBERS = re.compile(r"^\(?\d{1,2}\)?$")


def column_of(label: str) -> str | None:
    """Which field a header cell names; `performer` is `Đơn vị thực hiện`, `start` a start
    date column, None an unknown column."""
    text = fold(clean(label)).strip(" .:*")
    rules = (
        ("stt", text in {"stt", "tt", "so tt", "so thu tu", "s tt"}),
        ("lead", "chu tri" in text),
        ("coordinating", "phoi hop" in text),
        ("start", "bat dau" in text),
        ("deadline", any(w in text for w in ("thoi gian", "thoi han", "tien do", "han hoan",
                                             "moc hoan", "thoi diem"))),
        ("performer", "thuc hien" in text and any(w in text for w in ("don vi", "co quan"))),
        ("note", "ghi chu" in text),
        ("product", any(w in text for w in ("san pham", "hinh thuc", "ket qua"))),
        ("content", "noi dung" in text or text.startswith(("nhiem vu", "ten nhiem vu",
                                                           "cong viec", "ten cong viec"))),
    )
    return next((name for name, hit in rules if hit), None)


@dataclass(frozen=True)
class Header:
    """Where each field sits; `extra` maps other columns to their labels."""

    columns: dict[str, int]
    labels: tuple[str, ...]
    rows: int = 1  # 2 when a sub-header row was combined into it
    extra: dict[int, str] = field(default_factory=dict)

    @property
    def width(self) -> int:
        return len(self.labels)


def _labels(row: Row) -> list[str]:
    return [clean(cell) if len(cell) <= _LABEL_MAX else "" for cell in row.cells]


def _map(labels: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, label in enumerate(labels):
        name = column_of(label) if label else None
        if name and name not in found:
            found[name] = index
    if "lead" not in found and "performer" in found:
        found["lead"] = found.pop("performer")
    found.pop("start", None)  # kept as an extra column; parse reads the start from it
    found.pop("performer", None)
    return found


def _sub_header(row: Row) -> bool:
    """A second header row: short labels such as `Chủ trì | Phối hợp`, no task number."""
    labels = [fold(clean(c)) for c in row.cells if clean(c)]
    return bool(labels) and all(len(x) <= _LABEL_MAX and (x in _SUB_LABELS or column_of(x))
                                for x in labels) and not labels[0][:1].isdigit()


def _stack(top: Sequence[str], bottom: Sequence[str]) -> list[str]:
    """Combine two header rows; an empty top cell over a label belongs to the span on its left."""
    out: list[str] = []
    span = ""
    for index in range(max(len(top), len(bottom))):
        upper = top[index] if index < len(top) else ""
        lower = bottom[index] if index < len(bottom) else ""
        span = upper or (span if lower else "")
        out.append(f"{span} {lower}".strip())
    return out


def header_at(rows: Sequence[Row], index: int) -> Header | None:
    """The header starting at rows[index], combined with a sub-header row below it."""
    row = rows[index]
    first = clean(row.cells[0]) if row.cells else ""
    if first[:1].isdigit() or len(row.cells) < 3:
        return None  # a numbered task row or a paragraph: checked cheaply, it is most rows
    labels = _labels(row)
    depth = 1
    if len(_map(labels)) < 2:
        return None  # a header names at least two of our columns on its own
    if index + 1 < len(rows) and _sub_header(rows[index + 1]):
        labels, depth = _stack(labels, _labels(rows[index + 1])), 2
    columns = _map(labels)
    if not set(REQUIRED) <= columns.keys():
        return None
    known = set(columns.values())
    extra = {i: label for i, label in enumerate(labels) if label and i not in known}
    return Header(columns, tuple(labels), depth, extra)


def find_header(rows: Sequence[Row]) -> int | None:
    """Index of the first header row in `rows`."""
    return next((i for i in range(len(rows)) if header_at(rows, i)), None)


def other_table_header(row: Row) -> bool:
    """The header of a table that holds no tasks (`Chỉ tiêu`, with no deadline column)."""
    labels = [fold(label) for label in _labels(row) if label]
    if len(labels) < 2 or labels[0][:1].isdigit():
        return False
    named = {column_of(label) for label in labels}
    return any(label.startswith("chi tieu") for label in labels) and "deadline" not in named


def column_numbers(row: Row) -> bool:
    """The `(1) (2) (3)…` row many appendices print under their header."""
    cells = [clean(c) for c in row.cells if clean(c)]
    return len(cells) >= 3 and all(_COLUMN_NUMBERS.match(c) for c in cells) and [
        int(c.strip("()")) for c in cells] == list(range(int(cells[0].strip("()")),
                                                         int(cells[0].strip("()")) + len(cells)))


def best_guess(rows: Sequence[Row]) -> tuple[list[str], list[str]] | None:
    """For a refusal: the most header-like row's labels and the fields it lacks."""
    best: tuple[int, list[str], list[str]] | None = None
    for index, row in enumerate(rows):
        if len(row.cells) < 2:
            continue
        labels = _labels(row)
        if index + 1 < len(rows) and _sub_header(rows[index + 1]):
            labels = _stack(labels, _labels(rows[index + 1]))
        columns = _map(labels)
        score = len(columns)
        if score >= 2 and (best is None or score > best[0]):
            missing = [name for name in REQUIRED if name not in columns]
            best = (score, [label for label in labels if label], missing)
    return (best[1], best[2]) if best else None


def cells_on_lines(rows: Sequence[Row]) -> bool:
    """Header labels one per line (`STT`, `Nội dung`, `Chủ trì`, `Thời hạn`): a table copied
    out of Word or a PDF viewer, its cells broken into lines with no separators left."""
    window: list[str] = []
    for row in rows:
        texts = [clean(c) for c in row.cells if clean(c)]
        label = column_of(texts[0]) if len(texts) == 1 and len(texts[0]) <= _LABEL_MAX else None
        window = [*window[-7:], label or ""]
        if {"content", "lead", "deadline"} <= set(window):
            return True
    return False
