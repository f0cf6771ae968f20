"""The text protocol focal points use on every channel (Zalo has no buttons). Pure.

    <mã> xong [số văn bản]      <mã> dang 50% [ghi chú]
    <mã> vuong <lý do>          <mã> giahan <ngày>

Diacritics and case do not matter; `#` before the code is optional.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from plan.text import fold
from words.texts import usage as texts_usage

_CODE = re.compile(r"^#?([0-9a-z]{1,8})$")
_PERCENT = re.compile(r"^(\d{1,3})\s*%?$")
# verb phrases (folded, as token tuples) → action; longest first
_VERBS: list[tuple[tuple[str, ...], str]] = sorted([
    (("xong",), "done"), (("da", "xong"), "done"), (("hoanthanh",), "done"),
    (("hoan", "thanh"), "done"), (("da", "hoan", "thanh"), "done"), (("done",), "done"),
    (("dang",), "progress"), (("dang", "lam"), "progress"), (("dang", "thuc", "hien"), "progress"),
    (("tiendo",), "progress"), (("tien", "do"), "progress"),
    (("vuong",), "blocked"), (("vuong", "mac"), "blocked"), (("gap", "vuong", "mac"), "blocked"),
    (("kho", "khan"), "blocked"),
    (("giahan",), "extension"), (("gia", "han"), "extension"), (("xin", "gia", "han"), "extension"),
    (("tuchoi",), "refuse"), (("tu", "choi"), "refuse"),
    (("khong", "thuoc", "tham", "quyen"), "refuse"), (("ktq",), "refuse"),
    (("nhac", "lai", "sau"), "snooze"), (("nhaclai",), "snooze"), (("nhac", "lai"), "snooze"),
], key=lambda item: -len(item[0]))
_DAYS = re.compile(r"^(\d{1,3})\s*(ngay|ngày)?$", re.IGNORECASE)
MAX_TEXT = 2000  # longer answers are refused with a message, never stored cut


@dataclass(frozen=True)
class Answer:
    code: str
    action: str  # done | progress | blocked | extension | refuse | snooze
    rest: str = ""
    percent: int | None = None
    error: str | None = None  # the answer is refused with this reason, nothing stored


def parse_answer(text: str) -> Answer | None:
    """An answer in the text protocol, or None when the text is not one."""
    words = text.split()
    if len(words) < 2 or len(text) > MAX_TEXT:
        return None
    code = _CODE.match(fold(words[0]))
    if not code:
        return None
    folded = [fold(word).strip(".,:;!") for word in words[1:]]
    for verb, action in _VERBS:
        if tuple(folded[:len(verb)]) == verb:
            rest_words = words[1 + len(verb):]
            parsed = Answer(code.group(1), action, " ".join(rest_words).strip())
            return _with_days(parsed) if action == "snooze" else _with_percent(parsed)
    return None


def _with_days(answer: Answer) -> Answer:
    """`nhac lai sau 3 ngay` → 3 days (kept in `percent`'s place); bare → 3."""
    if not answer.rest:
        return Answer(answer.code, answer.action, "", 3)
    found = _DAYS.match(fold(answer.rest))
    if not found:
        return Answer(answer.code, answer.action, answer.rest, error=(
            f"Chưa hiểu «{answer.rest}». Ví dụ: {answer.code} nhac lai sau 3 ngay"))
    return Answer(answer.code, answer.action, "", int(found.group(1)))


def _with_percent(answer: Answer) -> Answer:
    """A leading `50%` is the percent; outside 0–100 it is refused; `xong 100%` is done."""
    if answer.action not in {"progress", "done"} or not answer.rest:
        return answer
    first, _, remainder = answer.rest.partition(" ")
    match = _PERCENT.match(first)
    if not match or (answer.action == "done" and not first.endswith("%")):
        return answer  # `xong 15/KH-STP`: a document number, not a percent
    value = int(match.group(1))
    if value > 100:
        return Answer(answer.code, answer.action, answer.rest, error=(
            f"Tỷ lệ «{first}» không hợp lệ: phần trăm phải từ 0 đến 100, ví dụ "
            f"{answer.code} dang 60%."))
    if answer.action == "done":
        if value != 100:
            return Answer(answer.code, answer.action, answer.rest, error=(
                f"«xong» nghĩa là đã hoàn thành 100%. Nếu mới được {value}%, hãy gõ "
                f"{answer.code} dang {value}%."))
        return Answer(answer.code, answer.action, remainder.strip())
    return Answer(answer.code, answer.action, remainder.strip(), value)


def usage(code: str | None = None, today: dt.date | None = None) -> str:
    """The text protocol's help (its wording lives in words.texts), with examples on the
    reader's own code."""
    return texts_usage(code, today)
