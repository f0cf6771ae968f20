"""Storage for the reminder engine: gather what the policy needs, apply what it decided.

Every write is idempotent: reminder items are unique by key, one message per contact and day,
one sweep run per day (its row is inserted in the sweep's own transaction).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Agency,
    Assignment,
    Contact,
    OutboxMessage,
    Plan,
    ReminderItem,
    SweepRun,
    Task,
)
from tracking import status as rules
from tracking.model import OpenAssignment, Recipient, Reminder
from tracking.occurrences import CONTINUOUS, Recurrence

ONGOING = ("start",)  # "Từ 01/7/2026": work that goes on, checked in on monthly


@dataclass(frozen=True)
class AssignmentInfo:
    """What a preview or a message shows about an assignment."""

    ref: str
    agency: str
    plan_code: str


def insert_ignoring_conflicts(session: AsyncSession, model: type, keys: list[str]) -> Any:
    """INSERT … ON CONFLICT DO NOTHING for the session's dialect."""
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model).on_conflict_do_nothing(index_elements=keys)


DUE = func.coalesce(Assignment.due_override, Assignment.cycle_due, Task.due_date)


CHECKIN_LIST_MAX = 30  # more check-ins than this for one agency: one line stands for all


def _due_filters(due_dates: Iterable[dt.date], days: tuple[dt.date, dt.date]
                 ) -> list[ColumnElement[bool]]:
    """The assignments a range of days may owe a reminder, as separate index-friendly
    queries (an OR across them would scan every assignment): a due date the days name, on
    the task or as an extension; every recurring duty (its occurrence moves on with the
    days); a snooze ending in the range."""
    dates = sorted(set(due_dates))
    plain = and_(Assignment.due_override.is_(None), Assignment.cycle_due.is_(None))
    return [and_(plain, Task.due_date.in_(dates)), Assignment.due_override.in_(dates),
            Task.deadline_kind == "recurring", Assignment.snoozed_until.between(*days)]


def _checkin_filters(after: dt.date) -> list[ColumnElement[bool]]:
    """On a check-in day: work due after `after`, and ongoing work without a date."""
    plain = and_(Assignment.due_override.is_(None), Assignment.cycle_due.is_(None))
    return [and_(plain, Task.due_date > after), Assignment.due_override > after,
            Task.deadline_kind.in_(ONGOING)]


def _live(roles: Sequence[str]) -> tuple[Any, ...]:
    return (Plan.active, Task.withdrawn_at.is_(None), Assignment.removed_at.is_(None),
            Assignment.status.not_in(rules.QUIET), Assignment.role.in_(roles))


async def _crowded(session: AsyncSession, checkins: list[ColumnElement[bool]],
                   roles: Sequence[str], last_day: dt.date) -> dict[int, int]:
    """Agencies owing more check-ins than a message lists, counted in the database (a
    check-in day touches every open assignment; only the counts come back)."""
    counts: dict[int, int] = defaultdict(int)
    awake = or_(Assignment.snoozed_until.is_(None), Assignment.snoozed_until <= last_day)
    for where in checkins:
        rows = await session.execute(
            select(Assignment.agency_id, func.count()).select_from(Assignment).join(Task)
            .join(Plan).where(*_live(roles), Assignment.role == "lead", awake, where)
            .group_by(Assignment.agency_id))
        for agency_id, n in rows:
            counts[agency_id] += int(n)
    return {agency: n for agency, n in counts.items() if n > CHECKIN_LIST_MAX}


async def open_assignments(session: AsyncSession, due_dates: Iterable[dt.date],
                           checkin_after: dt.date | None, roles: Sequence[str],
                           days: tuple[dt.date, dt.date] | None = None
                           ) -> tuple[list[OpenAssignment], dict[int, AssignmentInfo],
                                      dict[int, int]]:
    """Assignments of active plans their agency still has to act on (tracking.status.QUIET
    excluded), that the given days may owe a reminder (see `_due_filters`), and, on a
    check-in day, agency → count for agencies whose check-ins are grouped."""
    span = days or (dt.date.min, dt.date.min)
    items: dict[int, OpenAssignment] = {}
    info: dict[int, AssignmentInfo] = {}
    wheres = _due_filters(due_dates, span)
    grouped: dict[int, int] = {}
    if checkin_after is not None:
        checkins = _checkin_filters(checkin_after)
        grouped = await _crowded(session, checkins, roles, span[1])
        listed = Assignment.agency_id.not_in(list(grouped)) if grouped else None
        wheres += [w if listed is None else and_(w, listed) for w in checkins]
    for where in wheres:
        rows = await session.execute(
            select(Assignment.id, Assignment.agency_id, Assignment.role, DUE, Task.ref,
                   Agency.name, Plan.code, Assignment.snoozed_until, Task.deadline_kind,
                   Task.deadline_period, Task.deadline_days, Assignment.due_override)
            .select_from(Assignment).join(Task).join(Plan).join(Agency)
            .where(*_live(roles), where))
        for (row_id, agency_id, role, due_date, ref, agency, plan_code, snoozed, kind, period,
             recur_days, extended) in rows:
            recurrence = None
            if kind == "recurring" and period and period != CONTINUOUS and extended is None:
                recurrence = Recurrence(period, tuple(tuple(d) for d in recur_days or ()))
            ongoing = kind in ONGOING or (kind == "recurring" and period == CONTINUOUS)
            items[row_id] = OpenAssignment(row_id, agency_id, role, due_date, snoozed, ongoing,
                                           recurrence)
            info[row_id] = AssignmentInfo(ref, agency, plan_code)
    return list(items.values()), info, grouped


