"""Outbox rows through their life: pending → sending → sent | failed (retry) | dead.

Claiming is one guarded UPDATE (PostgreSQL adds FOR UPDATE SKIP LOCKED), so two processes
never take the same row; a row left in `sending` by a killed process is taken back after a
lease and its possible repeat is reported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Agency,
    Assignment,
    Contact,
    OutboxMessage,
    Plan,
    ReminderItem,
    Task,
)
from storage.reminders import pending_message
from tracking import status as rules


@dataclass(frozen=True)
class Claimed:
    id: int
    contact_id: int
    channel: str
    chat_id: str
    attempts: int
    send_on: dt.date
    parts_sent: int = 0


@dataclass(frozen=True)
class ItemView:
    """One line of a reminder message."""

    stage: str
    assignment_id: int | None
    ref: str | None
    content: str | None
    product: str | None
    agency: str | None
    role: str | None
    status: str | None
    due: dt.date | None
    late: bool
    note: str | None
    extension_id: int | None = None
    task_id: int | None = None


async def reclaim_stale(session: AsyncSession, now: dt.datetime, lease: dt.timedelta) -> list[int]:
    """Rows of a process that stopped go back to pending once their lease ends. Only those
    it was sending (`sending`: the request was under way) may be sent twice and are
    returned; rows it had claimed but not reached (`claimed`) go back silently — a batch of
    300 claimed rows gave 300 warnings for a handful of sends in flight."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.state == "claimed", OutboxMessage.claimed_at < now - lease)
        .values(state="pending", next_attempt_at=now))
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.state == "sending", OutboxMessage.claimed_at < now - lease)
        .values(state="pending", last_error="tiến trình gửi bị ngắt; có thể gửi lặp",
                next_attempt_at=now)
        .returning(OutboxMessage.id))
    return list(result.scalars())


async def claim(session: AsyncSession, owner: str, now: dt.datetime, limit: int) -> list[Claimed]:
    """Take up to `limit` due rows for this process."""
    due = (select(OutboxMessage.id)
           .where(OutboxMessage.state.in_(("pending", "failed")),
                  OutboxMessage.next_attempt_at <= now)
           .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    result = await session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(state="claimed", claimed_by=owner, claimed_at=now,
                attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id, OutboxMessage.contact_id, OutboxMessage.attempts,
                   OutboxMessage.send_on, OutboxMessage.parts_sent))
    claimed = list(result)
    if not claimed:
        return []
    contacts = {row.id: row for row in await session.execute(
        select(Contact.id, Contact.channel, Contact.chat_id)
        .where(Contact.id.in_([c.contact_id for c in claimed])))}
    return [Claimed(c.id, c.contact_id, contacts[c.contact_id].channel,
                    contacts[c.contact_id].chat_id, c.attempts, c.send_on, c.parts_sent)
            for c in claimed]


async def items_of(session: AsyncSession, message_id: int) -> list[ItemView]:
    rows = await session.execute(
        select(ReminderItem.stage, ReminderItem.assignment_id, Task.ref, Task.content,
               Task.product, Agency.name, Assignment.role, Assignment.status,
               ReminderItem.due_date, ReminderItem.late, ReminderItem.note,
               ReminderItem.extension_id, Assignment.task_id)
        .select_from(ReminderItem)
        .outerjoin(Assignment, Assignment.id == ReminderItem.assignment_id)
        .outerjoin(Task, Task.id == Assignment.task_id)
        .outerjoin(Agency, Agency.id == ReminderItem.agency_id)
        .where(ReminderItem.message_id == message_id)
        .order_by(ReminderItem.due_date, ReminderItem.id))
    items = [ItemView(*row) for row in rows]
    # A message folded from a day the platform was down may list an assignment that the
    # day's own reminder lists too: one line per assignment, the latest stage.
    latest = {item.assignment_id: item for item in items
              if item.stage in FOCAL and item.assignment_id is not None}
    return [item for item in items if item.stage not in FOCAL or item.assignment_id is None
            or latest[item.assignment_id] is item]


async def save_text(session: AsyncSession, message_id: int, text: str,
                    buttons: list[list[list[str]]] | None = None) -> None:
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                          .values(text=text, buttons=buttons or None))


