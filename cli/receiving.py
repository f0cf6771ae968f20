"""Receiving updates inside `nhacviec run`: long polling, or one webhook server for both."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import uvicorn

from bot.channels import zalo
from bot.channels.zalo import ZaloChannel
from bot.web import create_app
from cli.bootstrap import App

log = logging.getLogger("nhacviec.run")


@contextlib.asynccontextmanager
async def receiving(app: App) -> AsyncIterator[None]:
    """Start whatever receives updates for the configured channels; stop it on exit."""
    s = app.settings
    handlers = app.handlers
    stop = asyncio.Event()
    tasks: list[asyncio.Task[Any]] = []
    telegram_app = None
    secret = s.webhook_secret.get_secret_value() if s.webhook_secret else ""
    if s.telegram_bot_token:
        from bot.channels.telegram_app import build_application

        telegram_app = build_application(s.telegram_bot_token.get_secret_value(),
                                         s.telegram_api_base_url, handlers,
                                         webhook=bool(s.webhook_url))
        await telegram_app.initialize()
        await telegram_app.start()
        if s.webhook_url:
            await telegram_app.bot.set_webhook(f"{s.webhook_url}/telegram/webhook",
                                               secret_token=secret)
        elif telegram_app.updater is not None:
            await telegram_app.updater.start_polling(poll_interval=0.0, timeout=10)
    zalo_channel = app.channels.get("zalo")
    if isinstance(zalo_channel, ZaloChannel):
        if s.webhook_url:
            await zalo_channel.call("setWebhook", {"url": f"{s.webhook_url}/zalo/webhook",
                                                   "secret_token": secret})
        else:
            await zalo_channel.call("deleteWebhook")
            tasks.append(asyncio.create_task(zalo.poll(zalo_channel, handlers.handle, stop)))
    server = None
    if s.webhook_url or s.http_enabled:  # webhooks, and /healthz /readyz /metrics
        host, _, port = s.webhook_listen.rpartition(":")
        hooks = bool(s.webhook_url)
        web = create_app(handlers, secret, telegram_app if hooks else None,
                         zalo_channel if hooks and isinstance(zalo_channel, ZaloChannel)
                         else None)
        server = uvicorn.Server(uvicorn.Config(web, host=host, port=int(port),
                                               log_level="warning", lifespan="off"))
        tasks.append(asyncio.create_task(server.serve()))
        log.info("web server (webhooks, /healthz, /readyz, /metrics) on %s", s.webhook_listen)
    try:
        yield
    finally:
        stop.set()
        if server is not None:
            server.should_exit = True
        if telegram_app is not None:
            if telegram_app.updater is not None and telegram_app.updater.running:
                await telegram_app.updater.stop()
            await telegram_app.stop()
            await telegram_app.shutdown()
        for task in tasks:
            task.cancel()  # an open long poll is abandoned rather than waited out
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, timeout=10)
