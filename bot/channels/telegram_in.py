"""Receiving on Telegram with python-telegram-bot's `Bot`: long polling that never confirms
an update before it is stored, translation of stored updates, and replies.

The offset sent to getUpdates is what confirms updates to Telegram, so it only moves past an
update once `accept` has stored it; after a failure the next poll starts from the last
stored update and Telegram hands the rest over again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, InputFile
from telegram.error import RetryAfter, TelegramError

from bot.channels.base import Permanent, RateLimited, split_text
from bot.channels.telegram import classify, keyboard
from bot.types import Attachment, FileRef, Incoming, Reply
from words.texts import DOWNLOAD_TOO_BIG

log = logging.getLogger("nhacviec.telegram")
ANSWERED = "_nhacviec_callback_answered"  # set on a stored update when the webhook answered
UPDATES = ["message", "callback_query"]


class TelegramInbound:
    kind = "telegram"

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    def update_key(self, update: dict[str, Any]) -> str | None:
        update_id = update.get("update_id")
        return str(update_id) if isinstance(update_id, int) else None

    def chat_of(self, update: dict[str, Any]) -> str:
        query = update.get("callback_query")
        source = query.get("message") if isinstance(query, dict) else update.get("message")
        return _chat(source) or ""

    async def incoming(self, update: dict[str, Any]) -> Incoming | None:
        """Read straight from the update's JSON (the shape `check` let in): the answer path
        builds no python-telegram-bot objects."""
        answered = bool(update.pop(ANSWERED, False))
        query = update.get("callback_query")
        if isinstance(query, dict):
            chat = _chat(query.get("message"))
            if chat is None:
                return None
            if not answered:
                try:  # stop the spinner; Telegram expires queries quickly
                    await self.bot.answer_callback_query(str(query.get("id")))
                except TelegramError as exc:
                    log.info("callback answer failed: %s", exc)
            return Incoming("telegram", chat, sender_name=_name(query.get("from")),
                            button=str(query.get("data") or ""))
        message = update.get("message")  # edits, channel posts and the rest are not answers
        chat = _chat(message)
        if chat is None or not isinstance(message, dict):
            return None
        reply_to = message.get("reply_to_message")
        by_bot = isinstance(reply_to, dict) and bool((reply_to.get("from") or {}).get("is_bot"))
        return Incoming("telegram", chat, str(message.get("text") or message.get("caption") or ""),
                        _name(message.get("from")),
                        reply_to=str(reply_to.get("message_id")) if by_bot and reply_to else None,
                        file=await self._file(message))

    async def _file(self, message: dict[str, Any]) -> FileRef | None:
        """Documents and photos are kept as references: id, name, size and the file's path
        under the bot's folder (never a URL or path that contains the token)."""
        document, photos = message.get("document"), message.get("photo")
        if isinstance(document, dict) and document.get("file_id"):
            kind, found = "document", document
        elif isinstance(photos, list) and photos and isinstance(photos[-1], dict):
            kind, found = "photo", photos[-1]  # the largest size comes last
        else:
            return None
        file_id = str(found.get("file_id"))
        size = found.get("file_size")
        path = None
        try:
            fetched = await self.bot.get_file(file_id)
            path = tokenless(fetched.file_path, self.bot.token)
        except TelegramError as exc:  # e.g. "file is too big" (over 20 MB): keep the id only
            log.info("getFile %s failed: %s", file_id, exc)
        name = found.get("file_name") if kind == "document" else None
        return FileRef(kind, file_id, str(name) if name else None,
                       size if isinstance(size, int) else None, path)

    async def download(self, file: FileRef, limit: int) -> bytes:
        """getFile, then the bytes from the file URL (bots may download up to 20 MB)."""
        too_big = Permanent(DOWNLOAD_TOO_BIG.format(mb=limit // (1024 * 1024)), False)
        if file.size is not None and file.size > limit:
            raise too_big
        try:
            fetched = await self.bot.get_file(file.file_id)
            if fetched.file_size is not None and fetched.file_size > limit:
                raise too_big
            data = bytes(await fetched.download_as_bytearray())
        except TelegramError as exc:
            if "too big" in exc.message.lower():
                raise too_big from exc
            raise classify(exc) from exc
        if len(data) > limit:
            raise too_big
        return data

    async def reply(self, chat_id: str, replies: list[Reply]) -> None:
        for reply in replies:
            try:
                await self._one(int(chat_id), reply)
            except TelegramError as exc:
                raise classify(exc) from exc

    async def _one(self, chat_id: int, reply: Reply) -> None:
        if reply.attachment is not None:
            await self._file_reply(chat_id, reply.attachment, reply.text)
            return
        parts = split_text(reply.text, 4096)
        for index, part in enumerate(parts):
            markup = keyboard(reply.buttons) if reply.buttons and index == len(parts) - 1 else None
            for attempt in range(3):
                try:
                    await self.bot.send_message(chat_id, part, reply_markup=markup)
                    break
                except RetryAfter as exc:  # a reply is worth waiting for: the user is there
                    limited = classify(exc)
                    if attempt == 2 or not isinstance(limited, RateLimited):
                        raise
                    await asyncio.sleep(limited.after + 0.1)

    async def _file_reply(self, chat_id: int, file: Attachment, caption: str) -> None:
        upload = InputFile(file.data, filename=file.name)
        if file.kind == "photo":
            await self.bot.send_photo(chat_id, upload, caption=caption[:1024])
        else:
            await self.bot.send_document(chat_id, upload, caption=caption[:1024])


def tokenless(path: str | None, token: str) -> str | None:
    """The file's path relative to the bot's folder. A local Bot API server gives absolute
    paths with the token in them (`/var/lib/telegram-bot-api/<token>/documents/x.pdf`)."""
    if not path:
        return None
    if token and token in path:
        path = path.split(token, 1)[1]
    elif "/file/bot" in path:
        path = path.rsplit("/file/bot", 1)[1].split("/", 1)[-1]
    return path.lstrip("/") or None


def check(update: dict[str, Any]) -> bool:
    """Whether a webhook body is an update we can read: a message needs its chat, id and
    date; a button press its query id and sender. Other kinds are accepted and ignored."""
    if not isinstance(update.get("update_id"), int):
        return False
    message = update.get("message")
    if message is not None and not (
            _chat(message) is not None and isinstance(message.get("message_id"), int)
            and isinstance(message.get("date"), int)):
        return False
    query = update.get("callback_query")
    return query is None or (isinstance(query, dict) and isinstance(query.get("id"), str)
                             and isinstance(query.get("from"), dict))


def _chat(message: Any) -> str | None:
    chat = message.get("chat") if isinstance(message, dict) else None
    chat_id = chat.get("id") if isinstance(chat, dict) else None
    return str(chat_id) if isinstance(chat_id, int) and not isinstance(chat_id, bool) else None


def _name(user: Any) -> str:
    if not isinstance(user, dict):
        return ""
    return " ".join(str(user[k]) for k in ("first_name", "last_name") if user.get(k))


async def poll(bot: Bot, accept: Callable[[dict[str, Any]], Awaitable[bool]],
               halt: asyncio.Event, alive: Callable[[], None], timeout: int = 10) -> None:
    """Long-poll until `halt`. Errors propagate: the supervisor restarts the loop, which
    asks again from the last stored update."""
    offset: int | None = None
    while not halt.is_set():
        updates = await bot.get_updates(offset=offset, timeout=timeout,
                                        read_timeout=timeout + 5, allowed_updates=UPDATES)
        alive()
        for update in updates:
            try:
                await accept(update.to_dict())
            except Exception:
                log.error("could not store Telegram update %d; asking for it again",
                          update.update_id)
                raise
            offset = update.update_id + 1