async def mark_sent(session: AsyncSession, message_id: int, provider_id: str,
                    now: dt.datetime) -> None:
    """Sent; the provider id is the first part's (kept when an earlier try sent it)."""
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(
        state="sent", sent_at=now, last_error=None,
        provider_message_id=func.coalesce(OutboxMessage.provider_message_id,
                                          provider_id or None)))


async def still_mine(session: AsyncSession, message_id: int, owner: str,
                     now: dt.datetime) -> bool:
    """Renew the claim right before a send, and mark the row `sending` (from here a stop
    may repeat it): False when the lease ended and another process took the row back (it
    sends it; sending here too would repeat it)."""
    result = await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id,
                                    OutboxMessage.state.in_(("claimed", "sending")),
                                    OutboxMessage.claimed_by == owner)
        .values(state="sending", claimed_at=now))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def mark_part(session: AsyncSession, message_id: int, parts_sent: int,
                    provider_id: str | None) -> None:
    """One part of a long text went out: a retry starts after it."""
    values: dict[str, object] = {"parts_sent": parts_sent}
    if provider_id:
        values["provider_message_id"] = func.coalesce(OutboxMessage.provider_message_id,
                                                      provider_id)
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                          .values(**values))


async def fold(session: AsyncSession, message_id: int, contact_id: int, day: dt.date,
               at: dt.datetime, error: str, now: dt.datetime) -> int:
    """The platform was down all day: what this message carried moves into the contact's
    message for `day`, first tried at `at`. Returns that message's id."""
    target = await pending_message(session, contact_id, day, now)
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == target)
                          .values(next_attempt_at=at))
    await session.execute(update(ReminderItem).where(ReminderItem.message_id == message_id)
                          .values(message_id=target))
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(
        state="folded", last_error=f"{error} → gộp vào tin {target} ngày {day:%d/%m/%Y}"))
    return target


@dataclass(frozen=True)
class DeadRow:
    id: int
    send_on: dt.date
    channel: str
    chat_id: str
    who: str
    agency: str | None
    attempts: int
    error: str | None


async def dead(session: AsyncSession) -> list[DeadRow]:
    rows = await session.execute(
        select(OutboxMessage.id, OutboxMessage.send_on, Contact.channel, Contact.chat_id,
               Contact.display_name, Agency.name, OutboxMessage.attempts,
               OutboxMessage.last_error)
        .join(Contact, Contact.id == OutboxMessage.contact_id)
        .outerjoin(Agency, Agency.id == Contact.agency_id)
        .where(OutboxMessage.state == "dead").order_by(OutboxMessage.id))
    return [DeadRow(*row) for row in rows]


async def retry_dead(session: AsyncSession, ids: list[int] | None, now: dt.datetime) -> int:
    """Send dead messages again (all when `ids` is None); their contacts count as reachable
    again, since the operator says the cause is fixed."""
    chosen = OutboxMessage.state == "dead"
    if ids is not None:
        chosen = chosen & OutboxMessage.id.in_(ids)
    contacts = list((await session.execute(
        select(OutboxMessage.contact_id).where(chosen))).scalars())
    result = await session.execute(update(OutboxMessage).where(chosen).values(
        state="pending", attempts=0, next_attempt_at=now, claimed_by=None, claimed_at=None))
    if contacts:
        await session.execute(update(Contact).where(Contact.id.in_(contacts),
                                                    Contact.unlinked_at.is_(None))
                              .values(reachable=True, unreachable_reason=None))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def mark_retry(session: AsyncSession, message_id: int, error: str, at: dt.datetime,
                     counts: bool = True) -> None:
    values: dict[str, object] = {"state": "failed", "next_attempt_at": at, "last_error": error}
    if not counts:  # a rate-limit refusal is not the message's fault
        values["attempts"] = OutboxMessage.attempts - 1
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                          .values(**values))


async def mark_dead(session: AsyncSession, message_id: int, error: str) -> None:
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                          .values(state="dead", last_error=error))


async def mark_unreachable(session: AsyncSession, contact_id: int, reason: str) -> None:
    await session.execute(update(Contact).where(Contact.id == contact_id)
                          .values(reachable=False, unreachable_reason=reason))


async def move_chat(session: AsyncSession, message_id: int, contact_id: int, chat_id: str,
                    now: dt.datetime) -> None:
    await session.execute(update(Contact).where(Contact.id == contact_id).values(chat_id=chat_id))
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                          .values(state="pending", next_attempt_at=now))


