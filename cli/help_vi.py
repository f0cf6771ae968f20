"""Vietnamese for what click and typer print around our own help and errors ("Options",
"Show this message and exit.", "Missing option" …), through gettext, the way click is
translated: `messages.po` beside this module, compiled to `messages.mo`.

`install` runs before typer is imported (typer reads its panel titles at import). A user who
sets LANGUAGE keeps their choice; otherwise the CLI speaks Vietnamese like the bot.
"""

from __future__ import annotations

import ast
import gettext
import os
import struct
import sys
from pathlib import Path

LOCALE = Path(__file__).resolve().parent / "locale"
CATALOG = LOCALE / "vi" / "LC_MESSAGES" / "messages.po"


def install() -> None:
    os.environ.setdefault("LANGUAGE", "vi")
    gettext.bindtextdomain("messages", str(LOCALE))


def read_po(text: str) -> dict[str, str]:
    """msgid → msgstr of a simple catalogue (one-line strings, no plurals or contexts)."""
    pairs: dict[str, str] = {}
    msgid: str | None = None
    for line in text.splitlines():
        if line.startswith("msgid "):
            msgid = ast.literal_eval(line[6:])
        elif line.startswith("msgstr ") and msgid is not None:
            pairs[msgid] = ast.literal_eval(line[7:])
        elif line.startswith('"') and msgid == "":  # the header's continuation lines
            pairs[""] += ast.literal_eval(line)
    return pairs


def compile_mo(pairs: dict[str, str]) -> bytes:
    """The GNU .mo format: a header, the two string tables, then the strings (sorted ids)."""
    ids = sorted(pairs)
    keys = [i.encode() for i in ids]
    values = [pairs[i].encode() for i in ids]
    start = 7 * 4 + 16 * len(ids)  # header, then both tables
    key_blob = b"".join(k + b"\0" for k in keys)
    offsets, position = [], start
    for k in keys:
        offsets.append((len(k), position))
        position += len(k) + 1
    value_offsets = []
    for v in values:
        value_offsets.append((len(v), position))
        position += len(v) + 1
    out = struct.pack("<7I", 0x950412DE, 0, len(ids), 28, 28 + 8 * len(ids), 0, 0)
    out += b"".join(struct.pack("<2I", *o) for o in offsets)
    out += b"".join(struct.pack("<2I", *o) for o in value_offsets)
    return out + key_blob + b"".join(v + b"\0" for v in values)


if __name__ == "__main__":  # python -m cli.help_vi: rebuild messages.mo from messages.po
    target = CATALOG.with_suffix(".mo")
    target.write_bytes(compile_mo(read_po(CATALOG.read_text(encoding="utf-8"))))
    sys.stdout.write(f"{target}\n")
