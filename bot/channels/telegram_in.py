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

from telegram import Bot, InputFile, Message, Update
from telegram.error import RetryAfter, TelegramError

from bot.channels.base import RateLimited, split_text
from bot.channels.telegram import classify, keyboard
from bot.types import Attachment, FileRef, Incoming, Reply

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

    async def incoming(self, update: dict[str, Any]) -> Incoming | None:
        answered = bool(update.pop(ANSWERED, False))
        parsed = Update.de_json(update, self.bot)
        if parsed.callback_query is not None:
            query = parsed.callback_query
            if query.message is None:
                return None
            if not answered:
                try:  # stop the spinner; Telegram expires queries quickly
                    await query.answer()
                except TelegramError as exc:
                    log.info("callback answer failed: %s", exc)
            return Incoming("telegram", str(query.message.chat.id),
                            sender_name=query.from_user.full_name, button=query.data or "")
        message = parsed.message  # edits, channel posts and the rest are not answers
        if message is None or message.chat is None:
            return None
        return await self._message(message)

    async def _message(self, message: Message) -> Incoming:
        reply_to = message.reply_to_message
        by_bot = (reply_to is not None and reply_to.from_user is not None
                  and reply_to.from_user.is_bot)
        sender = message.from_user.full_name if message.from_user else ""
        return Incoming("telegram", str(message.chat.id),
                        message.text or message.caption or "", sender,
                        reply_to=str(reply_to.message_id) if by_bot and reply_to else None,
                        file=await self._file(message))

    async def _file(self, message: Message) -> FileRef | None:
        """Documents and photos are kept as references: id, name, size and the file's path
        under the bot's folder (never a URL or path that contains the token)."""
        if message.document:
            kind, file_id = "document", message.document.file_id
            name, size = message.document.file_name, message.document.file_size
        elif message.photo:
            largest = message.photo[-1]
            kind, file_id, name, size = "photo", largest.file_id, None, largest.file_size
        else:
            return None
        path = None
        try:
            found = await self.bot.get_file(file_id)
            path = tokenless(found.file_path, self.bot.token)
        except TelegramError as exc:  # e.g. "file is too big" (over 20 MB): keep the id only
            log.info("getFile %s failed: %s", file_id, exc)
        return FileRef(kind, file_id, name, size, path)

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
    """Whether a webhook body is an update python-telegram-bot can read."""
    try:
        Update.de_json(dict(update), None)
    except (KeyError, TypeError, ValueError):
        return False
    return True


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
