"""Receiving as `nhacviec run` does it (inbox, worker, supervised pollers), for the tests."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator
from typing import Any

import httpx

from bot.channels import telegram_in, zalo
from bot.channels.base import Inbound
from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.handlers import Handlers
from bot.receiver import Receiver
from bot.receiving import Poller, receiving
from bot.web import create_app


@contextlib.asynccontextmanager
async def polling(handlers: Handlers, telegram: TelegramChannel | None = None,
                  zalo_channel: ZaloChannel | None = None,
                  owner: str = "test") -> AsyncIterator[Receiver]:
    inbound: dict[str, Inbound] = {}
    pollers: dict[str, Poller] = {}
    if telegram is not None:
        inbound["telegram"] = telegram_in.TelegramInbound(telegram.bot)
        pollers["telegram"] = functools.partial(telegram_in.poll, telegram.bot, timeout=1)
    if zalo_channel is not None:
        inbound["zalo"] = zalo_channel
        pollers["zalo"] = functools.partial(zalo.poll, zalo_channel)
    async with receiving(handlers.db, handlers, inbound, pollers, owner) as receiver:
        yield receiver


@contextlib.asynccontextmanager
async def webhooks(handlers: Handlers, secret: str, telegram: TelegramChannel | None = None,
                   zalo_channel: ZaloChannel | None = None, owner: str = "test"
                   ) -> AsyncIterator[tuple[httpx.AsyncClient, Receiver]]:
    """An HTTP client on the webhook app, with the inbox worker running behind it."""
    inbound: dict[str, Any] = {}
    if telegram is not None:
        inbound["telegram"] = telegram_in.TelegramInbound(telegram.bot)
    if zalo_channel is not None:
        inbound["zalo"] = zalo_channel
    async with receiving(handlers.db, handlers, inbound, {}, owner) as receiver:
        web = create_app(handlers, secret, receiver)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web),
                                     base_url="http://hook") as http:
            yield http, receiver
        await asyncio.sleep(0)
