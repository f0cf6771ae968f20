"""The value objects of tracking: open assignments, recipients, reminders and their stages.

Pure: storage builds them from rows, the policy decides with them, the dispatcher sends
what they say. No module here imports storage, chat, the scheduler or reports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


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
            return f"{self.assignment_id}:{who}:escalation"
        return f"{self.assignment_id}:{who}:{self.stage.value}:{self.natural.isoformat()}"
