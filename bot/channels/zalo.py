"""Zalo Bot Platform over aiohttp (`channels.http`): sending (≤ 2000 characters, no
buttons), long polling (one update per call, HTTP 200 + error 408 when empty), and update
translation.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from bot.channels.base import (
    Buttons,
    ChannelError,
    Permanent,
    RateLimited,
    Transient,
    split_text,
)
from bot.channels.http import new_session
from bot.types import FileRef, Incoming, Reply
from words.texts import NO_FILES_HERE, ZALO_NO_FILES

log = logging.getLogger("nhacviec.zalo")
POLL_SECONDS = 30


class ZaloChannel:
    kind = "zalo"
    max_text = 2000
    buttons = False

    def __init__(self, token: str, base_url: str, poll_seconds: int = POLL_SECONDS,
                 timeout: float = 10.0) -> None:
        self.poll_seconds, self.timeout = poll_seconds, timeout
        self._url = f"{base_url.rstrip('/')}/bot{token}"
        self._http: aiohttp.ClientSession | None = None  # made in the loop that uses it

    async def call(self, method: str, payload: dict[str, Any] | None = None,
                   timeout: float | None = None) -> Any:
        """POST JSON; read the envelope whatever the HTTP status (Zalo answers 200 on errors)."""
        if self._http is None or self._http.closed:
            self._http = new_session()
        try:
            limit = aiohttp.ClientTimeout(total=timeout or self.timeout)
            async with self._http.post(f"{self._url}/{method}", json=payload or {},
                                       timeout=limit) as response:
                status = response.status
                body = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise Transient(f"{type(exc).__name__}: kết nối Zalo lỗi") from exc
        if not isinstance(body, dict):
            raise Transient("Zalo trả về dữ liệu không hợp lệ")
        if body.get("ok"):
            return body.get("result")
        raise classify(int(body.get("error_code") or status),
                       str(body.get("description") or "Zalo error"))

    async def start(self) -> None:
        await self.call("getMe")

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()

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

    def update_key(self, update: dict[str, Any]) -> str | None:
        """Zalo has no update id: a redelivery repeats the event name and message id."""
        update = _unwrap(update)
        message = update.get("message")
        if not isinstance(message, dict) or not message.get("message_id"):
            return None
        return f"{update.get('event_name')}:{message.get('message_id')}"

    def chat_of(self, update: dict[str, Any]) -> str:
        message = _unwrap(update).get("message")
        chat = message.get("chat") if isinstance(message, dict) else None
        return str(chat.get("id") or "") if isinstance(chat, dict) else ""

    async def incoming(self, update: dict[str, Any]) -> Incoming | None:
        return incoming(update)

    async def reply(self, chat_id: str, replies: list[Reply]) -> None:
        for reply in replies:  # Zalo bots cannot upload files: the text says where to get it
            await self.send(chat_id, reply.text + (f"\n{NO_FILES_HERE}"
                                                   if reply.attachment else ""))


    async def download(self, file: FileRef, limit: int) -> bytes:
        raise Permanent(ZALO_NO_FILES, contact_gone=False)


def _unwrap(update: dict[str, Any]) -> dict[str, Any]:
    result = update.get("result")
    return result if isinstance(result, dict) else update


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
    update = _unwrap(update)
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


async def poll(channel: ZaloChannel, accept: Callable[[dict[str, Any]], Awaitable[bool]],
               halt: asyncio.Event, alive: Callable[[], None]) -> None:
    """Long-poll until `halt`; empty polls are normal, platform errors back off 1 s → 30 s.
    An update that cannot be stored is kept and stored again before the next poll (Zalo
    hands each update out once); other errors propagate to the supervisor."""
    backoff = 1.0
    while not halt.is_set():
        try:
            update = await channel.next_update()
        except ChannelError as exc:
            log.warning("Zalo getUpdates failed: %s; retrying in %.0f s", exc, backoff)
            await asyncio.sleep(backoff)
            backoff = min(30.0, backoff * 1.5)
            continue
        alive()
        backoff = 1.0
        if update is None:
            continue
        await _store(accept, update, halt)


async def _store(accept: Callable[[dict[str, Any]], Awaitable[bool]], update: dict[str, Any],
                 halt: asyncio.Event) -> None:
    """Until stored: Zalo will not hand this update out again. A halt (the lease went to
    another process) does not drop it either — storing is idempotent by the update's key."""
    wait = 1.0
    while True:
        try:
            await accept(update)
            return
        except Exception as exc:
            message = _unwrap(update).get("message") or {}
            log.error("could not store Zalo update %s (%s); trying again in %.0f s",
                      message.get("message_id"), exc, wait)
        await asyncio.sleep(wait)
        wait = min(30.0, wait * 2)
