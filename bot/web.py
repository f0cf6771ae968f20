"""Webhook mode: one ASGI app for Telegram and Zalo deliveries, and `/healthz`.

The secret header is checked before the body is even parsed; a forged delivery gets 403 and
changes nothing.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update

from bot.channels import zalo
from bot.channels.zalo import ZaloChannel
from bot.handlers import Handlers

log = logging.getLogger("nhacviec.web")
TELEGRAM_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ZALO_HEADER = "X-Bot-Api-Secret-Token"
MAX_BODY = 1_000_000


def _secret_ok(request: Request, header: str, secret: str) -> bool:
    given = request.headers.get(header, "")
    return bool(secret) and hmac.compare_digest(given.encode(), secret.encode())


async def _json(request: Request) -> dict[str, Any] | None:
    body = await request.body()
    if len(body) > MAX_BODY:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def create_app(handlers: Handlers, secret: str, telegram_app: Any | None = None,
               zalo_channel: ZaloChannel | None = None) -> Starlette:
    """`telegram_app`: an initialised PTB Application built with `webhook=True`."""

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def telegram_hook(request: Request) -> Response:
        if telegram_app is None:
            return Response(status_code=404)
        if not _secret_ok(request, TELEGRAM_HEADER, secret):
            log.warning("refused: Telegram webhook delivery without the right secret")
            return Response(status_code=403)
        if request.headers.get("content-type", "").split(";")[0] != "application/json":
            return Response(status_code=403)
        data = await _json(request)
        if data is None:
            return Response(status_code=400)
        update = Update.de_json(data, telegram_app.bot)
        await telegram_app.process_update(update)
        return Response(status_code=200)

    async def zalo_hook(request: Request) -> Response:
        if zalo_channel is None:
            return Response(status_code=404)
        if not _secret_ok(request, ZALO_HEADER, secret):
            log.warning("refused: Zalo webhook delivery without the right secret")
            return Response(status_code=403)
        data = await _json(request)
        if data is None:
            return Response(status_code=400)
        result = data.get("result")
        update: dict[str, Any] = result if isinstance(result, dict) else data
        if zalo_channel.first_time(update):
            await zalo.deliver(zalo_channel, update, handlers.handle)
        return JSONResponse({"ok": True})

    return Starlette(routes=[Route("/healthz", healthz),
                             Route("/telegram/webhook", telegram_hook, methods=["POST"]),
                             Route("/zalo/webhook", zalo_hook, methods=["POST"])])
