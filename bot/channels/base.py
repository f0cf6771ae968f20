"""The one contract every chat platform adapter fulfils.

Adapters move text; they classify every platform failure as transient, rate-limited (retry
after N s), migrated (new chat id) or permanent. What to do about it is the dispatcher's call.
"""

from __future__ import annotations

from typing import Any, Protocol

from bot.types import Button, FileRef, Incoming, Reply

Buttons = tuple[tuple[Button, ...], ...]


class ChannelError(Exception):
    """A send failed; `str(error)` is the platform's own description (never a secret)."""


class Transient(ChannelError):
    """Worth retrying later: timeouts, network errors, 5xx answers."""


class RateLimited(ChannelError):
    """The platform asked us to wait `after` seconds."""

    def __init__(self, message: str, after: float) -> None:
        super().__init__(message)
        self.after = after


class Permanent(ChannelError):
    """Retrying cannot help. `contact_gone`: the person blocked the bot or no longer exists."""

    def __init__(self, message: str, contact_gone: bool = True) -> None:
        super().__init__(message)
        self.contact_gone = contact_gone


class Migrated(ChannelError):
    """The chat moved (a Telegram group became a supergroup); send to `new_chat_id`."""

    def __init__(self, message: str, new_chat_id: str) -> None:
        super().__init__(message)
        self.new_chat_id = new_chat_id


class Channel(Protocol):
    """A chat platform as the rest of nhacviec sees it."""

    kind: str
    max_text: int
    buttons: bool  # can show answer buttons (else replies use the text protocol)

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def send(self, chat_id: str, text: str, buttons: Buttons = ()) -> str:
        """Send text (split at the platform limit, buttons on the last part); returns the
        first part's message id."""
        ...


def split_text(text: str, limit: int) -> list[str]:
    """Split on line boundaries so each part fits; an over-long line is cut at a space."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            parts.append(line[:cut])
            line = line[cut:].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts


class Inbound(Protocol):
    """The receiving half of a platform: what identifies an update, what it says, and how
    replies to it go out. `bot.receiver` stores updates before any of this runs."""

    kind: str

    def update_key(self, update: dict[str, Any]) -> str | None:
        """The platform's id for this delivery (a redelivery has the same); None: ignore."""
        ...

    def chat_of(self, update: dict[str, Any]) -> str:
        """The chat an update comes from ("" if none): its updates are handled in order."""
        ...

    async def incoming(self, update: dict[str, Any]) -> Incoming | None:
        """Translate a stored update; None when it is nothing a user said or pressed."""
        ...

    async def reply(self, chat_id: str, replies: list[Reply]) -> None:
        """Send the handler's replies; raises `ChannelError` like `Channel.send`."""
        ...

    async def download(self, file: FileRef, limit: int) -> bytes:
        """A file the user sent, at most `limit` bytes; raises `ChannelError` (in Vietnamese:
        the reason is shown to the user) when it cannot be had."""
        ...
