"""Zalo Bot Platform through httpx: sending (≤ 2000 characters, no buttons), long polling
(one update per call, HTTP 200 + error 408 when empty), and update translation.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from bot.channels.base import (
    Buttons,
    ChannelError,
    Permanent,
    RateLimited,
    Transient,
    split_text,
)
from bot.types import FileRef, Incoming
from words.texts import NO_FILES_HERE

log = logging.getLogger("nhacviec.zalo")
POLL_SECONDS = 30


class ZaloChannel:
    kind = "zalo"
    max_text = 2000
    buttons = False

    def __init__(self, token: str, base_url: str, poll_seconds: int = POLL_SECONDS,
                 timeout: float = 10.0, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.poll_seconds = poll_seconds
        self._url = f"{base_url.rstrip('/')}/bot{token}"
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._seen: OrderedDict[str, None] = OrderedDict()

    async def call(self, method: str, payload: dict[str, Any] | None = None,
                   timeout: float | None = None) -> Any:
        """POST JSON; read the envelope whatever the HTTP status (Zalo answers 200 on errors)."""
        try:
            response = await self._http.post(f"{self._url}/{method}", json=payload or {},
                                              timeout=timeout or httpx.USE_CLIENT_DEFAULT)
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise Transient(f"{type(exc).__name__}: kết nối Zalo lỗi") from exc
        if not isinstance(body, dict):
            raise Transient("Zalo trả về dữ liệu không hợp lệ")
        if body.get("ok"):
            return body.get("result")
        raise classify(int(body.get("error_code") or response.status_code),
                       str(body.get("description") or "Zalo error"))

    async def start(self) -> None:
        await self.call("getMe")

    async def close(self) -> None:
        await self._http.aclose()

    async def send(self, chat_id: str, text: str, buttons: Buttons = ()) -> str:
        first = ""
        for part in split_text(text, self.max_text):
            result = await self.call("sendMessage", {"chat_id": chat_id, "text": part})
            first = first or str((result or {}).get("message_id", ""))
        return first

    async def next_update(self) -> dict[str, Any] | None:
        """One long poll; None when it expired empty (error 408 is not a failure)."""
        try:
            result = await self.call("getUpdates", {"timeout": self.poll_seconds},
                                     timeout=self.poll_seconds + 7)
        except Transient as exc:
            if "408" in str(exc) or "timeout" in str(exc).lower():
                return None
            raise
        return result if isinstance(result, dict) else None

    def first_time(self, update: dict[str, Any]) -> bool:
        """Deliveries repeat: dedupe on event name + message id."""
        message = update.get("message") or {}
        key = f"{update.get('event_name')}:{message.get('message_id')}"
        if key in self._seen:
            return False
        self._seen[key] = None
        while len(self._seen) > 10_000:
            self._seen.popitem(last=False)
        return True


def classify(code: int, description: str) -> ChannelError:
    text = f"{description} ({code})"
    if code == 408 or code >= 500:
        return Transient(text)
    if code == 429:
        return RateLimited(text, 5.0)
    if code in {403, 404}:
        return Permanent(text, contact_gone=True)
    if code == 401:
        return Transient(text)  # wrong token: a configuration problem, not the message's fault
    return Permanent(text, contact_gone=False)


def incoming(update: dict[str, Any]) -> Incoming | None:
    """A Zalo update (bare, or wrapped as {"ok": true, "result": …}) → Incoming."""
    if "result" in update and isinstance(update["result"], dict):
        update = update["result"]
    message = update.get("message")
    if not isinstance(message, dict) or not isinstance(message.get("chat"), dict):
        return None
    chat_id = str(message["chat"].get("id") or "")
    if not chat_id:
        return None
    sender = message.get("from") or {}
    name = str(sender.get("display_name") or sender.get("first_name") or "")
    event = str(update.get("event_name") or "")
    if event == "message.image.received":
        url = message.get("photo") or message.get("photo_url") or ""
        return Incoming("zalo", chat_id, str(message.get("caption") or ""), name,
                        file=FileRef("photo", str(message.get("message_id") or ""), None, None,
                                     str(url) or None))
    if event == "message.text.received":
        return Incoming("zalo", chat_id, str(message.get("text") or ""), name)
    return Incoming("zalo", chat_id, "", name)  # sticker, voice, unsupported: help is sent


async def poll(channel: ZaloChannel, handle: Callable[[Incoming], Awaitable[list[Any]]],
               stop: asyncio.Event) -> None:
    """Long-poll until `stop`; empty polls are normal, errors back off 1 s → 30 s."""
    backoff = 1.0
    while not stop.is_set():
        try:
            update = await channel.next_update()
        except ChannelError as exc:
            log.warning("Zalo getUpdates failed: %s; retrying in %.0f s", exc, backoff)
            await asyncio.sleep(backoff)
            backoff = min(30.0, backoff * 1.5)
            continue
        backoff = 1.0
        if update is None or not channel.first_time(update):
            continue
        await deliver(channel, update, handle)


async def deliver(channel: ZaloChannel, update: dict[str, Any],
                  handle: Callable[[Incoming], Awaitable[list[Any]]]) -> None:
    message = incoming(update)
    if message is None:
        return
    if not message.text and message.file is None:
        replies_text = ["Bot chỉ đọc được tin nhắn chữ và ảnh. Gõ /trogiup để xem hướng dẫn."]
    else:
        replies_text = [reply.text + (f"\n{NO_FILES_HERE}" if reply.attachment else "")
                        for reply in await handle(message)]
    for text in replies_text:
        try:
            await channel.send(message.chat_id, text)
        except ChannelError as exc:
            log.warning("Zalo reply to %s failed: %s", message.chat_id, exc)
