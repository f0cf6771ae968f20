"""Console channel: a terminal chat for `make run`, using the same handlers as the bots."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import TextIO

from bot.handlers import Handlers, Incoming

PROMPT = "bạn> "


async def run_console(handlers: Handlers, agency: str | None, banner: str,
                      read: Callable[[], str] = input, out: TextIO | None = None) -> None:
    """Read lines until end of input; print each reply. Ctrl-D / Ctrl-C ends the chat."""
    out = out or sys.stdout
    out.write(banner + "\n")
    out.flush()
    while True:
        try:
            line = await asyncio.to_thread(read)
        except (EOFError, KeyboardInterrupt):
            out.write("\nTạm biệt.\n")
            return
        if not line.strip():
            continue
        if line.strip() in {"/thoat", "/exit", "/quit"}:
            out.write("Tạm biệt.\n")
            return
        for reply in await handlers.handle(Incoming("console", line, agency)):
            out.write(f"bot> {reply}\n")
        out.flush()
