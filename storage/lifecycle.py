"""The task's life past a plain answer: confirmation and return, refusal and reassignment,
pause and resume, snooze, and the occurrences of recurring duties.

Every step is an answer row (status_reports, append-only) so the history and the workbook's
history sheet show it; the assignment's current columns and the report's counts follow
through `answers.record`. What a step may do is decided by tracking.status; this module
only writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import answers, tallies
from storage.answers import Target
from storage.models import Agency, Assignment, Plan, StatusReport, Task
from storage.uow import calendar_of
from tracking import status as rules
from tracking.occurrences import Recurrence
from words import history

SYSTEM = "system"


async def status_before(session: AsyncSession, assignment_id: int, skip: frozenset[str]
                        ) -> str:
    """The last status an assignment had outside `skip` (what a resume or a kept
    assignment returns to); not started when there is none."""
    found = (await session.execute(
        select(StatusReport.status).where(StatusReport.assignment_id == assignment_id,
                                          StatusReport.status.not_in(skip))
        .order_by(StatusReport.id.desc()).limit(1))).scalar_one_or_none()
    return found or rules.NOT_STARTED


async def complete(session: AsyncSession, item: Target, contact: int | None, channel: str,
                   now: dt.datetime, today: dt.date, evidence: str | None = None,
                   raw: str | None = None, confirmed_by_coordinator: bool = False,
                   file: dict[str, Any] | None = None) -> str:
    """A "done": awaiting confirmation when the plan asks for it and a focal point said it,
    else done — and a done occurrence of a recurring duty opens the next one. Returns the
    status recorded."""
    waits = item.confirm_done and not confirmed_by_coordinator and item.role == "lead"
    status = rules.AWAITING if waits else rules.DONE
    await answers.record(session, item, contact, channel, status, now, today, percent=100,
                         evidence=evidence, raw=raw, file=file)
    if status == rules.DONE:
        await _next_occurrence(session, item, now, today)
    return status


async def confirm(session: AsyncSession, item: Target, coordinator: int, now: dt.datetime,
                  today: dt.date) -> None:
    """The coordinators accept a reported completion: done, dated the day it was reported."""
    await answers.record(session, item, coordinator, SYSTEM, rules.DONE, now, today,
                         percent=100, note=history.CONFIRMED)
    await _next_occurrence(session, replace(item, status=rules.DONE), now, today)


async def send_back(session: AsyncSession, item: Target, coordinator: int, reason: str,
                    now: dt.datetime, today: dt.date) -> None:
    """Returned for rework: in progress again, with the reason in the history."""
    await answers.record(session, item, coordinator, SYSTEM, rules.IN_PROGRESS, now, today,
                         note=history.returned(reason))


async def refuse(session: AsyncSession, item: Target, contact: int, channel: str, reason: str,
                 now: dt.datetime, today: dt.date, raw: str | None = None) -> None:
    """"Not our remit": waits for the coordinators; no reminders meanwhile."""
    await answers.record(session, item, contact, channel, rules.REFUSED, now, today,
                         note=history.refused(reason), raw=raw)


async def keep(session: AsyncSession, item: Target, coordinator: int, now: dt.datetime,
               today: dt.date) -> str:
    """The coordinators keep the assignment where it is: back to its status before."""
    previous = await status_before(session, item.id, frozenset({rules.REFUSED}))
    await answers.record(session, item, coordinator, SYSTEM, previous, now, today,
                         note=history.KEPT)
    return previous


async def reassign(session: AsyncSession, item: Target, agency_id: int, agency: str,
                   coordinator: int, now: dt.datetime, today: dt.date) -> bool:
    """Hand the assignment to another agency, answers and history kept; False when that
    agency already has this task in the same role."""
    taken = (await session.execute(select(Assignment.id).where(
        Assignment.task_id == select(Assignment.task_id).where(Assignment.id == item.id)
        .scalar_subquery(), Assignment.agency_id == agency_id, Assignment.role == item.role)
    )).first()
    if taken is not None:
        return False
    previous = await status_before(session, item.id, frozenset({rules.REFUSED}))
    status = rules.NOT_STARTED if previous in rules.DONE_LIKE else previous
    await answers.record(session, item, coordinator, SYSTEM, status, now, today,
                         note=history.reassigned(item.agency, agency))
    moved = replace(item, status=status, answered=True,
                    done_on=None if status not in rules.DONE_LIKE else item.done_on)
    await session.execute(update(Assignment).where(Assignment.id == item.id).values(
        agency_id=agency_id,
        reassigned_from=func.coalesce(Assignment.reassigned_from, item.agency_id)))
    calendar = calendar_of(session)
    await tallies.move(session, moved.tally(calendar),
                       replace(moved, agency_id=agency_id).tally(calendar))
    return True


async def pause(session: AsyncSession, item: Target, coordinator: int, until: dt.date | None,
                reason: str, now: dt.datetime, today: dt.date) -> None:
    """Suspend until a date (exclusive) or until lifted: never overdue, no reminders."""
    await answers.record(session, item, coordinator, SYSTEM, rules.PAUSED, now, today,
                         note=history.paused(until, reason), until=until)


async def resume(session: AsyncSession, item: Target, contact: int | None, now: dt.datetime,
                 today: dt.date, note: str = history.RESUMED) -> str:
    previous = await status_before(session, item.id, frozenset({rules.PAUSED}))
    await answers.record(session, item, contact, SYSTEM, previous, now, today, note=note)
    return previous


async def resume_ended(session: AsyncSession, day: dt.date, now: dt.datetime) -> int:
    """Lift the pauses that end on or before `day` (the daily sweep calls this first)."""
    ids = (await session.execute(select(Assignment.id).where(
        Assignment.status == rules.PAUSED, Assignment.paused_until <= day))).scalars().all()
    for assignment_id in ids:
        item = await answers.target(session, assignment_id, lock=True)
        if item is not None and item.status == rules.PAUSED:
            await resume(session, item, None, now, day,
                         note=history.PAUSE_ENDED)
    return len(ids)


async def snooze(session: AsyncSession, item: Target, contact: int, channel: str,
                 until: dt.date, now: dt.datetime, today: dt.date) -> None:
    """The next focal reminder of this assignment comes on `until` (the caller keeps it on
    or before the due date)."""
    await session.execute(update(Assignment).where(Assignment.id == item.id)
                          .values(snoozed_until=until))
    await answers.record(session, item, contact, channel, item.status, now, today,
                         note=history.snoozed(until))


async def _next_occurrence(session: AsyncSession, item: Target, now: dt.datetime,
                           today: dt.date, missed: bool = False) -> dt.date | None:
    """Close the current occurrence of a recurring duty and open the next one."""
    if item.recurrence is None or item.cycle_due is None:
        return None
    following = item.recurrence.next_due(item.cycle_due)
    if following is None:
        return None
    fresh = await answers.target(session, item.id, lock=True)
    assert fresh is not None
    await session.execute(update(Assignment).where(Assignment.id == item.id).values(
        cycle_due=following, due_override=None, snoozed_until=None))
    await answers.record(session, replace(fresh, cycle_due=following), None, SYSTEM,
                         rules.NOT_STARTED, now, today, moved_to=following,
                         note=history.next_occurrence(item.cycle_due, following, missed))
    return following


async def open_occurrences(session: AsyncSession, today: dt.date,
                           plan_ids: list[int] | None = None) -> int:
    """Give every live assignment of a dated recurring duty its first occurrence."""
    # driven from the few recurring tasks, fetched first (tasks.deadline_kind is indexed):
    # "cycle_due IS NULL" would otherwise lead the planner through nearly every assignment
    recurring = select(Task.id).where(Task.deadline_kind == "recurring",
                                      Task.withdrawn_at.is_(None))
    if plan_ids is not None:
        recurring = recurring.where(Task.plan_id.in_(plan_ids))
    task_ids = list((await session.execute(recurring)).scalars())
    if not task_ids:
        return 0
    query = (select(Assignment.id, Task.deadline_period, Task.deadline_days,
                    Task.deadline_start, Task.plan_id)
             .join(Task).where(Assignment.task_id.in_(task_ids), Assignment.cycle_due.is_(None),
                               Assignment.removed_at.is_(None)))
    touched: set[int] = set()
    by_due: dict[dt.date, list[int]] = {}
    for assignment_id, period, days, start, plan_id in (await session.execute(query)).all():
        first = Recurrence(period or "", tuple(tuple(d) for d in days or ())).first_due(
            start, today)
        if first is not None:
            by_due.setdefault(first, []).append(assignment_id)
            touched.add(plan_id)
    for first, ids in by_due.items():  # one statement per due date, not per assignment
        for start_at in range(0, len(ids), 5000):
            await session.execute(update(Assignment).where(
                Assignment.id.in_(ids[start_at:start_at + 5000])).values(cycle_due=first))
    if touched:
        await tallies.rebuild(session, sorted(touched))
    return len(touched)


async def close_missed(session: AsyncSession, day: dt.date, window: int,
                       now: dt.datetime) -> int:
    """Occurrences nobody closed whose successor's reminders begin: closed as missed."""
    rows = (await session.execute(
        select(Assignment.id).join(Task).join(Plan)
        .where(Plan.active, Task.deadline_kind == "recurring", Assignment.cycle_due.is_not(None),
               Assignment.cycle_due < day, Assignment.removed_at.is_(None),
               Task.withdrawn_at.is_(None), Assignment.status.not_in(
                   (rules.AWAITING, rules.DONE, rules.NOT_APPLICABLE))))).scalars().all()
    closed = 0
    for assignment_id in rows:
        item = await answers.target(session, assignment_id, lock=True)
        while item is not None and item.recurrence is not None and item.cycle_due is not None \
                and item.recurrence.missed_between(item.cycle_due, day, window):
            await _next_occurrence(session, item, now, day, missed=True)
            closed += 1
            item = await answers.target(session, assignment_id, lock=True)
    return closed


async def waiting_for_coordinators(session: AsyncSession
                                   ) -> list[tuple[int, str, str, str, dt.date, str | None]]:
    """(assignment id, status, agency, ref, day it was said, evidence or reason) of the
    completions to confirm and the refusals to decide, oldest first."""
    last = (select(StatusReport.assignment_id, func.max(StatusReport.id).label("id"))
            .group_by(StatusReport.assignment_id).subquery())
    rows = await session.execute(
        select(Assignment.id, Assignment.status, Agency.name, Task.ref,
               StatusReport.answered_on, func.coalesce(StatusReport.evidence, StatusReport.note))
        .join(Task, Task.id == Assignment.task_id).join(Plan, Plan.id == Task.plan_id)
        .join(Agency, Agency.id == Assignment.agency_id)
        .join(last, last.c.assignment_id == Assignment.id)
        .join(StatusReport, and_(StatusReport.id == last.c.id))
        .where(Plan.active, Assignment.removed_at.is_(None), Task.withdrawn_at.is_(None),
               Assignment.status.in_((rules.AWAITING, rules.REFUSED)))
        .order_by(StatusReport.id))
    return [tuple(row) for row in rows]  # type: ignore[misc]
