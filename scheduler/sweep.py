"""The daily sweep: gather (storage) → decide (policy, pure) → apply (storage), one transaction.

A sweep covers every day since the last recorded run (bounded), so a process that was down
catches up once: old stages collapse into one reminder per assignment that says it is late.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from scheduler.policy import (
    DaySchedule,
    Reminder,
    ReminderPolicy,
    catch_up,
    grouped_checkins,
    reminders_for,
)
from storage import lifecycle
from storage import reminders as store
from storage.uow import Database, UnitOfWork
from tracking.calendar import ONE_DAY, WorkCalendar

log = logging.getLogger("nhacviec.sweep")


@dataclass(frozen=True)
class PreviewRow:
    """One line of `nhacviec remind --json`."""

    date: dt.date
    task: str | None
    agency: str | None
    recipient: str | None
    stage: str
    days_left: int | None
    due_date: dt.date | None
    late: bool


@dataclass(frozen=True)
class SweepResult:
    day: dt.date
    since: dt.date
    ran: bool
    reminders: int = 0
    messages: int = 0


def days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += ONE_DAY


class Sweeper:
    def __init__(self, db: Database, calendar: WorkCalendar, policy: ReminderPolicy,
                 owner: str, catchup_max_days: int = 31,
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self.db, self.calendar, self.policy, self.owner = db, calendar, policy, owner
        self.catchup_max_days, self.now = catchup_max_days, now

    @property
    def roles(self) -> tuple[str, ...]:
        return ("lead", "coordinating") if self.policy.copy_coordinating else ("lead",)

    async def decide(self, uow: UnitOfWork, first: dt.date, today: dt.date
                     ) -> tuple[list[Reminder], dict[int, store.AssignmentInfo], dict[int, str]]:
        schedules = [DaySchedule.build(day, self.calendar, self.policy)
                     for day in days(first, today)]
        due_dates = frozenset().union(*(s.due_dates for s in schedules))
        checkins = [s.checkin_after for s in schedules if s.checkin_after]
        items, info, grouped = await store.open_assignments(
            uow.session, due_dates, min(checkins) if checkins else None, self.roles,
            (first, today))
        window = max(self.policy.days_before, default=0)
        per_day = []
        for s in schedules:  # who is away depends on the day
            focal, coordinators, names = await store.recipients(uow.session, s.day)
            per_day.append(reminders_for(s, [item.on(s.day, window) for item in items], focal,
                                         coordinators, self.policy)
                           + grouped_checkins(s, grouped, focal))
        decided = per_day[0] if len(per_day) == 1 else catch_up(per_day, today)
        return decided, info, names

    async def run(self, today: dt.date) -> SweepResult:
        """Sweep `today` (and missed days) once, whatever other processes do."""
        async with self.db.uow() as uow:
            last = await store.last_swept(uow.session)
            if last is not None and last >= today:
                return SweepResult(today, today, ran=False)
            since = today if last is None else max(last + ONE_DAY,
                                                   today - dt.timedelta(days=self.catchup_max_days))
            if not await store.claim_sweep(uow.session, today, since, self.owner, self.now()):
                return SweepResult(today, since, ran=False)
            await self.advance(uow, today)
            decided, _, _ = await self.decide(uow, since, today)
            counts = await store.store_reminders(uow.session, decided, today, self.now())
            await store.finish_sweep(uow.session, today, counts, self.now())
            await uow.commit()
        late = sum(r.late for r in decided)
        log.info("sweep %s (from %s): %d reminders, %d messages, %d late", today, since,
                 counts[0], counts[1], late)
        return SweepResult(today, since, True, *counts)

    async def advance(self, uow: UnitOfWork, today: dt.date) -> None:
        """The day's own changes before its reminders: pauses that end are lifted, recurring
        duties get their first occurrence, and occurrences nobody closed in time make way
        for the next (tracking.occurrences)."""
        now = self.now()
        resumed = await lifecycle.resume_ended(uow.session, today, now)
        opened = await lifecycle.open_occurrences(uow.session, today)
        missed = await lifecycle.close_missed(uow.session, today,
                                              max(self.policy.days_before, default=0), now)
        if resumed or opened or missed:
            log.info("sweep %s: %d pause(s) ended, %d plan(s) opened occurrences, %d "
                     "occurrence(s) closed as missed", today, resumed, opened, missed)

    async def owed(self, uow: UnitOfWork, day: dt.date) -> list[tuple[int, str]]:
        """(assignment, stage) of the focal reminders a day owes — shown to a new contact.
        Runs in the caller's unit of work (a second one would wait on SQLite's writer)."""
        decided, _, _ = await self.decide(uow, day, day)
        return [(r.assignment_id, r.stage.value) for r in decided if r.assignment_id
                and r.stage.value in {"before", "due", "overdue", "checkin"}]

    async def preview(self, start: dt.date, end: dt.date) -> list[PreviewRow]:
        """Every reminder from `start` to `end`, assuming nobody answers; writes nothing."""
        rows: list[PreviewRow] = []
        seen: set[str] = set()
        async with self.db.uow() as uow:
            for day in days(start, end):
                decided, info, names = await self.decide(uow, day, day)
                for item in sorted(decided, key=lambda r: (r.stage, r.assignment_id or 0)):
                    if item.key in seen:
                        continue
                    seen.add(item.key)
                    rows.append(_preview_row(item, info, names))
        return rows


def _preview_row(item: Reminder, info: dict[int, store.AssignmentInfo],
                 names: dict[int, str]) -> PreviewRow:
    about = info.get(item.assignment_id) if item.assignment_id else None
    who = None if item.recipient is None else (names.get(item.recipient) or str(item.recipient))
    return PreviewRow(item.send_on, about.ref if about else None, about.agency if about else None,
                      who, item.stage.value, item.days_left, item.due, item.late)
