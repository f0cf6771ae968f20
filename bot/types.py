"""Neutral message types shared by handlers and channel adapters."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class FileRef:
    """A document or photo a user sent, kept as a reference (platform id and/or URL)."""

    kind: str  # document | photo
    file_id: str
    name: str | None = None
    size: int | None = None
    url: str | None = None


@dataclass(frozen=True)
class Incoming:
    """One message or button press from a user, whatever the platform."""

    channel: str
    chat_id: str
    text: str = ""
    sender_name: str = ""
    button: str | None = None  # callback data of a pressed button
    reply_to: str | None = None  # provider id of the bot message being replied to
    file: FileRef | None = None


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True)
class Attachment:
    """A file the bot sends (a report workbook, a chart)."""

    name: str
    data: bytes
    kind: str = "document"  # document | photo


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    attachment: Attachment | None = None  # text becomes its caption where the platform can


# Fetch a file a user sent (or linked to) up to `limit` bytes; raises channels.base.ChannelError
Fetch = Callable[[FileRef, int], Awaitable[bytes]]


class HandlesIncoming(Protocol):
    """What a channel adapter hands each incoming message to (the bot's handlers)."""

    async def handle(self, message: Incoming) -> list[Reply]: ...
