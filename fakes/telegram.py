"""A fake Telegram Bot API: the envelopes, errors and flood limits python-telegram-bot meets.

Routes `/bot<token>/<method>` (GET or POST, query, form, JSON or multipart). HTTP status
equals `error_code` on every failure, because python-telegram-bot maps on the status.
Tests drive it through `FakeTelegram` (block a chat, arm faults, read the call log).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

TOKEN_SHAPE = r"\d+:[\w-]+"
_JSON_FIELDS = ("reply_markup", "reply_parameters", "allowed_updates", "commands")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    status: int


@dataclass
class Fault:
    """Answer the next `times` calls of `method` with `status`/`description`, or a delay/HTML."""

    method: str
    times: int
    status: int = 500
    description: str = "Internal Server Error"
    delay: float = 0.0
    html: bool = False
    retry_after: int | None = None


@dataclass
class FakeTelegram:
    """State of the fake, per bot token. All methods are thread-safe."""

    token: str = "123456:TEST-token"
    per_chat_per_second: float = 1.0
    chat_burst: int = 3
    overall_per_second: float = 30.0
    group_per_minute: int = 20
    rate_limits: bool = True
    calls: list[Call] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    deactivated: set[int] = field(default_factory=set)
    unknown: set[int] = field(default_factory=set)
    faults: list[Fault] = field(default_factory=list)
    refusals: int = 0
    updates: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    callbacks: dict[str, float] = field(default_factory=dict)
    uploads: list[tuple[int, str, str, bytes, str]] = field(default_factory=list)
    webhook_url: str = ""
    callback_max_age: float = 15.0
    accept_any_callback: bool = False
    record_calls: bool = True
    _next_update: int = 700_000
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _buckets: dict[int, _Bucket] = field(default_factory=dict)
    _message_ids: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Parameters of every accepted sendMessage (optionally for one chat)."""
        with self._lock:
            return [c.params for c in self.calls if c.method == "sendmessage" and c.status == 200
                    and (chat_id is None or int(c.params["chat_id"]) == chat_id)]

    def push(self, update: dict[str, Any]) -> int:
        """Queue an incoming update (as a user would cause it); returns its update_id."""
        with self._lock:
            self._next_update += 1
            update = {"update_id": self._next_update, **update}
            self.updates.append(update)
            return self._next_update

    def user_message(self, chat_id: int, text: str = "", reply_to: int | None = None,
                     document: tuple[str, bytes] | None = None, name: str = "An") -> int:
        """A private message; `/…` text gets its bot_command entity like the real API."""
        user = {"id": chat_id, "is_bot": False, "first_name": name}
        message: dict[str, Any] = {"message_id": int(time.time() * 1000) % 1_000_000,
                                   "date": int(time.time()), "from": user,
                                   "chat": {"id": chat_id, "type": "private", "first_name": name}}
        if text:
            message["caption" if document else "text"] = text
            command = text.split()[0]
            if text.startswith("/") and not document:
                message["entities"] = [{"type": "bot_command", "offset": 0,
                                        "length": len(command)}]
        if reply_to is not None:
            message["reply_to_message"] = {"message_id": reply_to, "date": int(time.time()),
                                           "chat": message["chat"],
                                           "from": {"id": int(self.token.split(":")[0]),
                                                    "is_bot": True, "first_name": "Nhac viec"}}
        if document is not None:
            file_name, data = document
            file_id = f"BQAC{len(self.files) + 1:04d}"
            with self._lock:
                self.files[file_id] = (f"documents/{file_name}", data)
            message["document"] = {"file_id": file_id, "file_unique_id": f"u{file_id}",
                                   "file_name": file_name, "file_size": len(data),
                                   "mime_type": "application/octet-stream"}
        return self.push({"message": message})

    def button_press(self, chat_id: int, data: str, message_id: int = 1) -> str:
        """A tap on an inline button of the bot's message; returns the callback query id."""
        query_id = f"{chat_id}{int(time.time() * 1e6)}"
        with self._lock:
            self.callbacks[query_id] = time.monotonic()
        user = {"id": chat_id, "is_bot": False, "first_name": "An"}
        self.push({"callback_query": {
            "id": query_id, "from": user, "chat_instance": f"-{chat_id}", "data": data,
            "message": {"message_id": message_id, "date": int(time.time()),
                        "chat": {"id": chat_id, "type": "private"}, "text": "…"}}})
        return query_id

    def replies_to(self, chat_id: int) -> list[str]:
        return [m["text"] for m in self.sent(chat_id)]

    def arm(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def _take_fault(self, method: str) -> Fault | None:
        for fault in self.faults:
            if fault.method.lower() == method and fault.times > 0:
                fault.times -= 1
                return fault
        return None

    def _flood_wait(self, chat_id: int, now: float) -> float:
        """Seconds to wait if this message breaks a limit (token buckets), else 0 and count it."""
        if not self.rate_limits:
            return 0.0
        if chat_id < 0:
            chat = _Bucket.take(self._buckets, chat_id, self.group_per_minute,
                                self.group_per_minute / 60, now)
        else:
            chat = _Bucket.take(self._buckets, chat_id, self.chat_burst,
                                self.per_chat_per_second, now)
        if chat > 0:
            return chat
        overall = _Bucket.take(self._buckets, 0, self.overall_per_second,
                               self.overall_per_second, now)
        if overall > 0:
            self._buckets[chat_id].tokens += 1  # give the chat its token back
        return overall


@dataclass
class _Bucket:
    tokens: float
    at: float

    @staticmethod
    def take(buckets: dict[int, _Bucket], key: int, capacity: float, rate: float,
             now: float) -> float:
        bucket = buckets.get(key)
        if bucket is None:
            bucket = buckets[key] = _Bucket(capacity, now)
        bucket.tokens = min(capacity, bucket.tokens + (now - bucket.at) * rate)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / rate


def _error(status: int, description: str, **parameters: Any) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=status)


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


