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
    RECURRING = "recurring"
    NONE = "none"
    UNRECOGNISED = "unrecognised"


@dataclass(frozen=True)
class Deadline:
    """A parsed deadline. `period` names the recurrence (monthly, quarterly, ...)."""

    text: str
    kind: DeadlineKind
    due: dt.date | None = None
    period: str | None = None


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
        """The year the plan is *for*: the one named in its title, else its issue year."""
        from plan.text import year_in

        found = year_in(self.title or "")
        if found:
            return found
        return self.issued_on.year if self.issued_on else None


@dataclass(frozen=True)
class AgencyRef:
    """One resolved agency of a cell: canonical name, the group it came from, if any."""

    name: str
    via_group: str | None = None
    resolved: bool = True


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


@dataclass(frozen=True)
class PlanDraft:
    """Everything read from one plan document, in document order."""

    meta: PlanMeta
    tasks: tuple[TaskDraft, ...]
    warnings: tuple[ParseWarning, ...] = field(default=())
