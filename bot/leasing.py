"""One poller per platform across every `nhacviec run` on a database.

A process polls a platform only while it holds that platform's lease, renewing it every few
seconds; when it dies, the lease ends within `TTL` and a standby process takes over.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from storage import leases
from storage.uow import Database

log = logging.getLogger("nhacviec.receive")
TTL = dt.timedelta(seconds=15)
RENEW_SECONDS = 4.0


async def _take(db: Database, name: str, owner: str) -> bool:
    async with db.uow() as uow:
        held = await leases.take(uow.session, name, owner, dt.datetime.now(dt.UTC), TTL)
        await uow.commit()
    return held


HALT_GRACE = 40.0  # seconds a halted poller may take to store what it holds (a long poll)


async def while_holding(db: Database, name: str, owner: str, stop: asyncio.Event,
                        job: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run `job(halt)` while this process holds lease `name`; wait as a standby otherwise.
    Database errors propagate (the supervisor restarts us)."""
    standby_logged = False
    while not stop.is_set():
        if not await _take(db, name, owner):
            if not standby_logged:
                log.info("%s: another process is receiving; standing by", name)
                standby_logged = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=RENEW_SECONDS)
            continue
        log.info("%s: this process receives (lease taken)", name)
        standby_logged = False
        await _run_holding(db, name, owner, stop, job)
    with contextlib.suppress(Exception):
        async with db.uow() as uow:  # a restart elsewhere takes over at once
            await leases.release(uow.session, name, owner)
            await uow.commit()


async def _run_holding(db: Database, name: str, owner: str, stop: asyncio.Event,
                       job: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    halt = asyncio.Event()

    async def run() -> None:
        await job(halt)

    task = asyncio.create_task(run())
    stopping = asyncio.create_task(stop.wait())
    try:
        while not task.done():
            await asyncio.wait({task, stopping}, timeout=RENEW_SECONDS,
                               return_when=asyncio.FIRST_COMPLETED)
            if task.done():
                break
            if stop.is_set():
                halt.set()
                task.cancel()  # an open long poll is abandoned rather than waited out
                break
            try:
                held = await _take(db, name, owner)
            except Exception as exc:  # the database blinked: never cancel the job for it —
                # a Zalo poller may hold an update it took and is still storing (Zalo hands
                # each update out once); it keeps trying, and so does the renewal
                log.warning("%s: lease not renewed (%s); polling goes on, retrying",
                            name, type(exc).__name__)
                continue
            if not held:  # another process took over: finish the update in hand, then stop
                log.warning("%s: lease lost to another process; stopping here", name)
                halt.set()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(task), HALT_GRACE)
                break
    finally:
        stopping.cancel()
        if not task.done():
            halt.set()
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task  # a job that failed raises here, for the supervisor