async def _params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query_params)
    kind = request.headers.get("content-type", "")
    if request.method == "POST":
        if kind.startswith("application/json"):
            params.update(await request.json())
        elif kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form(max_part_size=60 * 1024 * 1024)
            for key, value in form.items():
                if isinstance(value, str):
                    params[key] = value
                else:  # an uploaded file: kept as (file name, bytes)
                    params[key] = (value.filename or "", await value.read())
    for name in _JSON_FIELDS:
        if isinstance(params.get(name), str):
            with contextlib.suppress(ValueError):
                params[name] = json.loads(params[name])
    return params


def create_app(fake: FakeTelegram) -> Starlette:
    bot_user = {"id": int(fake.token.split(":")[0]), "is_bot": True, "first_name": "Nhac viec",
                "username": "nhacviec_test_bot", "can_join_groups": False,
                "can_read_all_group_messages": False, "supports_inline_queries": False}

    async def endpoint(request: Request) -> Response:
        token, method = request.path_params["token"], request.path_params["method"].lower()
        params = await _params(request)
        if token != fake.token:
            return _record(fake, method, params, _error(401, "Unauthorized"))
        with fake._lock:
            fault = fake._take_fault(method)
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.html:
                response: Response = PlainTextResponse("<html><body>502 Bad Gateway</body></html>",
                                                       status_code=502, media_type="text/html")
                return _record(fake, method, params, response)
            if fault.retry_after is not None:
                return _record(fake, method, params, _error(
                    429, f"Too Many Requests: retry after {fault.retry_after}",
                    retry_after=fault.retry_after))
            if fault.status != 200:
                return _record(fake, method, params, _error(fault.status, fault.description))
        if method == "getupdates":
            return _record(fake, method, params, await _get_updates(fake, params))
        handler = _METHODS.get(method)
        if handler is None:
            return _record(fake, method, params, _error(404, "Not Found"))
        return _record(fake, method, params, handler(fake, params, bot_user))

    async def download(request: Request) -> Response:
        if request.path_params["token"] != fake.token:
            return PlainTextResponse("Unauthorized", status_code=401)
        path = request.path_params["path"]
        with fake._lock:
            found = [data for stored, data in fake.files.values() if stored == path]
        return Response(found[0]) if found else PlainTextResponse("Not Found", status_code=404)

    return Starlette(routes=[Route("/bot{token}/{method}", endpoint, methods=["GET", "POST"]),
                             Route("/file/bot{token}/{path:path}", download)])


async def _get_updates(fake: FakeTelegram, params: dict[str, Any]) -> Response:
    """Long poll: confirm below `offset`, then wait up to `timeout` for something to hand out."""
    if fake.webhook_url:
        return _error(409, "Conflict: can't use getUpdates method while webhook is active; "
                           "use deleteWebhook to delete the webhook first")
    offset = int(params.get("offset") or 0)
    timeout = float(params.get("timeout") or 0)
    limit = int(params.get("limit") or 100)
    deadline = time.monotonic() + timeout
    while True:
        with fake._lock:
            if offset:
                fake.updates = [u for u in fake.updates if u["update_id"] >= offset]
            ready = fake.updates[:limit]
        if ready or time.monotonic() >= deadline:
            return _ok(ready)
        await asyncio.sleep(0.05)


def _record(fake: FakeTelegram, method: str, params: dict[str, Any],
            response: Response) -> Response:
    with fake._lock:
        fake.calls.append(Call(method, params, time.monotonic(), response.status_code))
    return response


def _get_me(fake: FakeTelegram, params: dict[str, Any], bot: dict[str, Any]) -> Response:
    return _ok(bot)


