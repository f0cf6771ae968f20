"""Receiving as `nhacviec run` does it (inbox, worker, supervised pollers), for the tests."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.handlers import Handlers
from bot.receiver import Receiver
from bot.receiving import platforms, receiving
from bot.web import create_app


async def until(condition: Callable[[], Any], seconds: float = 15.0) -> Any:
    """Poll `condition` until it gives something true (returned), or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the bot")
        await asyncio.sleep(0.05)
    return found


@contextlib.asynccontextmanager
async def polling(handlers: Handlers, telegram: TelegramChannel | None = None,
                  zalo_channel: ZaloChannel | None = None,
                  owner: str = "test") -> AsyncIterator[Receiver]:
    inbound, pollers = platforms(telegram, zalo_channel, polling=True, poll_timeout=1)
    async with receiving(handlers.db, handlers, inbound, pollers, owner) as receiver:
        yield receiver


@contextlib.asynccontextmanager
async def webhooks(handlers: Handlers, secret: str, telegram: TelegramChannel | None = None,
                   zalo_channel: ZaloChannel | None = None, owner: str = "test",
                   handling: int | None = None
                   ) -> AsyncIterator[tuple[httpx.AsyncClient, Receiver]]:
    """An HTTP client on the webhook app, with the inbox worker running behind it."""
    inbound, _ = platforms(telegram, zalo_channel, polling=False)
    async with receiving(handlers.db, handlers, inbound, {}, owner,
                         handling=handling) as receiver:
        web = create_app(handlers, secret, receiver)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web),
                                     base_url="http://hook") as http:
            yield http, receiver
