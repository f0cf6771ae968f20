"""The receive side of a running bot: the inbox worker plus one supervised poller per
platform, each polling only while its process holds the platform's lease."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from bot.channels.base import Inbound
from bot.handlers import Handlers
from bot.leasing import while_holding
from bot.receiver import CLAIM, ReceiveHealth, Receiver
from storage.uow import Database

log = logging.getLogger("nhacviec.receive")
Accept = Callable[[dict[str, Any]], Awaitable[bool]]
Poller = Callable[[Accept, asyncio.Event, Callable[[], None]], Awaitable[None]]


def platforms(telegram: Any | None, zalo_channel: Any | None, polling: bool,
              poll_timeout: int = 10) -> tuple[dict[str, Inbound], dict[str, Poller]]:
    """What receives for each configured platform (a `TelegramChannel`, a `ZaloChannel`), and
    its poller unless updates come by webhook."""
    import functools

    inbound: dict[str, Inbound] = {}
    pollers: dict[str, Poller] = {}
    if telegram is not None:
        from bot.channels import telegram_in

        inbound["telegram"] = telegram_in.TelegramInbound(telegram.bot)
        if polling:
            pollers["telegram"] = functools.partial(telegram_in.poll, telegram.bot,
                                                    timeout=poll_timeout)
    if zalo_channel is not None:
        from bot.channels import zalo

        inbound["zalo"] = zalo_channel
        if polling:
            pollers["zalo"] = functools.partial(zalo.poll, zalo_channel)
    return inbound, pollers


def freeze_startup() -> None:
    """Once a serving process has started: move everything alive now (modules, compiled
    statements, the channels' clients — ~170,000 objects) out of the collector's reach. A full
    collection otherwise walks all of them and paused the loop for 40–70 ms a few times a
    minute under load, which was the whole of the answers' p99 at 300/s."""
    gc.collect()
    gc.freeze()


@contextlib.asynccontextmanager
async def receiving(db: Database, handlers: Handlers, inbound: dict[str, Inbound],
                    pollers: dict[str, Poller], owner: str,
                    claim: dt.timedelta = CLAIM, handling: int | None = None
                    ) -> AsyncIterator[Receiver]:
    """Run the worker and the pollers until the block ends; replies in flight are finished.
    `handling`: updates handled at once (default: by database, `Receiver`)."""
    receiver = Receiver(db, handlers, inbound, owner, claim=claim, handling=handling)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(receiver.run(stop))]
    for platform, poller in pollers.items():
        tasks.append(asyncio.create_task(
            _poll(db, receiver, platform, poller, owner, stop)))
    try:
        yield receiver
    finally:
        stop.set()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, timeout=10)


async def _poll(db: Database, receiver: Receiver, platform: str, poller: Poller, owner: str,
                stop: asyncio.Event) -> None:
    def accept(update: dict[str, Any]) -> Awaitable[bool]:
        return receiver.accept(platform, update)

    async def job(halt: asyncio.Event) -> None:
        await poller(accept, halt, lambda: receiver.health.ok(platform))

    await supervise(platform, lambda: while_holding(db, f"poll:{platform}", owner, stop, job),
                    stop, receiver.health)


async def supervise(name: str, run: Callable[[], Awaitable[None]], stop: asyncio.Event,
                    health: ReceiveHealth) -> None:
    """Run a receive loop until `stop`; restart it with back-off after any exception."""
    backoff = 1.0
    while not stop.is_set():
        try:
            await run()
            return
        except Exception as exc:
            health.degraded(name, f"{type(exc).__name__}: {exc}")
            log.error("%s receiving failed (%s: %s); restarting in %.0f s", name,
                      type(exc).__name__, exc, backoff, exc_info=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=backoff)
        backoff = min(60.0, backoff * 2)
