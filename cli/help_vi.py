"""Vietnamese for what click and typer print around our own help and errors ("Options",
"Show this message and exit.", "Usage:" …). Most go through gettext, the way click is
translated: `messages.po` beside this module, compiled to `messages.mo`; a user who sets
LANGUAGE keeps their choice, otherwise the CLI speaks Vietnamese like the bot. Typer's own
copy of click writes "Usage:" and the help option's text without gettext: `typer_app` makes
apps whose groups and commands (subclasses, typer's `cls` hook) say those two in Vietnamese.
"""

from __future__ import annotations

import ast
import gettext
import os
import struct
import sys
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

LOCALE = Path(__file__).resolve().parent / "locale"
CATALOG = LOCALE / "vi" / "LC_MESSAGES" / "messages.po"


def install() -> None:
    os.environ.setdefault("LANGUAGE", "vi")
    gettext.bindtextdomain("messages", str(LOCALE))


HELP_OPTION = "Xem hướng dẫn này rồi thoát."


_KINDS = {"argument": "đối số", "option": "tùy chọn", "parameter": "tham số"}


class _Vietnamese(typer.BadParameter):
    """A parameter error reworded ("Thiếu đối số 'file'.", "Giá trị không hợp lệ cho …")."""

    def __init__(self, text: str, ctx: Any) -> None:
        super().__init__(text, ctx)
        self.text = text

    def format_message(self) -> str:
        return self.text


def _reworded(exc: typer.BadParameter) -> str:
    hint = exc.param.get_error_hint() if exc.param is not None else ""
    kind = getattr(exc, "param_type", None)
    if kind is not None or (exc.param is not None and not exc.message):  # missing
        name = kind or (exc.param.param_type_name if exc.param is not None else "parameter")
        return f"Thiếu {_KINDS.get(name, name)} {hint}.".replace("  ", " ")
    return f"Giá trị không hợp lệ cho {hint}: {exc.message}"


class _Words:
    def make_context(self, *args: Any, **options: Any) -> Any:
        try:
            return super().make_context(*args, **options)  # type: ignore[misc]
        except _Vietnamese:
            raise
        except typer.BadParameter as exc:
            raise _Vietnamese(_reworded(exc), exc.ctx) from exc
        except Exception as exc:
            name = getattr(exc, "option_name", None)  # typer's NoSuchOption (not exported)
            if name is None or not hasattr(exc, "ctx"):
                raise
            close = sorted(getattr(exc, "possibilities", None) or ())
            text = f"Không có tùy chọn {name}." + (
                f" Có phải ý bạn là {', '.join(close)}?" if close else "")
            raise _Vietnamese(text, exc.ctx) from exc

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION
        return option

    def get_usage(self, ctx: Any) -> str:
        usage: str = super().get_usage(ctx)  # type: ignore[misc]
        return usage.replace("Usage:", "Cách dùng:", 1)


class Command(_Words, TyperCommand):
    pass


class Group(_Words, TyperGroup):
    pass


class _App(typer.Typer):
    def command(self, *args: Any, **options: Any) -> Any:
        options.setdefault("cls", Command)
        return super().command(*args, **options)


def typer_app(**options: Any) -> typer.Typer:
    """`typer.Typer(**options)` whose help and usage lines are Vietnamese throughout."""
    options.setdefault("cls", Group)
    return _App(**options)


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