async def notify_coordinators(session: AsyncSession, key: str, note: str, day: dt.date,
                              now: dt.datetime, exclude: int | None = None,
                              buttons_for: int | None = None, about: int | None = None,
                              stage: str = "notice") -> int:
    """Queue a notice for every coordinator (one undeliverable record when there is none).

    `exclude` is the contact whose message failed: a notice about it must not go to it.
    `buttons_for` an extension request, or `about` an assignment with `stage` "confirm" or
    "refusal": the notice then carries the buttons to decide it.
    """
    coordinators = list((await session.execute(
        select(Contact.id).where(Contact.role == "coordinator", Contact.reachable,
                                 Contact.unlinked_at.is_(None),
                                 Contact.id != (exclude or -1)))).scalars())
    targets: list[int | None] = [*coordinators] or [None]
    stage = "extension" if buttons_for is not None else stage
    for contact in targets:
        message_id = await pending_message(session, contact, day, now) if contact else None
        session.add(ReminderItem(key=f"notice:{contact}:{key}", stage=stage, contact_id=contact,
                                 natural_date=day, send_on=day, late=False, note=note,
                                 extension_id=buttons_for, message_id=message_id,
                                 assignment_id=about, created_at=now))
    await session.flush()
    return len(coordinators)


async def queue_notice(session: AsyncSession, contact: int, key: str, note: str, day: dt.date,
                       now: dt.datetime, about: int | None = None, stage: str = "notice"
                       ) -> None:
    """A one-off message to one contact (a decision, a manual reminder), sent by the
    dispatcher; `about` an assignment with stage "nudge": it carries that assignment's answer
    buttons and a reply to it answers that assignment."""
    message_id = await pending_message(session, contact, day, now)
    session.add(ReminderItem(key=f"notice:{contact}:{key}", stage=stage, contact_id=contact,
                             natural_date=day, send_on=day, late=False, note=note,
                             message_id=message_id, assignment_id=about, created_at=now))
    await session.flush()


async def contact_label(session: AsyncSession, contact_id: int) -> str:
    row = (await session.execute(
        select(Contact.display_name, Agency.name).outerjoin(Agency, Agency.id == Contact.agency_id)
        .where(Contact.id == contact_id))).one()
    return f"{row.display_name or 'đầu mối'} ({row.name or 'Sở Nội vụ'})"


async def next_attempt(session: AsyncSession) -> dt.datetime | None:
    """When the earliest waiting row becomes due (None when nothing waits)."""
    found = (await session.execute(select(func.min(OutboxMessage.next_attempt_at)).where(
        OutboxMessage.state.in_(("pending", "failed"))))).scalar_one()
    return found.replace(tzinfo=dt.UTC) if found and found.tzinfo is None else found


async def backlog(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(OutboxMessage.state, func.count())
                                 .group_by(OutboxMessage.state))
    return {state: int(count) for state, count in rows}


async def plan_codes(session: AsyncSession) -> list[str]:
    return list((await session.execute(select(Plan.code).where(Plan.active))).scalars())


@dataclass(frozen=True)
class DigestData:
    """What the coordinators' weekly digest counts (words.messages.Digest renders it)."""

    overdue_by_agency: list[tuple[str, int]]  # worst first, at most `limit`
    due_soon: int
    undated: list[str]
    without_contact: list[str]  # at most `limit`, by name
    awaiting: int
    overdue_agencies: int = 0  # every agency with something overdue
    overdue_by_task: list[tuple[str, str, int]] = field(default_factory=list)  # ref, content, n
    without_contact_total: int = 0
    overdue_tasks: int = 0


