"""Console channel (chat side): a terminal chat for `make run`, using the same handlers."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.handlers import Handlers
from bot.types import Incoming

PROMPT = "bạn> "


async def run_console(handlers: Handlers, chat_id: str, banner: str,
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
        for reply in await handlers.handle(Incoming("console", chat_id, line, "console")):
            out.write(f"bot> {reply.text}\n")
            if reply.attachment is not None:
                saved = Path(reply.attachment.name).resolve()
                saved.write_bytes(reply.attachment.data)
                out.write(f"     (đã lưu tệp: {saved})\n")
            labels = [button.label for row in reply.buttons for button in row]
            if labels:
                out.write("     (trên Telegram có nút: " + " | ".join(labels[:8]) + ")\n")
        out.flush()
