"""The text protocol focal points use on every channel (Zalo has no buttons). Pure.

    <mã> xong [số văn bản]      <mã> dang 50% [ghi chú]
    <mã> vuong <lý do>          <mã> giahan <ngày>

Diacritics and case do not matter; `#` before the code is optional.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from plan.text import fold

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
], key=lambda item: -len(item[0]))
MAX_TEXT = 2000  # longer answers are refused with a message, never stored cut


@dataclass(frozen=True)
class Answer:
    code: str
    action: str  # done | progress | blocked | extension
    rest: str = ""
    percent: int | None = None


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
            return _with_percent(Answer(code.group(1), action, " ".join(rest_words).strip()))
    return None


def _with_percent(answer: Answer) -> Answer:
    if answer.action != "progress" or not answer.rest:
        return answer
    first, _, remainder = answer.rest.partition(" ")
    match = _PERCENT.match(first)
    if match and int(match.group(1)) <= 100:
        return Answer(answer.code, answer.action, remainder.strip(), int(match.group(1)))
    return answer


def usage() -> str:
    return ("Cách trả lời bằng tin nhắn (mã in trong tin nhắc, dạng #mã):\n"
            "• <mã> xong [số văn bản] — ví dụ: a7 xong 15/KH-STP ngày 20/01/2023\n"
            "• <mã> dang 50% [ghi chú] — đang thực hiện\n"
            "• <mã> vuong <lý do> — gặp vướng mắc\n"
            "• <mã> giahan <ngày> — xin gia hạn, ví dụ: a7 giahan 30/6/2023")
