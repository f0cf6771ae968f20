"""Receiving updates inside `nhacviec run`: webhooks registered or removed, the pollers or
the web server started; everything goes through the durable inbox (`bot.receiving`)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

from bot.receiver import Receiver
from bot.receiving import freeze_startup, platforms
from bot.receiving import receiving as receive_loop
from cli.bootstrap import App

log = logging.getLogger("nhacviec.run")


@contextlib.asynccontextmanager
async def receiving(app: App) -> AsyncIterator[Receiver]:
    """Start whatever receives updates for the configured channels; stop it on exit."""
    s = app.settings
    secret = s.webhook_secret.get_secret_value() if s.webhook_secret else ""
    telegram: Any = app.channels.get("telegram")
    zalo_channel: Any = app.channels.get("zalo")
    if telegram is not None:  # Telegram keeps one delivery mode: webhook or getUpdates
        if s.webhook_url:
            from bot.channels.telegram_in import UPDATES

            await telegram.bot.set_webhook(f"{s.webhook_url}/telegram/webhook",
                                           secret_token=secret, allowed_updates=UPDATES)
        else:
            await telegram.bot.delete_webhook()
    if zalo_channel is not None:
        if s.webhook_url:
            await zalo_channel.call("setWebhook", {"url": f"{s.webhook_url}/zalo/webhook",
                                                   "secret_token": secret})
        else:
            await zalo_channel.call("deleteWebhook")
    inbound, pollers = platforms(telegram, zalo_channel, polling=not s.webhook_url)
    claim = dt.timedelta(seconds=s.receive_claim_seconds)
    async with receive_loop(app.db, app.handlers, inbound, pollers, app.owner,
                            claim) as receiver:
        server, serving = None, None
        if s.webhook_url or s.http_enabled:  # webhooks, and /healthz /readyz /metrics
            import uvicorn

            from bot.web import create_app

            host, _, port = s.webhook_listen.rpartition(":")
            web = create_app(app.handlers, secret, receiver if s.webhook_url else None,
                             health=receiver.health)
            server = _server_class()(uvicorn.Config(web, host=host, port=int(port),
                                            log_level="warning", lifespan="off"))
            serving = asyncio.create_task(server.serve())
            log.info("web server (webhooks, /healthz, /readyz, /metrics) on %s",
                     s.webhook_listen)
        freeze_startup()
        try:
            yield receiver
        finally:
            if server is not None and serving is not None:
                server.should_exit = True
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(serving, timeout=10)


def _server_class() -> type:
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn without its own signal handling: `run` owns SIGTERM/Ctrl-C (a graceful stop,
        exit 0). uvicorn's handler saw the same signal through the loop's wakeup fd and then
        raised it again, so one SIGTERM counted as two and the process exited with 1."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    return Server