async def recipients(session: AsyncSession, day: dt.date | None = None
                     ) -> tuple[dict[int, list[Recipient]], list[Recipient], dict[int, str]]:
    """Reachable focal points by agency, coordinators, and every contact's display name.
    A focal point away on `day` is left out (its stand-in, of the same agency, is not)."""
    rows = await session.execute(
        select(Contact.id, Contact.agency_id, Contact.role, Contact.display_name,
               Contact.away_until)
        .where(Contact.unlinked_at.is_(None), Contact.reachable).order_by(Contact.id))
    focal: dict[int, list[Recipient]] = defaultdict(list)
    coordinators, names = [], {}
    for contact_id, agency_id, role, name, away_until in rows:
        names[contact_id] = name
        if role == "coordinator":
            coordinators.append(Recipient(contact_id, agency_id, coordinator=True))
        elif agency_id is not None and not (day and away_until and day < away_until):
            focal[agency_id].append(Recipient(contact_id, agency_id))
    return dict(focal), coordinators, names


async def last_swept(session: AsyncSession) -> dt.date | None:
    return (await session.execute(select(func.max(SweepRun.run_date)))).scalar_one()


async def swept_on(session: AsyncSession, day: dt.date) -> bool:
    """Whether that day itself was swept (not only a later one)."""
    return (await session.execute(select(SweepRun.id).where(SweepRun.run_date == day))
            ).first() is not None


async def claim_sweep(session: AsyncSession, day: dt.date, since: dt.date, owner: str,
                      now: dt.datetime) -> bool:
    """Insert the day's run row; False when another process has swept (or is sweeping) it."""
    statement = insert_ignoring_conflicts(session, SweepRun, ["run_date"]).values(
        run_date=day, caught_up_from=since, owner=owner, started_at=now)
    result = await session.execute(statement.returning(SweepRun.id))
    return result.scalar_one_or_none() is not None


async def store_reminders(session: AsyncSession, reminders: Sequence[Reminder], day: dt.date,
                          now: dt.datetime) -> tuple[int, int]:
    """Insert new reminder items and group them into one pending message per contact."""
    if not reminders:
        return 0, 0
    rows = [{"key": r.key, "stage": r.stage.value, "assignment_id": r.assignment_id,
             "agency_id": r.agency_id, "contact_id": r.recipient, "natural_date": r.natural,
             "send_on": r.send_on, "due_date": r.due, "late": r.late, "created_at": now,
             "note": str(r.count) if r.count else None}  # a grouped check-in's count
            for r in reminders]
    created: list[tuple[int, int | None]] = []
    for chunk in range(0, len(rows), 1000):
        statement = insert_ignoring_conflicts(session, ReminderItem, ["key"]).values(
            rows[chunk:chunk + 1000]).returning(ReminderItem.id, ReminderItem.contact_id)
        created += [(row_id, contact) for row_id, contact in await session.execute(statement)]
    by_contact: dict[int, list[int]] = defaultdict(list)
    for item_id, contact in created:
        if contact is not None:
            by_contact[contact].append(item_id)
    for contact, item_ids in by_contact.items():
        message_id = await pending_message(session, contact, day, now)
        for start in range(0, len(item_ids), 1000):
            await session.execute(update(ReminderItem).where(
                ReminderItem.id.in_(item_ids[start:start + 1000])).values(message_id=message_id))
    return len(created), len(by_contact)


async def pending_message(session: AsyncSession, contact: int, day: dt.date,
                           now: dt.datetime) -> int:
    """The contact's unsent message for the day, or a new one (a later part if one went out)."""
    found = (await session.execute(
        select(OutboxMessage.id, OutboxMessage.state, OutboxMessage.part)
        .where(OutboxMessage.contact_id == contact, OutboxMessage.send_on == day)
        .order_by(OutboxMessage.part.desc()).limit(1))).first()
    if found is not None and found.state == "pending":
        return int(found.id)
    message = OutboxMessage(contact_id=contact, send_on=day, part=(found.part + 1) if found else 1,
                            state="pending", attempts=0, next_attempt_at=now, created_at=now)
    session.add(message)
    await session.flush()
    return message.id


async def finish_sweep(session: AsyncSession, day: dt.date, counts: tuple[int, int],
                       now: dt.datetime) -> None:
    await session.execute(update(SweepRun).where(SweepRun.run_date == day).values(
        finished_at=now, reminders=counts[0], messages=counts[1]))
