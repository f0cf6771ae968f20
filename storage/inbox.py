"""Inbound updates through their life: new → handled (replies waiting) → done.

`store` is the only thing a receiver does before acknowledging a delivery: one short
transaction, and a repeated (platform, key) is recognised by the database in every process.
Handling marks the row in the same transaction as the answer it stores, so an update is
handled at most once; replies are sent afterwards and may repeat only after a crash between
sending and `mark_done` (logged).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from config.redaction import mask_codes
from storage.models import Base, InboxUpdate
from storage.pg_inline import Statement

# Core statements on the hot path: no ORM bulk-persistence machinery per update
_INBOX = Base.metadata.tables["inbox"]

MAX_BACKOFF = dt.timedelta(hours=1)


class AlreadyHandled(Exception):
    """Another process handled this update first: roll the second handling back."""


def _store_statement(module: Any) -> Any:
    return (module.insert(_INBOX).on_conflict_do_nothing(index_elements=["platform",
                                                                          "update_key"])
            .returning(_INBOX.c.id))


_STORE = {"sqlite": Statement(_store_statement(sqlite)),
          "postgresql": Statement(_store_statement(postgresql))}
_HANDLED = Statement(
    update(_INBOX).where(_INBOX.c.id == bindparam("row"), _INBOX.c.state == "new")
    .values(state="handled", replies=bindparam("replies"), handled_at=bindparam("handled_at"),
            last_error=None))


@dataclass(frozen=True)
class Pending:
    id: int
    platform: str
    payload: dict[str, Any]
    state: str
    replies: dict[str, Any] | None
    attempts: int


async def store(connection: AsyncConnection, platform: str, key: str, payload: dict[str, Any],
                owner: str, now: dt.datetime, lease: dt.timedelta) -> int | None:
    """Keep the update, claimed by this process for `lease`; None when it is a repeat.
    One statement, committed on its own (`Database.single`)."""
    row = await _STORE[connection.dialect.name].first(connection, {
        "platform": platform, "update_key": key[:120],
        "payload": json.dumps(payload, ensure_ascii=False), "state": "new", "attempts": 0,
        "next_attempt_at": now, "claimed_by": owner, "claimed_until": now + lease,
        "received_at": now})
    return None if row is None else int(row[0])


async def claim_due(session: AsyncSession, owner: str, now: dt.datetime, lease: dt.timedelta,
                    limit: int = 50) -> list[Pending]:
    """Rows nobody holds whose next attempt is due (crashed, failed, or replies unsent)."""
    due = (select(InboxUpdate.id)
           .where(InboxUpdate.state.in_(("new", "handled")), InboxUpdate.next_attempt_at <= now,
                  (InboxUpdate.claimed_until.is_(None)) | (InboxUpdate.claimed_until < now))
           .order_by(InboxUpdate.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    rows = await session.execute(
        update(InboxUpdate).where(InboxUpdate.id.in_(due.scalar_subquery()))
        .values(claimed_by=owner, claimed_until=now + lease)
        .returning(InboxUpdate.id, InboxUpdate.platform, InboxUpdate.payload, InboxUpdate.state,
                   InboxUpdate.replies, InboxUpdate.attempts))
    found = [Pending(r.id, r.platform, json.loads(r.payload), r.state, r.replies, r.attempts)
             for r in rows]
    return sorted(found, key=lambda p: p.id)


async def mark_handled(session: AsyncSession, inbox_id: int, replies: dict[str, Any] | None,
                       now: dt.datetime) -> None:
    """In the handling transaction: a second handling of the same row raises."""
    if await _HANDLED.count(session, {"row": inbox_id, "replies": replies,
                                      "handled_at": now}) != 1:
        raise AlreadyHandled(inbox_id)


async def mask_secrets(session: AsyncSession, inbox_id: int) -> None:
    """An update that carried an invite code keeps its message, the code masked: a backup or
    a look at the table must not be an unused enrolment for whoever reads it."""
    payload = (await session.execute(select(_INBOX.c.payload).where(_INBOX.c.id == inbox_id))
               ).scalar_one_or_none()
    if payload is not None and mask_codes(payload) != payload:
        await session.execute(update(_INBOX).where(_INBOX.c.id == inbox_id)
                              .values(payload=mask_codes(payload)))


async def mark_done(session: AsyncSession, ids: list[int]) -> None:
    await session.execute(update(_INBOX).where(_INBOX.c.id.in_(ids))
                          .values(state="done", replies=None, claimed_until=None))


async def mark_failed(session: AsyncSession, inbox_id: int, error: str, now: dt.datetime,
                      base: dt.timedelta) -> dt.datetime:
    """Back off (base × 2^attempts, at most an hour) and let any process try again then."""
    attempts: int = (await session.execute(
        select(InboxUpdate.attempts).where(InboxUpdate.id == inbox_id))).scalar_one()
    at: dt.datetime = now + min(MAX_BACKOFF, base * (2 ** min(int(attempts), 16)))
    await session.execute(update(InboxUpdate).where(InboxUpdate.id == inbox_id).values(
        attempts=InboxUpdate.attempts + 1, last_error=error[:2000], next_attempt_at=at,
        claimed_until=None))
    return at


async def prune(session: AsyncSession, before: dt.datetime) -> int:
    """Done rows older than the redelivery window are only dead weight."""
    result = await session.execute(delete(InboxUpdate).where(
        InboxUpdate.state == "done", InboxUpdate.received_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
