"""What the operator's endpoints and `nhacviec doctor` ask the database (read-only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Contact, InboxUpdate, OutboxMessage, SweepRun


@dataclass(frozen=True)
class Vitals:
    outbox: dict[tuple[str, str], int]  # (channel, state) → messages
    oldest_pending: dt.datetime | None
    last_sweep_started: dt.datetime | None
    last_sweep_finished: dt.datetime | None
    unreachable: dict[str, int]  # channel → contacts the platform refused
    inbox_waiting: int = 0  # updates stored, not yet handled or replied to
    inbox_failing: int = 0  # of those, updates whose handling or reply failed at least once
    inbox_error: str | None = None  # the latest failure, for the operator
    inbox_dead: int = 0  # updates set aside: the process died handling each three times


async def ping(session: AsyncSession) -> None:
    await session.execute(text("SELECT 1"))


async def vitals(session: AsyncSession) -> Vitals:
    outbox = {(channel, state): int(n) for channel, state, n in await session.execute(
        select(Contact.channel, OutboxMessage.state, func.count())
        .join(Contact, Contact.id == OutboxMessage.contact_id)
        .group_by(Contact.channel, OutboxMessage.state))}
    oldest = (await session.execute(select(func.min(OutboxMessage.created_at)).where(
        OutboxMessage.state.in_(("pending", "failed", "claimed", "sending"))))).scalar_one()
    sweep = (await session.execute(select(SweepRun.started_at, SweepRun.finished_at)
                                   .order_by(SweepRun.run_date.desc()).limit(1))).first()
    unreachable = {channel: int(n) for channel, n in await session.execute(
        select(Contact.channel, func.count()).where(Contact.reachable.is_(False),
                                                    Contact.unlinked_at.is_(None))
        .group_by(Contact.channel))}
    open_rows = InboxUpdate.state.in_(("new", "handled"))
    waiting, failing = (await session.execute(
        select(func.count(), func.count().filter(InboxUpdate.attempts > 0))
        .where(open_rows))).one()
    error = (await session.execute(
        select(InboxUpdate.last_error).where(open_rows, InboxUpdate.attempts > 0)
        .order_by(InboxUpdate.id.desc()).limit(1))).scalar_one_or_none()
    dead = (await session.execute(select(func.count()).where(InboxUpdate.state == "dead"))
            ).scalar_one()
    return Vitals(outbox, _utc(oldest), _utc(sweep[0]) if sweep else None,
                  _utc(sweep[1]) if sweep else None, unreachable, int(waiting), int(failing),
                  error, int(dead))


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)

