"""Plan files sent in the chat, waiting for the coordinator's decision (save or cancel)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import PlanUpload

KEEP_PENDING = dt.timedelta(hours=24)  # an upload left undecided longer must be sent again


class AlreadyDecided(Exception):
    """Another answer saved or dropped this upload first; the import is rolled back."""


@dataclass(frozen=True)
class Upload:
    id: int
    contact_id: int
    file_name: str
    data: bytes
    state: str
    created_at: dt.datetime
    outcome: str | None


async def stage(session: AsyncSession, contact_id: int, file_name: str, data: bytes,
                plan_code: str | None, now: dt.datetime) -> int:
    """Keep a new upload; the contact's earlier undecided ones are cancelled (one at a time,
    so `/luu` without a number is never ambiguous)."""
    await session.execute(update(PlanUpload).where(
        PlanUpload.contact_id == contact_id, PlanUpload.state == "pending")
        .values(state="dropped", decided_at=now, data=b"", outcome="thay bằng tệp sau"))
    row = PlanUpload(contact_id=contact_id, file_name=file_name[:255], data=data,
                     plan_code=plan_code, state="pending", created_at=now)
    session.add(row)
    await session.flush()
    return row.id


async def find(session: AsyncSession, contact_id: int, upload_id: int | None,
               now: dt.datetime) -> Upload | None:
    """The contact's upload by number, or their newest still undecided one. An undecided
    upload older than KEEP_PENDING is not offered any more."""
    query = select(PlanUpload).where(PlanUpload.contact_id == contact_id)
    if upload_id is not None:
        query = query.where(PlanUpload.id == upload_id)
    else:
        query = query.where(PlanUpload.state == "pending",
                            PlanUpload.created_at > now - KEEP_PENDING)
    row = (await session.execute(query.order_by(PlanUpload.id.desc()).limit(1))).scalar()
    if row is None:
        return None
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=dt.UTC)
    state = "expired" if row.state == "pending" and created <= now - KEEP_PENDING else row.state
    return Upload(row.id, row.contact_id, row.file_name, row.data, state, created, row.outcome)


async def decide(session: AsyncSession, upload_id: int, saved: bool, outcome: str,
                 now: dt.datetime) -> bool:
    """Mark it saved or dropped; False when it was no longer pending (a double press or
    another process got there first: the caller then says what had happened)."""
    values: dict[str, object] = {"state": "saved" if saved else "dropped",
                                 "decided_at": now, "outcome": outcome}
    if not saved:
        values["data"] = b""
    result = await session.execute(update(PlanUpload).where(
        PlanUpload.id == upload_id, PlanUpload.state == "pending").values(**values))
    return bool(getattr(result, "rowcount", 0))
