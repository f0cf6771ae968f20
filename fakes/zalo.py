"""A fake Zalo Bot Platform API: JSON POSTs, string ids, one update per getUpdates, HTTP 200 +
error 408 on an empty long poll, 2000-character messages, no buttons or documents.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class ZaloCall:
    method: str
    params: dict[str, Any]
    at: float
    ok: bool


@dataclass
class FakeZalo:
    token: str = "1459232241454765289:zalo-test-secret"
    updates: list[dict[str, Any]] = field(default_factory=list)
    calls: list[ZaloCall] = field(default_factory=list)
    webhook_url: str = ""
    webhook_secret: str = ""
    test_mode: bool = True  # accept http://127.0.0.1 webhooks
    unknown_token_status: int = 401
    _ids: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _event(self, event: str, chat_id: str, name: str, **fields: Any) -> dict[str, Any]:
        with self._lock:
            self._ids += 1
            message_id = f"{self._ids:020x}"
        return {"event_name": event, "message": {
            "message_id": message_id, "date": int(time.time() * 1000),
            "chat": {"id": chat_id, "chat_type": "PRIVATE"},
            "from": {"id": chat_id, "display_name": name, "is_bot": False}, **fields}}

    def text(self, chat_id: str, text: str, name: str = "Nguyen Van A") -> dict[str, Any]:
        update = self._event("message.text.received", chat_id, name, text=text)
        with self._lock:
            self.updates.append(update)
        return update

    def image(self, chat_id: str, url: str, caption: str = "") -> dict[str, Any]:
        update = self._event("message.image.received", chat_id, "A", photo=url, caption=caption)
        with self._lock:
            self.updates.append(update)
        return update

    def unsupported(self, chat_id: str) -> dict[str, Any]:
        update = self._event("message.unsupported.received", chat_id, "A")
        with self._lock:
            self.updates.append(update)
        return update

    def sent(self, chat_id: str | None = None) -> list[str]:
        with self._lock:
            return [c.params["text"] for c in self.calls if c.method == "sendMessage" and c.ok
                    and (chat_id is None or c.params.get("chat_id") == chat_id)]


def _fail(code: int, description: str, status: int = 200) -> JSONResponse:
    return JSONResponse({"ok": False, "error_code": code, "description": description},
                        status_code=status)


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


def create_app(fake: FakeZalo) -> Starlette:
    async def endpoint(request: Request) -> Response:
        method = request.path_params["method"]
        try:
            params = await request.json() if await request.body() else {}
        except ValueError:
            params = {}
        if request.path_params["token"] != fake.token:
            response = _fail(fake.unknown_token_status, "Unauthorized", fake.unknown_token_status)
        else:
            response = await _handle(fake, method, params if isinstance(params, dict) else {})
        with fake._lock:
            fake.calls.append(ZaloCall(method, params if isinstance(params, dict) else {},
                                       time.monotonic(), b'"ok":true' in response.body))
        return response

    return Starlette(routes=[Route("/bot{token}/{method}", endpoint, methods=["POST"])])


async def _handle(fake: FakeZalo, method: str, params: dict[str, Any]) -> JSONResponse:
    if method == "getMe":
        return _ok({"id": fake.token.split(":")[0], "account_name": "bot.nhacviec",
                    "account_type": "BASIC", "can_join_groups": False})
    if method == "getUpdates":
        if fake.webhook_url:
            return _fail(400, "Webhook is set; delete it before calling getUpdates")
        deadline = time.monotonic() + float(params.get("timeout") or 30)
        while time.monotonic() < deadline:
            with fake._lock:
                if fake.updates:
                    return _ok(fake.updates.pop(0))
            await asyncio.sleep(0.05)
        return _fail(408, "Request timeout")
    if method == "sendMessage":
        text = str(params.get("text") or "")
        if not 1 <= len(text) <= 2000 or not params.get("chat_id"):
            return _fail(400, "Text length must be between 1 and 2000 characters")
        with fake._lock:
            fake._ids += 1
            message_id = f"{fake._ids:020x}"
        return _ok({"message_id": message_id, "date": int(time.time() * 1000)})
    if method == "sendPhoto":
        photo = str(params.get("photo") or "")
        if not photo:
            return _fail(400, "The photo must not be empty")
        if not photo.startswith(("http://", "https://")):
            return _fail(400, "The photo must start with http:// or https://")
        return _ok({"message_id": "p1", "date": int(time.time() * 1000)})
    if method == "sendChatAction":
        return JSONResponse({"ok": True})
    return await _webhook(fake, method, params)


async def _webhook(fake: FakeZalo, method: str, params: dict[str, Any]) -> JSONResponse:
    now = int(time.time() * 1000)
    if method == "setWebhook":
        url, secret = str(params.get("url") or ""), str(params.get("secret_token") or "")
        local = fake.test_mode and url.startswith("http://127.0.0.1")
        if not (url.startswith("https://") or local):
            return _fail(400, "The webhook url must be https")
        if not 8 <= len(secret) <= 256:
            return _fail(400, "The secret token must be 8-256 characters")
        fake.webhook_url, fake.webhook_secret = url, secret
        return _ok({"url": url, "updated_at": now})
    if method == "getWebhookInfo":
        return _ok({"url": fake.webhook_url, "updated_at": now})
    if method == "deleteWebhook":
        fake.webhook_url = ""
        return _ok({"url": "", "updated_at": now})
    return _fail(404, "Method not found", 404)
