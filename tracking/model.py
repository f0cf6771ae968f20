"""The value objects of tracking: open assignments, recipients, reminders and their stages.

Pure: storage builds them from rows, the policy decides with them, the dispatcher sends
what they say. No module here imports storage, chat, the scheduler or reports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum

from tracking.occurrences import Recurrence


class Stage(StrEnum):
    BEFORE = "before"
    DUE = "due"
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    CHECKIN = "checkin"
    DIGEST = "digest"


@dataclass(frozen=True)
class OpenAssignment:
    """An assignment still to be done (done, withdrawn and not-applicable ones never get here)."""

    id: int
    agency_id: int
    role: str
    due: dt.date | None
    snoozed_until: dt.date | None = None  # no focal reminder before; one on that day
    ongoing: bool = False  # "Thường xuyên", "Từ 01/7/2026": a periodic check-in, no due date
    recurrence: Recurrence | None = None  # a recurring duty; `due` is its current occurrence

    def on(self, day: dt.date, window: int) -> OpenAssignment:
        """As it stands on `day` if nobody answers: a recurring duty's occurrence moves on
        (tracking.occurrences); anything else is unchanged."""
        if self.recurrence is None or self.due is None:
            return self
        return replace(self, due=self.recurrence.current_on(self.due, day, window))


@dataclass(frozen=True)
class Recipient:
    contact_id: int
    agency_id: int | None
    coordinator: bool = False


@dataclass(frozen=True)
class Reminder:
    """One reminder item; several items for one recipient and day go out as one message."""

    stage: Stage
    natural: dt.date  # the day the rule names; `send_on` differs only when catching up
    send_on: dt.date
    assignment_id: int | None
    agency_id: int | None
    recipient: int | None  # None: the agency has no reachable contact (undeliverable)
    due: dt.date | None
    late: bool = False
    cycle: bool = False  # about an occurrence of a recurring duty: escalated once per due date
    count: int = 0  # a grouped check-in: how many assignments it stands for

    @property
    def days_left(self) -> int | None:
        return (self.due - self.send_on).days if self.due else None

    @property
    def key(self) -> str:
        """Idempotency key: the same reminder is never created twice."""
        who = "none" if self.recipient is None else str(self.recipient)
        if self.stage is Stage.DIGEST:
            return f"digest:{who}:{self.natural.isoformat()}"
        if self.stage is Stage.ESCALATION:
            occurrence = f":{self.due.isoformat()}" if self.cycle and self.due else ""
            return f"{self.assignment_id}:{who}:escalation{occurrence}"
        if self.assignment_id is None:  # a grouped check-in: one per agency and recipient
            return f"group:{self.agency_id}:{who}:{self.stage.value}:{self.natural.isoformat()}"
        return f"{self.assignment_id}:{who}:{self.stage.value}:{self.natural.isoformat()}"


@dataclass(frozen=True)
class TaskProgress:
    """A task as people read it, however many agencies lead it: "37/139 cơ quan đã hoàn
    thành, 102 quá hạn" (counted by the tracking categories on one day)."""

    led: int  # live lead assignments (not-applicable ones left out)
    done: int  # done on time or late
    overdue: int
