"""Telegram through python-telegram-bot 22 (over aiohttp, `channels.http`): sending, with
PTB's errors classified."""

from __future__ import annotations

import datetime as dt
import warnings

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.channels.base import (
    Buttons,
    ChannelError,
    Migrated,
    Permanent,
    RateLimited,
    Transient,
    split_text,
)
from bot.channels.http import AiohttpRequest

_GONE = ("chat not found", "user not found", "bot can't initiate", "peer_id_invalid")


class TelegramChannel:
    kind = "telegram"
    max_text = 4096
    buttons = True
    username: str | None = None

    def __init__(self, token: str, base_url: str, file_url: str | None = None,
                 timeout: float = 10.0) -> None:
        self.bot = Bot(token, base_url=base_url, base_file_url=file_url or file_base(base_url),
                       request=AiohttpRequest(timeout),
                       get_updates_request=AiohttpRequest(timeout, pool=1))

    async def start(self) -> None:
        try:
            await self.bot.initialize()
        except TelegramError as exc:
            raise classify(exc) from exc
        self.username = self.bot.username

    async def close(self) -> None:
        await self.bot.shutdown()

    async def send(self, chat_id: str, text: str, buttons: Buttons = ()) -> str:
        first = ""
        parts = split_text(text, self.max_text)
        for index, part in enumerate(parts):
            markup = keyboard(buttons) if buttons and index == len(parts) - 1 else None
            try:
                message = await self.bot.send_message(chat_id=int(chat_id), text=part,
                                                       reply_markup=markup)
            except TelegramError as exc:
                raise classify(exc) from exc
            first = first or str(message.message_id)
        return first


def file_base(base_url: str) -> str:
    """Where files are downloaded: `…/bot` (methods) → `…/file/bot`, as on api.telegram.org
    and a local Bot API server."""
    root, _, tail = base_url.rstrip("/").rpartition("/")
    return f"{root}/file/{tail}" if tail.startswith("bot") else base_url


def keyboard(buttons: Buttons) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data)
                                  for b in row] for row in buttons])


def classify(exc: TelegramError) -> ChannelError:
    """Map PTB's exception to what the dispatcher should do about it."""
    if isinstance(exc, RetryAfter):
        with warnings.catch_warnings():  # PTB 22 warns that the type becomes timedelta; both work
            warnings.simplefilter("ignore")
            after = exc.retry_after
        seconds = after.total_seconds() if isinstance(after, dt.timedelta) else float(after)
        return RateLimited(exc.message, seconds)
    if isinstance(exc, ChatMigrated):
        return Migrated(exc.message, str(exc.new_chat_id))
    if isinstance(exc, Forbidden):
        return Permanent(exc.message)
    if isinstance(exc, BadRequest):
        gone = any(marker in exc.message.lower() for marker in _GONE)
        return Permanent(exc.message, contact_gone=gone)
    if isinstance(exc, InvalidToken | TimedOut | NetworkError):
        return Transient(exc.message)
    return Transient(exc.message)
