"""Plans with no table: numbered task blocks with labels, turned into table rows.

    2.3. Rà soát quy trình nội bộ giải quyết thủ tục hành chính
    - **Cơ quan thực hiện:**
      - Đơn vị chủ trì: Văn phòng UBND tỉnh.
      - Đơn vị phối hợp: các sở, ban, ngành.
    - *Thời hạn hoàn thành:* Quý III/2026.

A heading (`1.`, `1.1.`, `2.3.1`, `a)`, `-`) that has a lead label under it is a task; a
heading with no labels under it is a section (Roman numeral) or a group. Labels are known by
the same column names as table headers (`column_of`), so any province's wording works;
values may wrap over lines and end with a full stop. The rows produced carry the source
line of each heading, and the table logic then runs unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from plan.header import column_of
from plan.rows import Row
from plan.text import clean, fold, roman_value

HEADER = ("STT", "Nội dung", "Sản phẩm", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn",
          "Ghi chú")
_ORDER = ("content", "product", "lead", "coordinating", "deadline", "note")
_HEADING = re.compile(r"^(?:#+\s*)?(?:\*\*|__)?\s*((?:[IVXLC]+|\d{1,3}(?:\.\d{1,3}){0,3}|[a-zđ])"
                      r"[.)])\s*(.*)$")
_LABEL = re.compile(r"^[-–•+*]?\s*(?:\*\*|\*|__|_)?([^:*_]{3,60}?)(?:\*\*|\*|__|_)?\s*:"
                    r"\s*(?:\*\*|\*|__|_)?\s*(.*)$")
_BULLET = re.compile(r"^[-–•]\s+(.*)$")
_SUB_ITEM = re.compile(r"^\+\s*(.*)$")  # "+ …" details a task; never a task of its own
_WRAPPED_LABEL = re.compile(r"^([a-zà-ỹđ][^:]{0,40}):\s*(.*)$")
# "1.2. Sở Tài chính – cơ quan thường trực …": a heading that names the lead of the items
_AGENCY_HEADING = re.compile(r"^((?:Sở|UBND|Ủy ban|Uỷ ban|Văn phòng|Ban|Công an|Thanh tra|"
                             r"Trung tâm|Bộ|Kho bạc|Bảo hiểm)\b[^–:(]{2,80}?)\s*(?:[–:(]|-\s|$)")


@dataclass
class _Block:
    line: int
    number: str
    title: str
    labels: dict[str, str] = field(default_factory=dict)
    current: str | None = None
    paragraphs: list[tuple[int, str]] = field(default_factory=list)  # body text under it


def prose_rows(rows: Sequence[Row]) -> list[Row] | None:
    """Table rows for the task blocks, or None when the text has no labelled tasks."""
    lines = _join_wrapped_labels(
        [(row.line, " ".join(c for c in row.cells if c.strip()).strip()) for row in rows])
    blocks = _heading_leads(_fold_bullets(_blocks(lines)))
    if not any("lead" in block.labels for block in blocks):
        return None
    first = next(i for i, b in enumerate(blocks) if "lead" in b.labels)
    start = next((i for i in range(first, -1, -1) if _is_roman(blocks[i].number)), first)
    cut = blocks[start].line
    out = [Row(line, (text,)) for line, text in lines if text and line < cut]
    out.append(Row(cut, HEADER))
    counter = 0
    for block in blocks[start:]:
        if block.number == "-":
            counter += 1
            block.number = str(counter)
        elif not block.labels:
            counter = 0
        out.append(_row(block))
        out += [Row(line, (text,)) for line, text in block.paragraphs]  # duties are read here
    return out


def _join_wrapped_labels(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """"… một số cơ quan. Thời" / "gian hoàn thành: Quý I/2026": the label's first word
    wrapped onto the line above — moved down to its label."""
    out = list(lines)
    for index in range(len(out) - 1):
        (line, text), (after_line, after) = out[index], out[index + 1]
        wrapped = _WRAPPED_LABEL.match(after.strip())
        words = text.split()
        if not wrapped or len(words) < 2:
            continue
        label = f"{words[-1]} {wrapped.group(1)}"
        if column_of(label) in {None, "stt", "start"}:
            continue
        out[index] = (line, " ".join(words[:-1]))
        out[index + 1] = (after_line, f"{label}: {wrapped.group(2)}")
    return out


def _heading_leads(blocks: list[_Block]) -> list[_Block]:
    """Items with labels but no lead under a heading that names an agency take it as lead."""
    lead: str | None = None
    for block in blocks:
        if block.number != "-":
            heading = _AGENCY_HEADING.match(block.title) if not block.labels else None
            lead = heading.group(1).strip() if heading else None
        elif lead and block.labels and "lead" not in block.labels:
            block.labels["lead"] = lead
    return blocks


def _blocks(lines: Sequence[tuple[int, str]]) -> list[_Block]:
    blocks: list[_Block] = []
    for line, raw in lines:
        text = raw.strip()
        if not text:
            continue
        sub_item = _SUB_ITEM.match(text)
        if sub_item and blocks:  # "+ Rà soát …": part of the task above
            block = blocks[-1]
            if block.current:
                block.labels[block.current] = _join(block.labels[block.current], text)
            else:
                block.title = _join(block.title, text)
            continue
        label = _label(text)
        heading = _HEADING.match(text) if label is None else None
        bullet = _BULLET.match(text) if label is None and heading is None else None
        if heading or bullet:
            number = heading.group(1)[:-1] if heading else "-"
            title = clean(heading.group(2) if heading else bullet.group(1) if bullet else "")
            blocks.append(_Block(line, number, title.strip("*_ ")))
        elif label is not None and blocks:
            block = blocks[-1]
            block.current = label[0]
            block.labels[label[0]] = _join(block.labels.get(label[0], ""), label[1])
        elif blocks and blocks[-1].current:
            block = blocks[-1]
            current = block.current or ""
            block.labels[current] = _join(block.labels[current], clean(text))
        elif blocks and not blocks[-1].labels:
            if text[:1].isupper() and len(text) > 40 and blocks[-1].number != "-":
                blocks[-1].paragraphs.append((line, clean(text)))  # body text, not the title
            else:
                blocks[-1].title = _join(blocks[-1].title, clean(text).strip("*_ "))
    return blocks


def _fold_bullets(blocks: list[_Block]) -> list[_Block]:
    """A `-` line with no labels under it is part of the text above, not a heading."""
    out: list[_Block] = []
    for block in blocks:
        if block.number == "-" and not block.labels and out:
            above = out[-1]
            if above.current:
                above.labels[above.current] = _join(above.labels[above.current],
                                                    f"- {block.title}")
            else:
                above.title = _join(above.title, f"- {block.title}")
            continue
        out.append(block)
    return out


def _label(text: str) -> tuple[str, str] | None:
    """`Cơ quan chủ trì: Sở Tư pháp.` → ("lead", "Sở Tư pháp"); None for other lines."""
    bullet = _BULLET.match(text)
    body = bullet.group(1) if bullet else text
    match = _LABEL.match(body)
    if not match:
        return None
    name = column_of(match.group(1))
    if name is None and fold(match.group(1)).startswith(("nhiem vu", "noi dung")):
        name = "content"
    if name in {None, "stt", "start"}:
        return None
    return ("lead" if name == "performer" else name or "", clean(match.group(2)).strip("*_ "))


def _row(block: _Block) -> Row:
    labels = {name: value.rstrip(" .;") for name, value in block.labels.items()}
    number = block.number
    if not labels:
        if _is_roman(number):
            return Row(block.line, (number, block.title, "", "", "", "", ""))
        return Row(block.line, (number, f"<b>{block.title}</b>", "", "", "", "", ""))
    content = _join(block.title.rstrip(" .:"), labels.get("content", "")) if block.title \
        else labels.get("content", "")
    values = {**labels, "content": content}
    return Row(block.line, (number, *(values.get(name, "") for name in _ORDER)))


def _is_roman(number: str) -> bool:
    return roman_value(number) is not None


def _join(before: str, after: str) -> str:
    return f"{before} {after}".strip() if before else after