async def digest_data(session: AsyncSession, day: rules.Day, limit: int = 10) -> DigestData:
    """Overdue by task and by agency (worst first), due soon, undated tasks, agencies without
    contact, completions awaiting confirmation — on the boundaries of `tracking.status.Day`.
    Lists are cut at `limit` and the totals say how many there are, never silently."""
    due = func.coalesce(Assignment.due_override, Assignment.cycle_due, Task.due_date)
    base = (Plan.active, Task.withdrawn_at.is_(None), Assignment.removed_at.is_(None),
            Assignment.role == "lead")
    live = (*base, Assignment.status.not_in(rules.QUIET))
    late = (select(Assignment.agency_id, Assignment.task_id).join(Task).join(Plan)
            .where(*live, due <= day.last_passed).subquery("late"))
    by_agency = (await session.execute(
        select(Agency.name, func.count()).select_from(late).join(Agency,
                                                                 Agency.id == late.c.agency_id)
        .group_by(Agency.name).order_by(func.count().desc(), Agency.name))).all()
    by_task = (await session.execute(
        select(Task.ref, Task.content, func.count()).select_from(late)
        .join(Task, Task.id == late.c.task_id).group_by(Task.id, Task.ref, Task.content)
        .order_by(func.count().desc(), Task.ref))).all()
    soon = (await session.execute(
        select(func.count()).select_from(Assignment).join(Task).join(Plan)
        .where(*live, due > day.last_passed, due <= day.soon_until))).scalar_one()
    undated = await session.execute(
        select(Task.ref).join(Plan).where(Plan.active, Task.withdrawn_at.is_(None),
                                          Task.due_date.is_(None),
                                          or_(Task.deadline_kind != "recurring",
                                              Task.deadline_period == "continuous"))
        .order_by(Task.position))
    reachable = select(Contact.id).where(Contact.agency_id == Agency.id, Contact.reachable,
                                         Contact.unlinked_at.is_(None), Contact.role == "focal")
    missing = list((await session.execute(
        select(Agency.name).distinct().select_from(Assignment).join(Task).join(Plan).join(Agency)
        .where(*base, Assignment.status.not_in((rules.DONE, rules.NOT_APPLICABLE)),
               ~reachable.exists()).order_by(Agency.name))).scalars())
    awaiting = (await session.execute(
        select(func.count()).select_from(Assignment).join(Task).join(Plan)
        .where(*base, Assignment.status == rules.AWAITING))).scalar_one()
    return DigestData([(name, int(count)) for name, count in by_agency[:limit]], int(soon),
                      list(undated.scalars()), missing[:limit], int(awaiting), len(by_agency),
                      [(ref, content, int(n)) for ref, content, n in by_task[:limit]],
                      len(missing), len(by_task))


FOCAL = ("before", "due", "overdue", "checkin")


async def withdraw_queued(session: AsyncSession, contact_id: int, now: dt.datetime) -> int:
    """A contact unlinked or revoked: its unsent messages are cancelled (never sent), and the
    reminders they carried go to the agency's remaining focal points instead. Returns how
    many reminders moved."""
    queued = list((await session.execute(
        select(OutboxMessage.id, OutboxMessage.send_on)
        .where(OutboxMessage.contact_id == contact_id,
               OutboxMessage.state.in_(("pending", "failed"))))).all())
    if not queued:
        return 0
    await session.execute(update(OutboxMessage).where(
        OutboxMessage.id.in_([m.id for m in queued]))
        .values(state="cancelled", last_error="contact unlinked"))
    agency = (await session.execute(select(Contact.agency_id)
                                    .where(Contact.id == contact_id))).scalar_one()
    others = [] if agency is None else list((await session.execute(
        select(Contact.id).where(Contact.agency_id == agency, Contact.id != contact_id,
                                 Contact.role == "focal", Contact.reachable,
                                 Contact.unlinked_at.is_(None)))).scalars())
    items = (await session.execute(select(ReminderItem).where(
        ReminderItem.message_id.in_([m.id for m in queued]),
        ReminderItem.stage.in_(FOCAL)))).scalars().all()
    moved = 0
    for other in others:
        for item in items:
            # the colleague may already have this very reminder: never a second copy
            exists = (await session.execute(select(ReminderItem.id).where(
                ReminderItem.contact_id == other, ReminderItem.stage == item.stage,
                ReminderItem.assignment_id == item.assignment_id,
                ReminderItem.natural_date == item.natural_date))).first()
            if exists:
                continue
            message = await pending_message(session, other, item.send_on, now)
            key = f"{item.key}:to:{other}"
            session.add(ReminderItem(
                key=key, stage=item.stage, assignment_id=item.assignment_id,
                agency_id=item.agency_id, contact_id=other, natural_date=item.natural_date,
                send_on=item.send_on, due_date=item.due_date, late=item.late, note=item.note,
                message_id=message, created_at=now))
            moved += 1
    await session.flush()
    return moved
