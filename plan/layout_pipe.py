r"""Markdown / GitHub pipe tables: `| TT | Nội dung | … |`, separator rows `|---|:--:|`.

Escaped `\|` stays inside a cell, `<br>` becomes a space, bold/italic markers are left for
the table logic (a bold row is a heading). Lines outside the tables become one-cell rows,
so the plan's number and title are read from them and stray text is warned about.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from plan.rows import Row

_SPLIT = re.compile(r"(?<!\\)\|")
_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def looks_like_pipes(lines: Sequence[str]) -> bool:
    """At least three lines that start with `|` and hold three cells or more."""
    rows = [line for line in lines if line.lstrip().startswith("|") and line.count("|") >= 4]
    return len(rows) >= 3


def pipe_rows(lines: Sequence[str]) -> list[Row]:
    """Each table line → its cells; separators dropped; other lines kept as one cell."""
    rows: list[Row] = []
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped.startswith("|"):
            rows.append(Row(number, (stripped,)))
            continue
        if _SEPARATOR.match(stripped):
            continue
        body = stripped[1:-1] if stripped.endswith("|") and not stripped.endswith("\\|") \
            else stripped[1:]
        cells = tuple(_BREAK.sub(" ", cell).replace("\\|", "|").strip()
                      for cell in _SPLIT.split(body))
        rows.append(Row(number, cells))
    return rows
