"""Receiving on Telegram: python-telegram-bot's Application turns updates into `Incoming`.

Long polling (`start_polling`) or webhook deliveries handed over by `bot.web`; in both cases
a PTB callback is translate → handle → reply, nothing more.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import InputFile, Message, Update
from telegram.error import RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels.base import RateLimited, split_text
from bot.channels.telegram import classify, keyboard
from bot.types import Attachment, FileRef, HandlesIncoming, Incoming, Reply

log = logging.getLogger("nhacviec.telegram")


def build_application(token: str, base_url: str, handlers: HandlesIncoming,
                      file_url: str | None = None,
                      webhook: bool = False) -> Application[Any, Any, Any, Any, Any, Any]:
    builder = (ApplicationBuilder().token(token).base_url(base_url)
               .base_file_url(file_url or base_url.replace("/bot", "/file/bot"))
               .get_updates_read_timeout(15))
    if webhook:
        builder = builder.updater(None)
    app = builder.build()

    async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.chat is None:
            return
        incoming = await _incoming(message, context)
        await _reply(context, message.chat.id, await handlers.handle(incoming))

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.message is None:
            return
        try:
            await query.answer()  # stop the spinner first: Telegram expires queries quickly
        except TelegramError as exc:
            log.info("callback answer failed: %s", exc)
        chat_id = query.message.chat.id
        incoming = Incoming("telegram", str(chat_id), sender_name=query.from_user.full_name,
                            button=query.data or "")
        await _reply(context, chat_id, await handlers.handle(incoming))

    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE, on_message))
    app.add_error_handler(_on_error)
    return app


async def _incoming(message: Message, context: ContextTypes.DEFAULT_TYPE) -> Incoming:
    reply_to = message.reply_to_message
    by_bot = reply_to is not None and reply_to.from_user is not None and reply_to.from_user.is_bot
    sender = message.from_user.full_name if message.from_user else ""
    return Incoming("telegram", str(message.chat.id), message.text or message.caption or "",
                    sender, reply_to=str(reply_to.message_id) if by_bot and reply_to else None,
                    file=await _file(message, context))


async def _file(message: Message, context: ContextTypes.DEFAULT_TYPE) -> FileRef | None:
    """Documents and photos are kept as references: file id, name, size and the file path
    (never the download URL — it contains the bot token)."""
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
        found = await context.bot.get_file(file_id)
        path = found.file_path.rsplit("/file/bot", 1)[-1].split("/", 1)[-1] \
            if found.file_path else None
    except TelegramError as exc:  # e.g. "file is too big" (over 20 MB): keep the id only
        log.info("getFile %s failed: %s", file_id, exc)
    return FileRef(kind, file_id, name, size, path)


async def _reply(context: ContextTypes.DEFAULT_TYPE, chat_id: int,
                 replies: list[Reply]) -> None:
    for reply in replies:
        if reply.attachment is not None:
            await _send_file(context, chat_id, reply.attachment, reply.text)
            continue
        parts = split_text(reply.text, 4096)
        for index, part in enumerate(parts):
            markup = keyboard(reply.buttons) if reply.buttons and index == len(parts) - 1 else None
            for attempt in range(3):
                try:
                    await context.bot.send_message(chat_id, part, reply_markup=markup)
                    break
                except RetryAfter as exc:  # a reply is worth waiting for: the user is there
                    limited = classify(exc)
                    if attempt == 2 or not isinstance(limited, RateLimited):
                        raise
                    await asyncio.sleep(limited.after + 0.1)


async def _send_file(context: ContextTypes.DEFAULT_TYPE, chat_id: int, file: Attachment,
                     caption: str) -> None:
    upload = InputFile(file.data, filename=file.name)
    if file.kind == "photo":
        await context.bot.send_photo(chat_id, upload, caption=caption[:1024])
    else:
        await context.bot.send_document(chat_id, upload, caption=caption[:1024])


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("telegram update failed: %s", context.error)
