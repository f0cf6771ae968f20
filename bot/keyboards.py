"""Answer buttons (Telegram). Callback data stays far below Telegram's 64-byte limit."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.types import Button

Rows = tuple[tuple[Button, ...], ...]
_NUMBER = re.compile(r"[0-9]{1,10}")
ACTIONS = frozenset({"d", "p", "b", "e", "m", "r", "z3", "z7", "xa", "xr", "ca", "cr", "rk",
                     "p25", "p50", "p75"})
COORDINATOR_ACTIONS = frozenset({"xa", "xr", "ca", "cr", "rk"})


def answer_row(assignment_id: int, code: str) -> tuple[Button, ...]:
    return (Button(f"Đang thực hiện #{code}", f"p:{assignment_id}"),
            Button(f"Đã hoàn thành #{code}", f"d:{assignment_id}"),
            Button(f"Gặp vướng mắc #{code}", f"b:{assignment_id}"),
            Button(f"Xin gia hạn #{code}", f"e:{assignment_id}"),
            Button(f"Khác… #{code}", f"m:{assignment_id}"))


def more_buttons(assignment_id: int) -> Rows:
    """The rarer answers, one tap further: snooze, or not our remit."""
    return ((Button("Nhắc lại sau 3 ngày", f"z3:{assignment_id}"),
             Button("Nhắc lại sau 7 ngày", f"z7:{assignment_id}")),
            (Button("Không thuộc thẩm quyền", f"r:{assignment_id}"),))


def confirm_buttons(assignment_id: int) -> Rows:
    return ((Button("Xác nhận hoàn thành", f"ca:{assignment_id}"),
             Button("Trả lại", f"cr:{assignment_id}")),)


def refusal_buttons(assignment_id: int) -> Rows:
    return ((Button("Giữ nguyên phân công", f"rk:{assignment_id}"),),)


def reminder_buttons(items: Iterable[tuple[int, str]]) -> Rows:
    return tuple(answer_row(assignment_id, code) for assignment_id, code in items)


def percent_buttons(assignment_id: int) -> Rows:
    return ((Button("25%", f"p25:{assignment_id}"), Button("50%", f"p50:{assignment_id}"),
             Button("75%", f"p75:{assignment_id}")),)


def decision_buttons(request_id: int) -> Rows:
    return ((Button("Duyệt gia hạn", f"xa:{request_id}"),
             Button("Không duyệt", f"xr:{request_id}")),)


def parse(data: str) -> tuple[str, int] | None:
    """`d:12` → ('d', 12); None for anything malformed (forged or stale buttons).
    ASCII digits only: `str.isdigit` also accepts `²` or `١`, which `int` then refuses."""
    action, _, number = data.partition(":")
    if len(data) > 64 or not _NUMBER.fullmatch(number) or not 0 < int(number) < 2**31:
        return None
    if action in ACTIONS:
        return action, int(number)
    return None
