"""Dispatcher: claims due outbox rows, sends them through the channels, records the outcome.

Adapters classify failures; this is the one place that decides: back off (exponential, with
jitter, capped), honour a platform's retry-after, keep trying through a platform outage until
the end of the message's day and then fold it into the next day's message, flag a contact
that blocked the bot, follow a migrated chat — and tell the coordinators when a message
cannot be delivered.

Repeats that can still happen, each logged: a process killed mid-send (the row is taken back
after the lease), and a send whose answer never came back (timed out) although the platform
delivered it. A long text is sent part by part, each part recorded, so a retry sends only
the parts that did not go out.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from aiolimiter import AsyncLimiter

from bot import keyboards
from bot.channels.base import (
    Buttons,
    Channel,
    ChannelError,
    Migrated,
    Permanent,
    RateLimited,
    split_text,
)
from bot.types import Button
from reports.progress import task_progress
from storage import outbox
from storage.uow import Database
from tracking.status import Day
from words import messages as words
from words.messages import Digest, assignment_code

log = logging.getLogger("nhacviec.dispatch")


@dataclass(frozen=True)
class DispatchSettings:
    retry_base: float = 30.0
    retry_cap: float = 600.0  # after an outage ends, delivery resumes within ~10 minutes
    lease: dt.timedelta = dt.timedelta(minutes=2)
    batch: int = 200
    concurrency: int = 32
    zone: dt.tzinfo = dt.UTC  # where "the end of the message's day" is
    resume_at: dt.time = dt.time(8, 0)  # a folded message is tried again at this local time
    send_timeout: float = 10.0  # the channels' request timeout: the slowest a send can be

    @property
    def effective_lease(self) -> dt.timedelta:
        """Never shorter than the slowest send plus a margin: the claim is renewed before
        each part, so a lease that outlasts one request means no send is taken back while
        it is still under way."""
        return max(self.lease, dt.timedelta(seconds=self.send_timeout + 5))


@dataclass(frozen=True)
class RateLimits:
    """Per platform: messages per second overall and per chat."""

    overall_per_second: float = 30.0
    per_chat_per_second: float = 1.0


class _Throttle:
    """Leaky buckets for one platform, plus a pause when the platform says "retry after"."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        # capacity 1: evenly spaced sends never burst past the platform's sliding windows
        self.overall = AsyncLimiter(1, 1 / limits.overall_per_second)
        self.per_chat: dict[str, AsyncLimiter] = defaultdict(
            lambda: AsyncLimiter(1, 1 / limits.per_chat_per_second))
        self.paused_until = 0.0

    async def wait(self, chat_id: str) -> None:
        loop = asyncio.get_running_loop()
        delay = self.paused_until - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        await self.per_chat[chat_id].acquire()
        await self.overall.acquire()

    def pause(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        self.paused_until = max(self.paused_until, loop.time() + seconds)


class Dispatcher:
    def __init__(self, db: Database, channels: Mapping[str, Channel],
                 limits: Mapping[str, RateLimits], today: Callable[[], dt.date],
                 owner: str, settings: DispatchSettings = DispatchSettings(),
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
                 rng: random.Random | None = None) -> None:
        self.db, self.channels, self.today, self.owner = db, channels, today, owner
        self.settings, self.now = settings, now
        self.rng = rng or random.Random()
        self.throttles = {kind: _Throttle(limits.get(kind, RateLimits())) for kind in channels}

    async def tick(self) -> int:
        """Send what is due now; returns how many rows were handled."""
        async with self.db.uow() as uow:
            repeats = await outbox.reclaim_stale(uow.session, self.now(),
                                                 self.settings.effective_lease)
            claimed = await outbox.claim(uow.session, self.owner, self.now(), self.settings.batch)
            await uow.commit()
        for message_id in repeats:
            log.warning("outbox %s was in flight when a process stopped; it may be sent twice",
                        message_id)
        gate = asyncio.Semaphore(self.settings.concurrency)

        async def one(row: outbox.Claimed) -> None:
            async with gate:
                await self._deliver(row)

        await asyncio.gather(*(one(row) for row in _interleave(claimed)))
        return len(claimed)

    async def send_due(self) -> int:
        """What the running service does every few seconds: tick while a tick takes a full
        batch, so a day of 3,000 reminders flows at the platform's rate instead of one batch
        per interval (200 every 5 s with a skipped interval between: 21 msg/s, not 30)."""
        total = 0
        while True:
            handled = await self.tick()
            total += handled
            if handled < self.settings.batch:
                return total

    async def drain(self, patience: float = 0.0) -> int:
        """Tick until nothing is due; wait for retries due within `patience` seconds."""
        total = 0
        deadline = self.now() + dt.timedelta(seconds=patience)
        while True:
            handled = await self.tick()
            total += handled
            if handled:
                continue
            async with self.db.uow() as uow:
                upcoming = await outbox.next_attempt(uow.session)
            if upcoming is None or upcoming > deadline:
                return total
            await asyncio.sleep(max(0.0, (upcoming - self.now()).total_seconds()) + 0.01)

    async def _deliver(self, row: outbox.Claimed) -> None:
        channel = self.channels.get(row.channel)
        text, buttons = await self._text(row, channel.buttons if channel else False)
        if channel is None:
            await self._retry(row, words.channel_missing(row.channel), counts=True)
            return
        try:
            provider_id = await self._send_parts(row, channel, text, buttons)
            if provider_id is None:
                return  # the lease ended while waiting: another process has the row
        except RateLimited as exc:
            self.throttles[row.channel].pause(exc.after)
            await self._retry(row, str(exc), counts=False, after=exc.after)
        except Migrated as exc:
            async with self.db.uow() as uow:
                await outbox.move_chat(uow.session, row.id, row.contact_id, exc.new_chat_id,
                                       self.now())
                await uow.commit()
        except Permanent as exc:
            await self._give_up(row, str(exc), contact_gone=exc.contact_gone)
        except ChannelError as exc:
            if "timed out" in str(exc).lower():
                log.warning("outbox %s: no answer from %s in time; the platform may have "
                            "delivered it, so the retry may repeat it", row.id, row.channel)
            await self._retry(row, str(exc), counts=True)
        else:
            async with self.db.uow() as uow:
                await outbox.mark_sent(uow.session, row.id, provider_id, self.now())
                await uow.commit()

    async def _send_parts(self, row: outbox.Claimed, channel: Channel, text: str,
                          buttons: Buttons) -> str | None:
        """Send the parts not yet sent, recording each; None if the row is no longer ours."""
        parts = split_text(text, channel.max_text)
        first: str | None = None
        for index in range(min(row.parts_sent, len(parts) - 1), len(parts)):
            await self.throttles[row.channel].wait(row.chat_id)
            async with self.db.uow() as uow:
                mine = await outbox.still_mine(uow.session, row.id, self.owner, self.now())
                await uow.commit()
            if not mine:
                log.info("outbox %s: claim ended before sending; left to its new owner", row.id)
                return None
            last = index == len(parts) - 1
            sent = await channel.send(row.chat_id, parts[index], buttons if last else ())
            first = first or sent
            if not last:
                async with self.db.uow() as uow:
                    await outbox.mark_part(uow.session, row.id, index + 1,
                                           sent if index == 0 else None)
                    await uow.commit()
        return first or ""

    async def _text(self, row: outbox.Claimed, with_buttons: bool) -> tuple[str, Buttons]:
        async with self.db.uow() as uow:
            items = await outbox.items_of(uow.session, row.id)
            digest = None
            if any(item.stage == "digest" for item in items):
                day = Day.of(row.send_on, self.db.calendar, self.db.due_soon_days)
                data = await outbox.digest_data(uow.session, day)
                digest = Digest(data.overdue_by_agency, data.due_soon, data.undated,
                                data.without_contact, data.awaiting, data.overdue_agencies,
                                data.overdue_by_task, data.without_contact_total,
                                soon_days=self.db.due_soon_days)
            progress = await task_progress(
                uow.session, {i.task_id for i in items if i.stage == "escalation" and i.task_id},
                row.send_on, self.settings.zone, self.db.calendar, self.db.due_soon_days)
            text = words.compose(items, row.send_on, digest, text_protocol=not with_buttons,
                                 progress=progress)
            buttons = answer_buttons(items) if with_buttons else ()
            await outbox.save_text(uow.session, row.id, text,
                                   [[[b.label, b.data] for b in r] for r in buttons])
            await uow.commit()
        return text, buttons

    async def _retry(self, row: outbox.Claimed, error: str, counts: bool,
                     after: float | None = None) -> None:
        """Retry later the same day; past the end of it, fold into the next day's message."""
        if after is None:
            backoff = min(self.settings.retry_cap,
                          self.settings.retry_base * 2 ** min(row.attempts - 1, 20))
            after = backoff * self.rng.uniform(0.5, 1.5)
        now = self.now()
        at = now + dt.timedelta(seconds=after)
        day = max(row.send_on, now.astimezone(self.settings.zone).date())
        if at >= _midnight_after(day, self.settings.zone):
            tomorrow = day + dt.timedelta(days=1)
            resume = dt.datetime.combine(tomorrow, self.settings.resume_at,
                                         self.settings.zone).astimezone(dt.UTC)
            async with self.db.uow() as uow:
                target = await outbox.fold(uow.session, row.id, row.contact_id, tomorrow,
                                           resume, error, now)
                await uow.commit()
            log.warning("outbox %s undelivered all day (%s): folded into message %s for %s",
                        row.id, error, target, tomorrow)
            return
        async with self.db.uow() as uow:
            await outbox.mark_retry(uow.session, row.id, error, at, counts)
            await uow.commit()
        log.info("outbox %s: will retry in %.1f s (%s)", row.id, after, error)

    async def _give_up(self, row: outbox.Claimed, error: str, contact_gone: bool) -> None:
        async with self.db.uow() as uow:
            await outbox.mark_dead(uow.session, row.id, error)
            who = await outbox.contact_label(uow.session, row.contact_id)
            if contact_gone:
                await outbox.mark_unreachable(uow.session, row.contact_id, error)
            note = words.undeliverable(who, error, contact_gone)
            await outbox.notify_coordinators(uow.session, f"dead:{row.id}", note, self.today(),
                                             self.now(), exclude=row.contact_id)
            await uow.commit()
        log.warning("outbox %s dead: %s", row.id, error)


FOCAL_STAGES = {"before", "due", "overdue", "checkin"}


def answer_buttons(items: list[outbox.ItemView]) -> Buttons:
    """The answers of a reminder's one assignment, or one button per listed assignment
    (keyboards.reminder_buttons); decision buttons per extension."""
    listed = [(item.assignment_id, assignment_code(item.assignment_id), item.ref,
               item.content) for item in items
              if item.stage in (*FOCAL_STAGES, "nudge") and item.assignment_id]
    rows: list[tuple[Button, ...]] = list(keyboards.reminder_buttons(listed)) if listed else []
    for item in items:
        if item.stage in FOCAL_STAGES or item.stage == "nudge":
            continue
        if item.stage == "extension" and item.extension_id:
            rows += keyboards.decision_buttons(item.extension_id)
        elif item.stage == "confirm" and item.assignment_id:
            rows += keyboards.confirm_buttons(item.assignment_id)
        elif item.stage == "refusal" and item.assignment_id:
            rows += keyboards.refusal_buttons(item.assignment_id)
    return tuple(rows)


def _midnight_after(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), zone)


def _interleave(rows: list[outbox.Claimed]) -> list[outbox.Claimed]:
    """Round-robin over chats so one chat's per-second limit does not stall the others."""
    by_chat: dict[tuple[str, str], list[outbox.Claimed]] = defaultdict(list)
    for row in rows:
        by_chat[(row.channel, row.chat_id)].append(row)
    out: list[outbox.Claimed] = []
    queues = list(by_chat.values())
    while queues:
        out += [queue.pop(0) for queue in queues]
        queues = [queue for queue in queues if queue]
    return out
