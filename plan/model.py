"""Frozen value objects produced by the plan parser."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class DeadlineKind(StrEnum):
    """How a deadline phrase was understood; `none` means no fixed date by design."""

    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"
    DATE = "date"
    RANGE = "range"  # "2026-2030", "Quý IV/2026 - Quý II/2027": due at the end, start kept
    START = "start"  # "Từ 01/7/2026": ongoing from then, never a due date
    RECURRING = "recurring"
    EVENT = "event"  # "Khi có phát sinh", "Sau khi có hướng dẫn của Trung ương"
    NONE = "none"
    UNRECOGNISED = "unrecognised"


@dataclass(frozen=True)
class Deadline:
    """A parsed deadline.

    `period` names the recurrence (monthly, quarterly, half_yearly, twice_yearly, yearly,
    continuous); `days` pins it: (month, day) pairs — for yearly duties the calendar month,
    for monthly/quarterly duties the month *within the period* (0 = same month, 3 = the
    quarter's last month, 4 = the month after the quarter). `start` is when the work begins.
    """

    text: str
    kind: DeadlineKind
    due: dt.date | None = None
    period: str | None = None
    start: dt.date | None = None
    days: tuple[tuple[int, int], ...] = ()
    # what follows the completion in a compound phrase ("… và rà soát hằng năm"): a period
    # name (yearly, continuous…) or "as_needed"; the due date is the completion's
    follow_up: str | None = None


@dataclass(frozen=True)
class ParseWarning:
    """Something a coordinator should look at, pinned to a 1-based source line."""

    line: int
    message: str


@dataclass(frozen=True)
class PlanMeta:
    """Identity of a plan as printed on its first page."""

    code: str | None
    issued_on: dt.date | None
    title: str | None
    issuer: str | None = None

    @property
    def year(self) -> int | None:
        """The year the plan is *for*: the one its title names ("… năm 2026", issued in
        December 2025); a title's period starts it ("giai đoạn 2026 - 2030"); a horizon ("định
        hướng đến năm 2035", "tầm nhìn 2045") is never it; else the issue year."""
        from plan.text import plan_year_in

        found = plan_year_in(self.title or "")
        if found:
            return found
        return self.issued_on.year if self.issued_on else None


@dataclass(frozen=True)
class AgencyRef:
    """One agency of a cell: canonical name, the group it came from, if any.

    `kind` is `agency` (in the directory), `external` (a body outside the province: a
    ministry, a central agency, an enterprise — listed, reminded only once someone links a
    contact to it) or `unresolved` (a name nobody knows yet: kept whole and warned)."""

    name: str
    via_group: str | None = None
    resolved: bool = True
    kind: str = "agency"


@dataclass(frozen=True)
class TaskDraft:
    """One appendix row after continuation rows were merged into it."""

    ref: str
    section: str
    section_title: str | None
    number: str
    content: str
    product: str
    lead_text: str
    coordinating_text: str
    deadline: Deadline
    note: str
    line: int
    lead: tuple[AgencyRef, ...] = ()
    coordinating: tuple[AgencyRef, ...] = ()
    part: str | None = None  # "A", "B" when the appendix is split into parts
    subsection: str | None = None  # "III.1 Cải cách …": the sub-group the task sits under
    extra: tuple[tuple[str, str], ...] = ()  # columns the appendix has beyond ours
    open_groups: tuple[str, ...] = ()  # "các đơn vị liên quan": shown, never reminded


@dataclass(frozen=True)
class PlanDraft:
    """Everything read from one plan document, in document order."""

    meta: PlanMeta
    tasks: tuple[TaskDraft, ...]
    warnings: tuple[ParseWarning, ...] = field(default=())
    layout: str = "table"
    duties: tuple[TaskDraft, ...] = ()  # body-text duties, suggested; imported on request
