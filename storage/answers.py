"""Who is writing, what they may touch, and the append-only record of their answers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Boolean, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import tallies
from storage.models import (
    Agency,
    Assignment,
    Base,
    Contact,
    Conversation,
    ExtensionRequest,
    OutboxMessage,
    StatusReport,
    Task,
)
from storage.outbox import withdraw_queued
from storage.pg_inline import Statement
from storage.uow import calendar_of
from tracking import status as rules
from tracking.calendar import WorkCalendar
from tracking.occurrences import Recurrence
from words import history as notes


@dataclass(frozen=True)
class Who:
    contact_id: int
    agency_id: int | None
    agency: str | None
    role: str
    name: str
    waiting_kind: str | None = None  # what the bot asked this contact and awaits, if anything
    waiting_for: int | None = None
    waiting_until: dt.datetime | None = None

    def waiting(self, now: dt.datetime) -> tuple[str, int] | None:
        if self.waiting_kind is None or self.waiting_for is None or self.waiting_until is None:
            return None
        until = self.waiting_until if self.waiting_until.tzinfo else self.waiting_until.replace(
            tzinfo=dt.UTC)
        return (self.waiting_kind, self.waiting_for) if until > now else None

    @property
    def coordinator(self) -> bool:
        return self.role == "coordinator"


@dataclass(frozen=True)
class Target:
    """An assignment as an answer sees it."""

    id: int
    agency_id: int
    agency: str
    ref: str
    content: str
    role: str
    status: str
    due: dt.date | None
    plan_year: int | None
    open: bool
    # what the report counts (storage.tallies) key it by
    plan_id: int = 0
    section_id: int = 0
    done_on: dt.date | None = None
    answered: bool = False
    confirm_done: bool = False  # the plan wants "done" confirmed by the coordinators
    cycle_due: dt.date | None = None  # the current occurrence of a recurring duty
    recurrence: Recurrence | None = None
    paused_until: dt.date | None = None
    extended: bool = False  # the due date comes from an approved extension

    def tally(self, calendar: WorkCalendar) -> tallies.Key | None:
        """Where this assignment is counted; None if it is not (not a live lead)."""
        if self.role != "lead" or not self.open:
            return None
        return tallies.key(self.plan_id, self.section_id, self.agency_id, self.status, self.due,
                           self.done_on, self.answered, calendar)



# The statements behind every answer are built once, from the tables rather than the mapped
# classes: constructing a SELECT costs more CPU than SQLite takes to run it, and a Core
# statement skips the ORM's per-execution set-up (about a fifth of an answer's CPU). On
# PostgreSQL they run on the driver itself (storage.pg_inline).
_T = Base.metadata.tables
_CONTACTS, _AGENCIES, _CONVERSATIONS = _T["contacts"], _T["agencies"], _T["conversations"]
_TASKS, _PLANS, _ASSIGN_T = _T["tasks"], _T["plans"], _T["assignments"]
_WHO = Statement(
    select(_CONTACTS.c.id, _CONTACTS.c.agency_id, _AGENCIES.c.name, _CONTACTS.c.role,
           _CONTACTS.c.display_name, _CONVERSATIONS.c.kind, _CONVERSATIONS.c.assignment_id,
           _CONVERSATIONS.c.expires_at)
    .select_from(_CONTACTS)
    .outerjoin(_AGENCIES, _AGENCIES.c.id == _CONTACTS.c.agency_id)
    .outerjoin(_CONVERSATIONS, _CONVERSATIONS.c.contact_id == _CONTACTS.c.id)
    .where(_CONTACTS.c.channel == bindparam("channel"),
           _CONTACTS.c.chat_id == bindparam("chat"), _CONTACTS.c.unlinked_at.is_(None)))
_A, _K = _ASSIGN_T.c, _TASKS.c
_TARGET_QUERY = (
    select(_A.id, _A.agency_id, _AGENCIES.c.name, _K.ref, _K.content, _A.role, _A.status,
           func.coalesce(_A.due_override, _A.cycle_due, _K.due_date),
           _PLANS.c.year, _PLANS.c.active, _K.withdrawn_at, _A.removed_at, _K.plan_id,
           _K.section_id, _A.done_on,
           _A.answered,
           _PLANS.c.confirm_done, _A.cycle_due, _K.deadline_kind, _K.deadline_period,
           _K.deadline_days, _A.paused_until, _A.due_override)
    .select_from(_ASSIGN_T)
    .join(_TASKS, _K.id == _A.task_id)
    .join(_PLANS, _PLANS.c.id == _K.plan_id)
    .join(_AGENCIES, _AGENCIES.c.id == _A.agency_id)
    .where(_A.id == bindparam("id")))
_TARGET = Statement(_TARGET_QUERY)
# With the assignment's row lock, on PostgreSQL (SQLite has one writer): a read that waited
# for a concurrent answer to the same assignment gets the row as that answer left it (its
# status, done_on, answered…; nothing an answer writes lives in the joined tables), so a
# double-pressed button finds the first press's result instead of counting the move twice.
_TARGET_LOCKED = Statement(_TARGET_QUERY.with_for_update(of=_ASSIGN_T))
_REPORTS, _ASSIGNMENTS = (Base.metadata.tables[n] for n in ("status_reports", "assignments"))
_RECORD = Statement(insert(_REPORTS).returning(_REPORTS.c.id))
_SET_STATUS = Statement(
    update(_ASSIGNMENTS).where(_ASSIGNMENTS.c.id == bindparam("assignment"))
    .values(status=bindparam("new_status"), done_on=bindparam("done_on"),
            paused_until=bindparam("paused"), answered=True))


def _record_pg() -> Statement:
    """On PostgreSQL the answer, the assignment's new status (when it changed) and the
    count moves are one statement: data-modifying CTEs, each run once whether or not the
    final SELECT reads it; the count rows arrive as arrays, so the SQL is the same for any
    number of them."""
    columns = [c.name for c in _REPORTS.c if c.name != "id"]
    report = (insert(_REPORTS).values({c: bindparam(c, type_=_REPORTS.c[c].type)
                                       for c in columns})
              .returning(_REPORTS.c.id).cte("report"))
    moved = (update(_ASSIGNMENTS)
             .where(_ASSIGNMENTS.c.id == bindparam("assignment"),
                    bindparam("changed", type_=Boolean))
             .values(status=bindparam("new_status"), done_on=bindparam("done_on"),
                     paused_until=bindparam("paused"), answered=True)
             .cte("moved"))
    return Statement(select(report.c.id).add_cte(moved).add_cte(tallies.upsert_arrays()))


_RECORD_PG = _record_pg()
DONE = rules.DONE


async def who(session: AsyncSession, channel: str, chat_id: str) -> Who | None:
    """The linked contact behind a chat, with any question the bot is waiting to hear about."""
    row = await _WHO.first(session, {"channel": channel, "chat": chat_id})
    return Who(*row) if row else None


async def target(session: AsyncSession, assignment_id: int, lock: bool = False
                 ) -> Target | None:
    """The assignment as an answer sees it. `lock=True` when the caller will record an answer:
    the row then stays locked until its unit of work ends."""
    locked = lock and session.get_bind().dialect.name == "postgresql"
    row = await (_TARGET_LOCKED if locked else _TARGET).first(session, {"id": assignment_id})
    if row is None:
        return None
    live = bool(row.active) and row.withdrawn_at is None and row.removed_at is None
    recurrence = (Recurrence(row.deadline_period, tuple(tuple(d) for d in row.deadline_days or ()))
                  if row.deadline_kind == "recurring" and row.deadline_period else None)
    return Target(row.id, row.agency_id, row.name, row.ref, row.content, row.role, row.status,
                  row[7], row.year, live, row.plan_id, row.section_id, row.done_on,
                  bool(row.answered), bool(row.confirm_done), row.cycle_due, recurrence,
                  row.paused_until, row.due_override is not None)


async def record(session: AsyncSession, item: Target, contact: int | None, channel: str,
                 status: str, now: dt.datetime, today: dt.date, percent: int | None = None,
                 note: str | None = None, evidence: str | None = None,
                 file: dict[str, Any] | None = None, raw: str | None = None,
                 moved_to: dt.date | None = None, until: dt.date | None = None) -> int:
    """Append an answer and refresh the assignment's current status (derived from answers)
    and the report's counts.

    `today` is the local date of the answer, the day "as of" reports cut on; `moved_to` the
    new deadline when the answer records an approved extension (`item` holds the old one);
    `until` the end of a pause. A completion dates from the first "done" said, so one
    confirmed later is still scored on the day the agency reported it."""
    report = {"assignment_id": item.id, "contact_id": contact, "agency_id": item.agency_id,
              "channel": channel, "status": status, "percent": percent, "note": note,
              "evidence": evidence, "file": file, "raw_text": raw, "created_at": now,
              "answered_on": today, "until": until, "occurrence_due": item.cycle_due}
    after, moves = item, status != item.status or until != item.paused_until
    changed = moves or not item.answered  # the row is written: new status, or first answer
    if moves:
        done_on = (item.done_on or today) if status in rules.DONE_LIKE else None
        if status in rules.DONE_LIKE and item.status not in rules.DONE_LIKE:
            done_on = today
        paused = until if status == rules.PAUSED else None
        after = replace(after, status=status, done_on=done_on, paused_until=paused)
    after = replace(after, answered=True, due=moved_to or item.due)
    calendar = calendar_of(session)
    counts = tallies.deltas(item.tally(calendar), after.tally(calendar))
    moved = {"assignment": item.id, "new_status": after.status, "done_on": after.done_on,
             "paused": after.paused_until}
    if session.get_bind().dialect.name == "postgresql":  # one round trip instead of three
        found = await _RECORD_PG.first(session, {
            **report, **moved, "changed": changed,
            **{f"t_{c}": [row[c] for row in counts] for c in tallies.COUNT_COLUMNS}})
        return int(found[0])
    report_id = (await _RECORD.first(session, report))[0]
    if changed:
        await _SET_STATUS.count(session, moved)
    await tallies.apply(session, counts)
    return int(report_id)


async def add_to_last(session: AsyncSession, assignment_id: int, contact: int, now: dt.datetime,
                      today: dt.date, evidence: str | None = None, note: str | None = None,
                      file: dict[str, Any] | None = None, raw: str | None = None) -> None:
    """Evidence or a reason sent as a follow-up: a new row copying the last status."""
    last = (await session.execute(
        select(StatusReport).where(StatusReport.assignment_id == assignment_id)
        .order_by(StatusReport.id.desc()).limit(1))).scalar_one()
    session.add(StatusReport(assignment_id=assignment_id, contact_id=contact,
                             agency_id=last.agency_id, channel=last.channel, status=last.status,
                             percent=last.percent, note=note, evidence=evidence, file=file,
                             raw_text=raw, created_at=now, answered_on=today))
    await session.flush()


async def history(session: AsyncSession, assignment_id: int, limit: int = 10
                  ) -> list[tuple[dt.datetime, str, int | None, str | None, str | None, str]]:
    rows = await session.execute(
        select(StatusReport.created_at, StatusReport.status, StatusReport.percent,
               StatusReport.note, StatusReport.evidence, func.coalesce(Contact.display_name, ""))
        .outerjoin(Contact, Contact.id == StatusReport.contact_id)
        .where(StatusReport.assignment_id == assignment_id)
        .order_by(StatusReport.id.desc()).limit(limit))
    return [tuple(row) for row in rows]  # type: ignore[misc]


async def wait_for(session: AsyncSession, contact: int, kind: str, assignment_id: int,
                   until: dt.datetime) -> None:
    await session.execute(delete(Conversation).where(Conversation.contact_id == contact))
    session.add(Conversation(contact_id=contact, kind=kind, assignment_id=assignment_id,
                             expires_at=until))
    await session.flush()


async def stop_waiting(session: AsyncSession, contact: int) -> None:
    await session.execute(delete(Conversation).where(Conversation.contact_id == contact))


async def reminder_for_message(session: AsyncSession, contact: int,
                               provider_id: str) -> list[int]:
    """Assignments listed in the bot message a user replied to."""
    from storage.models import ReminderItem

    rows = await session.execute(
        select(ReminderItem.assignment_id).join(OutboxMessage,
                                                OutboxMessage.id == ReminderItem.message_id)
        .where(OutboxMessage.contact_id == contact,
               OutboxMessage.provider_message_id == provider_id,
               ReminderItem.assignment_id.is_not(None)))
    return [int(a) for a in rows.scalars() if a is not None]


async def request_extension(session: AsyncSession, item: Target, contact: int, date: dt.date,
                            text: str, reason: str | None, now: dt.datetime) -> int:
    """One pending request per assignment: a new one replaces the old (both kept)."""
    await session.execute(update(ExtensionRequest).where(
        ExtensionRequest.assignment_id == item.id, ExtensionRequest.state == "pending")
        .values(state="replaced", decided_at=now))
    request = ExtensionRequest(assignment_id=item.id, contact_id=contact, proposed_date=date,
                               proposed_text=text, reason=reason, state="pending", created_at=now)
    session.add(request)
    await session.flush()
    return request.id


async def decide_extension(session: AsyncSession, request_id: int, approve: bool,
                           coordinator: int, now: dt.datetime, today: dt.date
                           ) -> tuple[ExtensionRequest, Target] | None:
    """Approve (moves the due date) or reject a pending request; None if already decided."""
    changed = await session.execute(
        update(ExtensionRequest).where(ExtensionRequest.id == request_id,
                                       ExtensionRequest.state == "pending")
        .values(state="approved" if approve else "rejected", decided_by=coordinator,
                decided_at=now).returning(ExtensionRequest.id))
    if changed.scalar_one_or_none() is None:
        return None
    request = (await session.execute(select(ExtensionRequest)
                                     .where(ExtensionRequest.id == request_id))).scalar_one()
    item = await target(session, request.assignment_id, lock=True)
    assert item is not None
    if approve:
        await session.execute(update(Assignment).where(Assignment.id == item.id)
                              .values(due_override=request.proposed_date))
    await record(session, item, coordinator, "system",
                 "dang_thuc_hien" if approve else item.status, now, today,
                 moved_to=request.proposed_date if approve else None,
                 note=notes.extension_decided(approve, request.proposed_date))
    return request, item


async def pending_extensions(session: AsyncSession
                             ) -> list[tuple[int, str, str, dt.date, str, dt.date | None]]:
    """(id, agency, ref, proposed date, reason, current due date) of each pending request."""
    rows = await session.execute(
        select(ExtensionRequest.id, Agency.name, Task.ref, ExtensionRequest.proposed_date,
               func.coalesce(ExtensionRequest.reason, ""),
               func.coalesce(Assignment.due_override, Task.due_date))
        .join(Assignment, Assignment.id == ExtensionRequest.assignment_id)
        .join(Task).join(Agency, Agency.id == Assignment.agency_id)
        .where(ExtensionRequest.state == "pending").order_by(ExtensionRequest.id))
    return [tuple(row) for row in rows]  # type: ignore[misc]


async def unlink(session: AsyncSession, contact: int, now: dt.datetime) -> None:
    """Unlink a contact; what was queued for it is cancelled and goes to its colleagues."""
    await session.execute(update(Contact).where(Contact.id == contact).values(unlinked_at=now))
    await withdraw_queued(session, contact, now)
