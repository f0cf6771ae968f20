"""What the operator's endpoints and `nhacviec doctor` ask the database (read-only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Contact, OutboxMessage, SweepRun


@dataclass(frozen=True)
class Vitals:
    outbox: dict[tuple[str, str], int]  # (channel, state) → messages
    oldest_pending: dt.datetime | None
    last_sweep_started: dt.datetime | None
    last_sweep_finished: dt.datetime | None
    unreachable: dict[str, int]  # channel → contacts the platform refused


async def ping(session: AsyncSession) -> None:
    await session.execute(text("SELECT 1"))


async def vitals(session: AsyncSession) -> Vitals:
    outbox = {(channel, state): int(n) for channel, state, n in await session.execute(
        select(Contact.channel, OutboxMessage.state, func.count())
        .join(Contact, Contact.id == OutboxMessage.contact_id)
        .group_by(Contact.channel, OutboxMessage.state))}
    oldest = (await session.execute(select(func.min(OutboxMessage.created_at)).where(
        OutboxMessage.state.in_(("pending", "failed", "sending"))))).scalar_one()
    sweep = (await session.execute(select(SweepRun.started_at, SweepRun.finished_at)
                                   .order_by(SweepRun.run_date.desc()).limit(1))).first()
    unreachable = {channel: int(n) for channel, n in await session.execute(
        select(Contact.channel, func.count()).where(Contact.reachable.is_(False),
                                                    Contact.unlinked_at.is_(None))
        .group_by(Contact.channel))}
    return Vitals(outbox, _utc(oldest), _utc(sweep[0]) if sweep else None,
                  _utc(sweep[1]) if sweep else None, unreachable)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)

