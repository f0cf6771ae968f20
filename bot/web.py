"""Webhook mode: one ASGI app for Telegram and Zalo deliveries, plus the operator's
`/healthz` (alive), `/readyz` (database reachable and migrated, daily sweep not stale) and
`/metrics` (Prometheus text format).

The secret header is checked before the body is even parsed; a forged delivery gets 403 and
changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot import metrics
from bot.channels import telegram_in
from bot.handlers import Handlers
from bot.receiver import ReceiveHealth, Receiver
from storage import health as vitals_of

log = logging.getLogger("nhacviec.web")
TELEGRAM_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ZALO_HEADER = "X-Bot-Api-Secret-Token"
MAX_BODY = 1_000_000
SWEEP_STALE = dt.timedelta(hours=48)  # the sweep runs daily; two missed days is an alarm


def _secret_ok(request: Request, header: str, secret: str) -> bool:
    given = request.headers.get(header, "")
    return bool(secret) and hmac.compare_digest(given.encode(), secret.encode())


class TooLarge(Exception):
    """A body over MAX_BODY: refused while it is read, never held whole."""


async def _json(request: Request) -> dict[str, Any] | None:
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise TooLarge
        chunks.append(chunk)
    try:
        data = json.loads(b"".join(chunks))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


async def _body(request: Request) -> dict[str, Any] | Response:
    """The JSON object of a delivery, or the 4xx answer for anything else."""
    try:
        data = await _json(request)
    except TooLarge:
        log.warning("refused: webhook body over %d bytes", MAX_BODY)
        return Response(status_code=413)
    return Response(status_code=400) if data is None else data


async def _accept(receiver: Receiver, platform: str, data: dict[str, Any]) -> bool | None:
    """Store the delivery: True new, False a repeat, None when the database is unavailable
    (answered 503, so the platform delivers it again)."""
    try:
        return await receiver.accept(platform, data)
    except Exception as exc:
        log.warning("%s delivery not stored (%s: %s): answered 503", platform,
                    type(exc).__name__, exc)
        return None


def create_app(handlers: Handlers, secret: str, receiver: Receiver | None = None,
               health: ReceiveHealth | None = None) -> Starlette:
    """Webhooks are served for the platforms `receiver` has (none without one); `/readyz`
    and `/metrics` report the receive loops' `health`."""
    receiving = health or (receiver.health if receiver else ReceiveHealth())

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> Response:
        checks: dict[str, str] = {}
        ok = True
        try:
            await handlers.db.check_migrated()
            async with handlers.db.uow() as uow:
                found = await vitals_of.vitals(uow.session)
            checks["database"] = "ok"
        except Exception as exc:  # any failure means "not ready"; the reason is returned
            log.warning("readyz: database not ready: %s", exc)
            return JSONResponse({"status": "not ready", "checks": {"database": str(exc)}},
                                status_code=503)
        for platform, state in receiving.platforms.items():
            checks[platform] = state
            ok = ok and state == "ok"
        if found.inbox_failing:
            checks["inbox"] = (f"{found.inbox_failing} tin chưa xử lý được, đang thử lại: "
                               f"{found.inbox_error or ''}")[:300]
        if found.inbox_dead:
            checks["inbox_dead"] = (f"{found.inbox_dead} tin đã để riêng (bot dừng khi xử lý); "
                                    "xem: nhacviec inbox")
        if found.last_sweep_started is None:
            checks["sweep"] = "chưa chạy lần nào"
        else:
            age = dt.datetime.now(dt.UTC) - found.last_sweep_started
            checks["sweep"] = f"{age.total_seconds() / 3600:.1f} giờ trước"
            ok = ok and age <= SWEEP_STALE
        return JSONResponse({"status": "ready" if ok else "not ready", "checks": checks},
                            status_code=200 if ok else 503)

    async def metrics_endpoint(_request: Request) -> Response:
        async with handlers.db.uow() as uow:
            found = await vitals_of.vitals(uow.session)
        return Response(metrics.render(found, dt.datetime.now(dt.UTC),
                                       receiving.platforms),
                        media_type="text/plain; version=0.0.4; charset=utf-8")

    async def telegram_hook(request: Request) -> Response:
        if receiver is None or "telegram" not in receiver.inbound:
            return Response(status_code=404)
        if not _secret_ok(request, TELEGRAM_HEADER, secret):
            log.warning("refused: Telegram webhook delivery without the right secret")
            return Response(status_code=403)
        if request.headers.get("content-type", "").split(";")[0] != "application/json":
            return Response(status_code=403)
        data = await _body(request)
        if isinstance(data, Response):
            return data
        if not telegram_in.check(data):
            log.warning("refused: Telegram webhook body is not an update")
            return Response(status_code=400)
        query = data.get("callback_query")
        answer = isinstance(query, dict) and isinstance(query.get("id"), str)
        if answer:  # answered inside this response: no extra request, no spinner
            data[telegram_in.ANSWERED] = True
        stored = await _accept(receiver, "telegram", data)
        if stored is None:
            return Response(status_code=503)  # Telegram delivers it again later
        if stored and answer:
            return JSONResponse({"method": "answerCallbackQuery",
                                 "callback_query_id": query["id"]})  # type: ignore[index]
        return Response(status_code=200)

    async def zalo_hook(request: Request) -> Response:
        if receiver is None or "zalo" not in receiver.inbound:
            return Response(status_code=404)
        if not _secret_ok(request, ZALO_HEADER, secret):
            log.warning("refused: Zalo webhook delivery without the right secret")
            return Response(status_code=403)
        data = await _body(request)
        if isinstance(data, Response):
            return data
        if await _accept(receiver, "zalo", data) is None:
            return Response(status_code=503)
        return JSONResponse({"ok": True})

    return Starlette(routes=[Route("/healthz", healthz), Route("/readyz", readyz),
                             Route("/metrics", metrics_endpoint),
                             Route("/telegram/webhook", telegram_hook, methods=["POST"]),
                             Route("/zalo/webhook", zalo_hook, methods=["POST"])])
