"""Answer buttons (Telegram). Callback data stays far below Telegram's 64-byte limit."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.types import Button
from words.texts import shorten

Rows = tuple[tuple[Button, ...], ...]
_NUMBER = re.compile(r"[0-9]{1,10}")
ACTIONS = frozenset({"d", "p", "b", "e", "m", "o", "r", "z3", "z7", "xa", "xr", "ca", "cr",
                     "rk", "p25", "p50", "p75"})
COORDINATOR_ACTIONS = frozenset({"xa", "xr", "ca", "cr", "rk"})


LABEL_MAX = 32  # characters: a button as wide as a 360-px phone screen shows in full


def answer_choices(assignment_id: int) -> Rows:
    """One assignment's answers, two to a row, short enough for half a phone screen."""
    return ((Button("Đang thực hiện", f"p:{assignment_id}"),
             Button("Đã hoàn thành", f"d:{assignment_id}")),
            (Button("Gặp vướng mắc", f"b:{assignment_id}"),
             Button("Xin gia hạn", f"e:{assignment_id}")),
            (Button("Khác…", f"m:{assignment_id}"),))


def open_button(assignment_id: int, code: str, ref: str | None, content: str | None) -> Button:
    """`#p4 VIII.1 Kế hoạch CCHC…`: opens that assignment's choices."""
    label = " ".join(part for part in (f"#{code}", ref or "", content or "") if part)
    return Button(shorten(label, LABEL_MAX - 1), f"o:{assignment_id}")


def reminder_buttons(items: Sequence[tuple[int, str, str | None, str | None]]) -> Rows:
    """The answers to one listed assignment at once; for several, one button each (a row
    of four answer buttons per assignment does not fit a phone)."""
    if len(items) == 1:
        return answer_choices(items[0][0])
    return tuple((open_button(*item),) for item in items)


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
