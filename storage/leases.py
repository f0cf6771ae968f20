"""Named leases: at most one process does a job (polling a platform) at a time.

A holder renews well inside the lease; a dead holder's lease simply ends and the next
process to ask takes it. Works the same on SQLite and PostgreSQL (one guarded UPDATE).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Lease
from storage.reminders import insert_ignoring_conflicts


async def take(session: AsyncSession, name: str, holder: str, now: dt.datetime,
               ttl: dt.timedelta) -> bool:
    """Take or renew; True when `holder` holds the lease until now + ttl."""
    await session.execute(insert_ignoring_conflicts(session, Lease, ["name"]).values(
        name=name, holder=holder, expires_at=now + ttl))
    result = await session.execute(
        update(Lease).where(Lease.name == name,
                            (Lease.holder == holder) | (Lease.expires_at < now))
        .values(holder=holder, expires_at=now + ttl))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def release(session: AsyncSession, name: str, holder: str) -> None:
    await session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))
