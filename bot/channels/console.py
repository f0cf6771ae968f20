"""Console channel: messages for console contacts are printed to the terminal."""

from __future__ import annotations

import itertools
import sys
from typing import TextIO

from bot.channels.base import Buttons


class ConsoleChannel:
    kind = "console"
    max_text = 100_000
    buttons = False

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out
        self._ids = itertools.count(1)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def send(self, chat_id: str, text: str, buttons: Buttons = ()) -> str:
        out = self.out or sys.stdout
        out.write(f"\n[nhắc việc → {chat_id}]\n{text}\n")
        out.flush()
        return str(next(self._ids))
