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
# An attempt that ends with neither an answer nor an error is a process that died while
# handling (killed, out of memory). Claimed again, such a row carries this mark and the
# length of the streak; a handling that fails with an error resets it (a database outage is
# retried as long as it takes). Three deaths in a row: the update is set aside (dead).
UNFINISHED = "tiến trình dừng khi đang xử lý, lần "
MAX_UNFINISHED = 3


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
    unfinished: int = 0  # attempts in a row that ended with the process

    @property
    def poison(self) -> bool:
        return self.state == "new" and self.unfinished >= MAX_UNFINISHED


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
    rows = (await session.execute(
        update(InboxUpdate).where(InboxUpdate.id.in_(due.scalar_subquery()))
        .values(claimed_by=owner, claimed_until=now + lease)
        .returning(InboxUpdate.id, InboxUpdate.platform, InboxUpdate.payload, InboxUpdate.state,
                   InboxUpdate.replies, InboxUpdate.attempts, InboxUpdate.last_error,
                   InboxUpdate.handled_at))).all()
    found = []
    for r in rows:
        # counted before it is handled: a kill during the handling counts too (the first
        # handling, from the queue, is the row's first attempt: its claim comes at store)
        streak = _streak(r.last_error) + 1 if r.state == "new" else 0
        found.append(Pending(r.id, r.platform, json.loads(r.payload), r.state, r.replies,
                             r.attempts, streak))
        if r.state == "new":
            await session.execute(update(InboxUpdate).where(InboxUpdate.id == r.id)
                                  .values(last_error=f"{UNFINISHED}{streak}"))
    return sorted(found, key=lambda p: p.id)


def _streak(last_error: str | None) -> int:
    if last_error and last_error.startswith(UNFINISHED):
        tail = last_error[len(UNFINISHED):]
        return int(tail) if tail.isdigit() else 0
    return 0


async def set_aside(session: AsyncSession, inbox_id: int, now: dt.datetime) -> None:
    """A poison update: never handled again by itself (`nhacviec inbox retry` can)."""
    await session.execute(update(InboxUpdate).where(InboxUpdate.id == inbox_id).values(
        state="dead", claimed_until=None, handled_at=now,
        last_error=f"để riêng sau {MAX_UNFINISHED} lần tiến trình dừng khi đang xử lý"))


@dataclass(frozen=True)
class DeadRow:
    id: int
    platform: str
    received_at: dt.datetime
    error: str | None
    text: str


async def dead(session: AsyncSession) -> list[DeadRow]:
    rows = await session.execute(
        select(InboxUpdate.id, InboxUpdate.platform, InboxUpdate.received_at,
               InboxUpdate.last_error, InboxUpdate.payload)
        .where(InboxUpdate.state == "dead").order_by(InboxUpdate.id))
    return [DeadRow(r.id, r.platform, r.received_at, r.last_error,
                    mask_codes(_said(json.loads(r.payload)))[:200]) for r in rows]


def _said(payload: Any) -> str:
    """What the person sent: the first `text` (or button `data`) in the update."""
    if isinstance(payload, dict):
        for key in ("text", "caption", "data"):
            if isinstance(payload.get(key), str):
                return str(payload[key])
        for value in payload.values():
            found = _said(value)
            if found:
                return found
    if isinstance(payload, list):
        for value in payload:
            found = _said(value)
            if found:
                return found
    return ""


async def retry_dead(session: AsyncSession, ids: list[int] | None, now: dt.datetime) -> int:
    """Dead updates handled again (all when `ids` is None), their streak forgotten."""
    chosen = InboxUpdate.state == "dead"
    if ids is not None:
        chosen = chosen & InboxUpdate.id.in_(ids)
    result = await session.execute(update(InboxUpdate).where(chosen).values(
        state="new", next_attempt_at=now, claimed_until=None, claimed_by=None,
        last_error=None, handled_at=None))
    return int(result.rowcount)  # type: ignore[attr-defined]


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