def _chat(fake: FakeTelegram, params: dict[str, Any]) -> int | Response:
    """The target chat of a send method, or the error Telegram gives for it."""
    try:
        chat_id = int(params.get("chat_id", ""))
    except ValueError:
        return _error(400, "Bad Request: chat not found")
    with fake._lock:
        if chat_id in fake.unknown:
            return _error(400, "Bad Request: chat not found")
        if chat_id in fake.blocked:
            return _error(403, "Forbidden: bot was blocked by the user")
        if chat_id in fake.deactivated:
            return _error(403, "Forbidden: user is deactivated")
        wait = fake._flood_wait(chat_id, time.monotonic())
        if wait > 0:
            fake.refusals += 1
            seconds = max(1, math.ceil(wait))
            return _error(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
        fake._message_ids[chat_id] += 1
    return chat_id


def _message(fake: FakeTelegram, chat_id: int, bot: dict[str, Any],
             **content: Any) -> Response:
    with fake._lock:
        message_id = fake._message_ids[chat_id]
    chat = {"id": chat_id, "type": "private" if chat_id > 0 else "group"}
    return _ok({"message_id": message_id, "date": int(time.time()), "chat": chat, "from": bot,
                **content})


def _send_message(fake: FakeTelegram, params: dict[str, Any], bot: dict[str, Any]) -> Response:
    text = str(params.get("text", ""))
    if not text.strip():
        return _error(400, "Bad Request: message text is empty")
    if len(text) > 4096:
        return _error(400, "Bad Request: message is too long")
    markup = params.get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []) if isinstance(markup, dict) else []:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                return _error(400, "Bad Request: BUTTON_DATA_INVALID")
    chat_id = _chat(fake, params)
    if isinstance(chat_id, Response):
        return chat_id
    return _message(fake, chat_id, bot, text=text,
                    **({"reply_markup": markup} if markup else {}))


def _send_file(kind: str) -> Any:
    """sendDocument / sendPhoto with a multipart upload; the bytes are kept in `uploads`."""

    def send(fake: FakeTelegram, params: dict[str, Any], bot: dict[str, Any]) -> Response:
        upload = params.get(kind)
        if not isinstance(upload, tuple) or not upload[1]:
            return _error(400, f"Bad Request: there is no {kind} in the request")
        name, data = upload
        if len(data) > 50 * 1024 * 1024:
            return _error(413, "Request Entity Too Large")
        caption = str(params.get("caption", ""))
        if len(caption) > 1024:
            return _error(400, "Bad Request: message caption is too long")
        chat_id = _chat(fake, params)
        if isinstance(chat_id, Response):
            return chat_id
        with fake._lock:
            file_id = f"{kind[:3].upper()}-{len(fake.files) + 1}"
            fake.files[file_id] = (f"{kind}s/{name or file_id}", data)
            fake.uploads.append((chat_id, kind, name, data, caption))
        meta = {"file_id": file_id, "file_unique_id": file_id.lower(), "file_size": len(data)}
        content = ({"document": {**meta, "file_name": name}} if kind == "document"
                   else {"photo": [{**meta, "width": 1, "height": 1}]})
        return _message(fake, chat_id, bot, caption=caption, **content)

    return send


def _true(fake: FakeTelegram, params: dict[str, Any], bot: dict[str, Any]) -> Response:
    return _ok(True)


def _answer_callback(fake: FakeTelegram, params: dict[str, Any], bot: dict[str, Any]) -> Response:
    with fake._lock:
        asked = fake.callbacks.pop(str(params.get("callback_query_id")), None)
    if fake.accept_any_callback:
        return _ok(True)
    if asked is None or time.monotonic() - asked > fake.callback_max_age:
        return _error(400, "Bad Request: query is too old and response timeout expired or "
                           "query ID is invalid")
    return _ok(True)


def _get_file(fake: FakeTelegram, params: dict[str, Any], bot: dict[str, Any]) -> Response:
    file_id = str(params.get("file_id", ""))
    with fake._lock:
        found = fake.files.get(file_id)
    if found is None:
        return _error(400, "Bad Request: invalid file id")
    if len(found[1]) > 20 * 1024 * 1024:
        return _error(400, "Bad Request: file is too big")
    return _ok({"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(found[1]),
                "file_path": found[0]})


def _delete_webhook(fake: FakeTelegram, params: dict[str, Any], bot: dict[str, Any]) -> Response:
    with fake._lock:
        fake.webhook_url = ""
        if str(params.get("drop_pending_updates", "")).lower() == "true":
            fake.updates.clear()
    return _ok(True)


def _set_webhook(fake: FakeTelegram, params: dict[str, Any], bot: dict[str, Any]) -> Response:
    secret = str(params.get("secret_token", ""))
    if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        return _error(400, "Bad Request: secret token contains unallowed characters")
    with fake._lock:
        fake.webhook_url = str(params.get("url", ""))
    return _ok(True)


def _webhook_info(fake: FakeTelegram, params: dict[str, Any], bot: dict[str, Any]) -> Response:
    with fake._lock:
        return _ok({"url": fake.webhook_url, "has_custom_certificate": False,
                    "pending_update_count": len(fake.updates)})


_METHODS = {"getme": _get_me, "getwebhookinfo": _webhook_info, "sendmessage": _send_message,
            "deletewebhook": _delete_webhook,
            "setwebhook": _set_webhook, "setmycommands": _true,
            "answercallbackquery": _answer_callback, "getfile": _get_file,
            "senddocument": _send_file("document"), "sendphoto": _send_file("photo")}
