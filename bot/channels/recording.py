"""Recording channel: keeps what was sent and can be told to fail; for tests and demos."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bot.channels.base import Buttons, ChannelError, split_text


@dataclass
class RecordingChannel:
    kind: str = "recording"
    max_text: int = 4096
    buttons: bool = True
    sent: list[tuple[str, str]] = field(default_factory=list)
    keyboards: list[Buttons] = field(default_factory=list)
    failures: list[ChannelError] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def send(self, chat_id: str, text: str, buttons: Buttons = ()) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.keyboards.append(buttons)
        first = ""
        for part in split_text(text, self.max_text):
            message_id = str(next(self._ids))
            first = first or message_id
            self.sent.append((chat_id, part))
        return first
