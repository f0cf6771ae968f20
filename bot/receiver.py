"""From a stored update to the user's reply, whatever goes wrong in between.

A receiver (long poll or webhook) only calls `Receiver.accept`: the update is written to the
inbox in its own short transaction, and only then acknowledged. A bounded worker hands it to
the handlers, marking the inbox row handled in the same transaction as the answer; the
replies are kept on the row until they are sent. Anything that fails is retried from the
inbox with back-off, by whichever process gets there first after the claim ends.

Repeats that can still happen (logged): a reply sent just before the process died, before
its row was marked done (done-marking is batched once a second), is sent again when the row
is retried.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.channels.base import ChannelError, Inbound, Permanent
from bot.handlers import BeforeCommit, Handlers
from bot.types import Attachment, Button, Incoming, Reply
from storage import inbox
from storage.outbox import notify_coordinators
from storage.uow import Database, UnitOfWork
from words import texts

log = logging.getLogger("nhacviec.receive")
CLAIM = dt.timedelta(seconds=60)  # default: longer than the slowest handling plus replies
RETRY_BASE = dt.timedelta(seconds=5)
RESCAN_SECONDS = 5.0
KEEP_DONE = dt.timedelta(days=14)  # platforms redeliver for a day at most
# Sent replies are marked done in batches: one transaction a second, not one per answer.
# A crash in between repeats at most that second's replies (the rows are still claimed).
FLUSH_SECONDS = 1.0
FLUSH_MAX = 200
HANDLING = 2  # updates handled at once (more starved the webhook at 300/s on PostgreSQL)


@dataclass
class ReceiveHealth:
    """Per platform: "ok", or why receiving is failing right now (shown by /readyz)."""

    platforms: dict[str, str] = field(default_factory=dict)

    def ok(self, platform: str) -> None:
        self.platforms[platform] = "ok"

    def degraded(self, platform: str, reason: str) -> None:
        self.platforms[platform] = f"lỗi: {reason}"[:300]

    def failing(self) -> dict[str, str]:
        return {p: s for p, s in self.platforms.items() if s != "ok"}


def encode(chat_id: str, replies: list[Reply]) -> dict[str, Any]:
    """Replies as JSON for the inbox row (an attachment's bytes in base 64)."""
    items = [{"text": r.text,
              "buttons": [[[b.label, b.data] for b in row] for row in r.buttons],
              "file": None if r.attachment is None else {
                  "name": r.attachment.name, "kind": r.attachment.kind,
                  "data": base64.b64encode(r.attachment.data).decode()}}
             for r in replies]
    return {"chat_id": chat_id, "items": items}


def decode(stored: dict[str, Any]) -> tuple[str, list[Reply]]:
    replies = []
    for item in stored.get("items", []):
        file = item.get("file")
        replies.append(Reply(
            item["text"], tuple(tuple(Button(label, data) for label, data in row)
                                for row in item.get("buttons") or ()),
            None if not file else Attachment(file["name"], base64.b64decode(file["data"]),
                                             file["kind"])))
    return str(stored.get("chat_id", "")), replies


class Receiver:
    def __init__(self, db: Database, handlers: Handlers, inbound: dict[str, Inbound],
                 owner: str, health: ReceiveHealth | None = None,
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
                 queue_size: int = 10_000, senders: int = 32,
                 claim: dt.timedelta = CLAIM, handling: int | None = None) -> None:
        self.db, self.handlers, self.inbound, self.owner = db, handlers, inbound, owner
        self.health = health or ReceiveHealth()
        self.claim = claim
        self.now = now
        # Updates handled at once, each chat's in order. On PostgreSQL an answer waits for
        # ~8 round trips; two chats at once overlap them. More (8 was tried) held pool
        # connections and loop turns the webhook needed, and its p99 went to seconds. On
        # SQLite transactions take turns anyway (one writer), and one at a time measured the
        # same CPU as two; two let a slow update (a plan file downloaded and read before its
        # transaction) leave the other chats' answers going.
        self.handling = handling or HANDLING
        self._slots = asyncio.Semaphore(self.handling)
        self._handling: dict[str, asyncio.Task[None]] = {}  # the last handling per chat
        self._queue: asyncio.Queue[tuple[int, str, dict[str, Any]]] = asyncio.Queue(queue_size)
        self._senders = asyncio.Semaphore(senders)
        self._chats: dict[str, asyncio.Task[None]] = {}  # the last send per chat: order kept
        self._done: list[int] = []
        self._idle = asyncio.Event()
        self._idle.set()

    async def accept(self, platform: str, update: dict[str, Any]) -> bool:
        """Store a delivery; True when it is new (a repeat is recognised by its key).
        Raises when it could not be stored: the caller must not acknowledge it."""
        key = self.inbound[platform].update_key(update)
        if key is None:
            return False
        now = self.now()
        try:
            async with self.db.single() as connection:
                inbox_id = await inbox.store(connection, platform, key, update, self.owner,
                                             now, self.claim)
        except Exception as exc:
            self.health.degraded(platform, f"không lưu được tin nhận ({type(exc).__name__})")
            raise
        self.health.ok(platform)
        if inbox_id is None:
            log.info("%s update %s delivered again: already stored", platform, key)
            return False
        self._idle.clear()
        try:
            self._queue.put_nowait((inbox_id, platform, update))
        except asyncio.QueueFull:  # the rescan takes it when the claim ends
            log.warning("receive queue full: %s update %s waits for the rescan", platform, key)
        return True

    async def run(self, stop: asyncio.Event) -> None:
        """The worker: queued updates first, the inbox's due rows every few seconds."""
        rescan_at = 0.0
        loop = asyncio.get_running_loop()
        flush_at = loop.time() + FLUSH_SECONDS
        while not stop.is_set():
            if loop.time() >= rescan_at:
                rescan_at = loop.time() + RESCAN_SECONDS
                await self._guarded(self._rescan())
            try:
                item = await asyncio.wait_for(self._queue.get(), timeout=0.2)
            except TimeoutError:
                await self._guarded(self._flush_done())
                if self._queue.empty() and not self._chats and not self._handling:
                    self._idle.set()
                continue
            await self._dispatch(*item)
            if len(self._done) >= FLUSH_MAX or loop.time() >= flush_at:
                flush_at = loop.time() + FLUSH_SECONDS
                await self._guarded(self._flush_done())
        await self.drain_sends()

    async def _dispatch(self, inbox_id: int, platform: str, update: dict[str, Any]) -> None:
        """Handle now (one at a time), or in a task that waits for the same chat's previous
        update: a chat's updates are always handled in the order they were stored."""
        if self.handling == 1:
            await self._guarded(self._handle(inbox_id, platform, update))
            return
        await self._slots.acquire()

        async def handle() -> None:
            try:
                await self._guarded(self._handle(inbox_id, platform, update))
            finally:
                self._slots.release()

        _after_last(self._handling, f"{platform}:{self.inbound[platform].chat_of(update)}",
                    handle)

    async def drain_sends(self) -> None:
        """Wait for handling and replies in flight and record them (a clean stop repeats
        nothing)."""
        handling = [t for t in self._handling.values() if not t.done()]
        if handling:
            await asyncio.wait(handling, timeout=10)
        pending = [t for t in self._chats.values() if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=10)
        await self._guarded(self._flush_done())

    async def settled(self, timeout: float = 30.0) -> None:
        """For tests and benchmarks: wait until everything queued is handled and replied."""
        await asyncio.wait_for(self._idle.wait(), timeout)

    async def _guarded(self, work: Awaitable[None]) -> None:
        try:
            await work
        except Exception:  # the database is down, most likely: the inbox keeps the work
            log.exception("receive worker: will retry from the inbox")

    async def _rescan(self) -> None:
        now = self.now()
        async with self.db.uow() as uow:
            due = await inbox.claim_due(uow.session, self.owner, now, self.claim)
            if now.minute == 0 and now.second < RESCAN_SECONDS:
                await inbox.prune(uow.session, now - KEEP_DONE)
            await uow.commit()
        for row in due:
            log.info("retrying %s update (inbox %d, attempt %d)", row.platform, row.id,
                     row.attempts + 1)
            if row.poison:
                await self._set_aside(row.id, row.platform, row.payload)
            elif row.state == "new":  # beside fresh updates, never ahead of them all
                await self._dispatch(row.id, row.platform, row.payload)
            elif row.replies:
                log.warning("inbox %d: sending replies again; one may repeat", row.id)
                chat_id, replies = decode(row.replies)
                self._send(row.id, row.platform, chat_id, replies)

    async def _set_aside(self, inbox_id: int, platform: str, update: dict[str, Any]) -> None:
        """The process died while handling this update, three times in a row: it is set
        aside (dead), its sender gets one apology, the coordinators are told, and every other
        update goes on (`nhacviec inbox` lists it, `inbox retry` handles it again)."""
        chat = self.inbound[platform].chat_of(update)
        log.error("inbox %d (%s, chat %s): the process died handling it %d times; set aside",
                  inbox_id, platform, chat, inbox.MAX_UNFINISHED)
        async with self.db.uow() as uow:
            await inbox.set_aside(uow.session, inbox_id, self.now())
            await notify_coordinators(
                uow.session, f"dead:{inbox_id}", texts.POISON_COORDINATORS.format(
                    platform=platform, chat=chat, number=inbox_id),
                self.now().date(), self.now())
            await uow.commit()
        if chat:
            self._send(None, platform, str(chat), [Reply(texts.POISON_SENDER)])

    async def _handle(self, inbox_id: int, platform: str, update: dict[str, Any]) -> None:
        try:
            message = await self.inbound[platform].incoming(update)
            if message is None:
                replies: list[Reply] = []
                async with self.db.uow() as uow:
                    await inbox.mark_handled(uow.session, inbox_id, None, self.now())
                    await uow.commit()
            else:
                replies = await self.handlers.handle(message, self._marker(inbox_id, message),
                                                     self.inbound[platform].download)
        except inbox.AlreadyHandled:
            log.info("inbox %d was handled by another process", inbox_id)
            return
        except Exception as exc:
            log.exception("handling %s update failed (inbox %d); it will be retried",
                          platform, inbox_id)
            await self._failed(inbox_id, f"{type(exc).__name__}: {exc}")
            return
        if message is None or not replies:
            self._done.append(inbox_id)
            return
        self._send(inbox_id, platform, message.chat_id, replies)

    def _marker(self, inbox_id: int, message: Incoming) -> BeforeCommit:
        async def mark(uow: UnitOfWork, replies: list[Reply]) -> None:
            await inbox.mark_handled(uow.session, inbox_id,
                                     encode(message.chat_id, replies) if replies else None,
                                     self.now())
            if "/start" in message.text.lower():  # an invite code: kept masked, once used
                await inbox.mask_secrets(uow.session, inbox_id)
        return mark

    def _send(self, inbox_id: int | None, platform: str, chat_id: str, replies: list[Reply]
              ) -> None:
        """Replies of a handled row (marked done once sent); with no row, a one-off (the
        apology for an update set aside, whose row stays dead)."""
        async def send() -> None:
            async with self._senders:
                try:
                    await self.inbound[platform].reply(chat_id, replies)
                except Permanent as exc:  # blocked the bot: nothing more to try
                    log.warning("reply to %s:%s refused: %s", platform, chat_id, exc)
                except ChannelError as exc:
                    log.warning("reply to %s:%s failed: %s; retried from the inbox",
                                platform, chat_id, exc)
                    if inbox_id is not None:
                        await self._failed(inbox_id, str(exc))
                    return
            if inbox_id is not None:
                self._done.append(inbox_id)

        _after_last(self._chats, chat_id, send)

    async def _failed(self, inbox_id: int, error: str) -> None:
        try:
            async with self.db.uow() as uow:
                await inbox.mark_failed(uow.session, inbox_id, error, self.now(), RETRY_BASE)
                await uow.commit()
        except Exception as exc:  # the claim ends by itself; the rescan retries then
            log.warning("inbox %d: could not record the failure (%s)", inbox_id, exc)

    async def _flush_done(self) -> None:
        if not self._done:
            return
        ids, self._done = self._done, []
        try:
            async with self.db.uow() as uow:
                await inbox.mark_done(uow.session, ids)
                await uow.commit()
        except Exception:
            self._done = ids + self._done
            raise



def _after_last(chains: dict[str, asyncio.Task[None]], key: str,
                work: Callable[[], Awaitable[None]]) -> None:
    """Start `work` once the last task started under `key` has ended (whatever its outcome):
    one chat's updates and replies keep their order while other chats go ahead."""
    before = chains.get(key)

    async def run() -> None:
        if before is not None:
            with contextlib.suppress(Exception):
                await before
        await work()

    task = asyncio.create_task(run())
    chains[key] = task
    task.add_done_callback(lambda t: chains.pop(key, None) if chains.get(key) is t else None)
