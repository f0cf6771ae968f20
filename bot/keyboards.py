"""Answer buttons (Telegram). Callback data stays far below Telegram's 64-byte limit."""

from __future__ import annotations

from collections.abc import Iterable

from bot.types import Button

Rows = tuple[tuple[Button, ...], ...]


def answer_row(assignment_id: int, code: str) -> tuple[Button, ...]:
    return (Button(f"Đang thực hiện #{code}", f"p:{assignment_id}"),
            Button(f"Đã hoàn thành #{code}", f"d:{assignment_id}"),
            Button(f"Gặp vướng mắc #{code}", f"b:{assignment_id}"),
            Button(f"Xin gia hạn #{code}", f"e:{assignment_id}"))


def reminder_buttons(items: Iterable[tuple[int, str]]) -> Rows:
    return tuple(answer_row(assignment_id, code) for assignment_id, code in items)


def percent_buttons(assignment_id: int) -> Rows:
    return ((Button("25%", f"p25:{assignment_id}"), Button("50%", f"p50:{assignment_id}"),
             Button("75%", f"p75:{assignment_id}")),)


def decision_buttons(request_id: int) -> Rows:
    return ((Button("Duyệt gia hạn", f"xa:{request_id}"),
             Button("Không duyệt", f"xr:{request_id}")),)


def parse(data: str) -> tuple[str, int] | None:
    """`d:12` → ('d', 12); None for anything malformed (forged or stale buttons)."""
    action, _, number = data.partition(":")
    if not number.isdigit() or len(data) > 64 or not 0 < int(number) < 2**31:
        return None
    if action in {"d", "p", "b", "e", "xa", "xr", "p25", "p50", "p75"}:
        return action, int(number)
    return None
