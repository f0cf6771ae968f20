"""What the table pass collects before refs, deadlines and agencies are worked out."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RawSection:
    """A section heading, or a provisional one opened by a restarting row number."""

    numeral: str | None
    title: str | None
    line: int
    after: str | None = None  # for provisional sections: the numeral they followed
    part: str | None = None


@dataclass
class RawGroup:
    """A sub-group heading inside a section (`III.1 …`, `1. …`, a bold unnumbered row)."""

    label: str | None  # "III.1", or None for an unnumbered group
    local: str | None  # the number as printed ("1", "III.1")
    title: str
    line: int


@dataclass
class RawTask:
    """A task while rows are still being merged into it."""

    section: int
    number: str
    line: int
    fields: dict[str, str]
    continued: list[tuple[int, list[str]]] = field(default_factory=list)
    group: int | None = None
    extra: dict[str, str] = field(default_factory=dict)
    inherited: list[str] = field(default_factory=list)  # fields taken from the row above


@dataclass
class RawTable:
    """What the table pass found, before refs, deadlines and agencies are worked out."""

    sections: list[RawSection]
    tasks: list[RawTask]
    notes: list[tuple[int, str]]
    header_line: int
    groups: list[RawGroup] = field(default_factory=list)
