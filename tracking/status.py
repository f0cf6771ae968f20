"""What an assignment's state means on a day: its deadline, whether it passed, its category.

The one place that decides "late", "due soon" and "done on time". The policy, the tallies,
every report and the chat ask these functions (the reports' SQL is built from `Day`'s two
boundaries and `deadline_shifts`, and tested against `category` on the same data). Pure.

A deadline falling on a day off runs to the next working day (art. 148, Civil Code 2015):
Saturday 30/09 → Monday 02/10. So a deadline has passed on a day when it is on or before
the last working day before that day, and a completion is on time when it is on or before
the legal deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from tracking.calendar import WorkCalendar

NOT_STARTED = "chua_thuc_hien"
IN_PROGRESS = "dang_thuc_hien"
BLOCKED = "vuong_mac"
EXTENSION = "xin_gia_han"
AWAITING = "cho_xac_nhan"  # the focal point said done; the assigning office has to confirm
DONE = "hoan_thanh"
REFUSED = "tu_choi"  # "not our remit": waits for the coordinators to reassign or keep it
PAUSED = "tam_dung"
NOT_APPLICABLE = "khong_ap_dung"

STATUSES = (NOT_STARTED, IN_PROGRESS, BLOCKED, EXTENSION, AWAITING, DONE, REFUSED, PAUSED,
            NOT_APPLICABLE)
# The agency's move is over for now: no focal reminders while in one of these.
QUIET = frozenset({AWAITING, DONE, REFUSED, PAUSED, NOT_APPLICABLE})
# A "done" answer in the history: awaiting confirmation counts from the day it was said.
DONE_LIKE = frozenset({AWAITING, DONE})
DUE_SOON_WORKING_DAYS = 3


class Category(StrEnum):
    """Where a report puts an assignment on a day. Each counted assignment is in one."""

    ON_TRACK = "trong_han"
    DUE_SOON = "sap_den_han"
    OVERDUE = "qua_han"
    NO_DATE = "khong_co_han"
    PAUSED = "tam_dung"
    AWAITING = "cho_xac_nhan"
    DONE_ON_TIME = "hoan_thanh_dung_han"
    DONE_LATE = "hoan_thanh_qua_han"


CATEGORIES = tuple(Category)
DONE_CATEGORIES = (Category.DONE_ON_TIME, Category.DONE_LATE)


def deadline(due: dt.date, calendar: WorkCalendar) -> dt.date:
    """The legal deadline of a due date: itself, or the next working day."""
    return calendar.on_or_after(due)


def effective_due(plan_due: dt.date | None, cycle_due: dt.date | None = None,
                  extended_to: dt.date | None = None) -> dt.date | None:
    """An approved extension beats the current occurrence of a recurring duty, which beats
    the plan's date (storage writes the same order as COALESCE)."""
    return extended_to or cycle_due or plan_due


def done_late(done_on: dt.date | None, due: dt.date | None, calendar: WorkCalendar) -> bool:
    """Done after the legal deadline. No due date or no completion date: never late."""
    return due is not None and done_on is not None and done_on > deadline(due, calendar)


def deadline_shifts(dues: Iterable[dt.date | None], calendar: WorkCalendar
                    ) -> dict[dt.date, dt.date]:
    """Due dates whose legal deadline is a later day, with that day: what SQL needs to
    compare a completion date against the legal deadline (`CASE due WHEN … THEN …`)."""
    out = {}
    for due in set(dues):
        if due is not None and deadline(due, calendar) != due:
            out[due] = deadline(due, calendar)
    return out


@dataclass(frozen=True)
class Day:
    """A day as the categories see it: deadlines on or before `last_passed` have passed;
    those up to `soon_until` are due soon (`soon_days` working days, today counted as 0)."""

    day: dt.date
    last_passed: dt.date
    soon_until: dt.date
    calendar: WorkCalendar

    @classmethod
    def of(cls, day: dt.date, calendar: WorkCalendar,
           soon_days: int = DUE_SOON_WORKING_DAYS) -> Day:
        last = calendar.on_or_before(day - dt.timedelta(days=1))
        return cls(day, last, calendar.add_working_days(day, soon_days), calendar)

    def passed(self, due: dt.date | None) -> bool:
        return due is not None and due <= self.last_passed


def paused_on(status: str, until: dt.date | None, day: dt.date) -> bool:
    """A pause holds until its date (exclusive), or until lifted when it has none."""
    return status == PAUSED and (until is None or day < until)


def category(status: str, due: dt.date | None, done_on: dt.date | None, day: Day,
             until: dt.date | None = None) -> Category | None:
    """The category of an assignment on `day`; None when it is not counted (not applicable).

    `until` is the end of a pause (status PAUSED)."""
    if status == NOT_APPLICABLE:
        return None
    if status == DONE:
        return Category.DONE_LATE if done_late(done_on, due, day.calendar) \
            else Category.DONE_ON_TIME
    if status == AWAITING:
        return Category.AWAITING
    if paused_on(status, until, day.day):
        return Category.PAUSED
    if due is None:
        return Category.NO_DATE
    if due <= day.last_passed:
        return Category.OVERDUE
    if due <= day.soon_until:
        return Category.DUE_SOON
    return Category.ON_TRACK


def owes_reminder(status: str, until: dt.date | None, day: dt.date) -> bool:
    """Whether the agency is still expected to act, so its focal point is reminded."""
    if status == PAUSED:
        return not paused_on(status, until, day)
    return status not in QUIET
