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
_NEGATIVE = re.compile(r"^[-−–]\s*\d+\s*%?$")
# A document number looks like one: `12/KH-STP`, `số 45/BC-UBND ngày …`, `QĐ 15/2026`
DOCUMENT = re.compile(r"\d+\s*/\s*[\wĐđ]|^(?:so|số)\s*\d", re.IGNORECASE)
# Words people add around "xong" that say nothing: never a document number
_FILLER = frozenset({"roi", "nhe", "nha", "a", "ha", "nhe!", "ok", "oke", "xong", "roi.",
                     "da", "duoc", "100%", "het"})
# verb phrases (folded, as token tuples) → action; longest first
_VERBS: list[tuple[tuple[str, ...], str]] = sorted([
    (("xong",), "done"), (("da", "xong"), "done"), (("hoanthanh",), "done"),
    (("hoan", "thanh"), "done"), (("da", "hoan", "thanh"), "done"), (("done",), "done"),
    (("dang",), "progress"), (("dang", "lam"), "progress"), (("dang", "thuc", "hien"), "progress"),
    (("tiendo",), "progress"), (("tien", "do"), "progress"), (("duoc",), "progress"),
    (("da", "duoc"), "progress"), (("lam", "duoc"), "progress"), (("da", "lam"), "progress"),
    (("xong", "roi"), "done"), (("da", "xong", "roi"), "done"), (("hoan", "thanh", "roi"), "done"),
    (("vuong",), "blocked"), (("vuong", "mac"), "blocked"), (("gap", "vuong", "mac"), "blocked"),
    (("kho", "khan"), "blocked"),
    (("giahan",), "extension"), (("gia", "han"), "extension"), (("xin", "gia", "han"), "extension"),
    (("xin", "giahan"), "extension"), (("lui",), "extension"), (("xin", "lui"), "extension"),
    (("lui", "han"), "extension"), (("xin", "lui", "han"), "extension"),
    (("tuchoi",), "refuse"), (("tu", "choi"), "refuse"),
    (("khong", "thuoc", "tham", "quyen"), "refuse"), (("ktq",), "refuse"),
    (("nhac", "lai", "sau"), "snooze"), (("nhaclai",), "snooze"), (("nhac", "lai"), "snooze"),
], key=lambda item: -len(item[0]))
_DAYS = re.compile(r"^(?:sau\s+)?(\d{1,3})\s*(ngay|tuan|thang)?$")
_WEEKDAY = re.compile(r"^(?:sau\s+)?(?:vao\s+)?(?:thu\s*([2-7])|(chu\s*nhat|cn))$")
_UNIT_DAYS = {None: 1, "ngay": 1, "tuan": 7, "thang": 30}
MAX_TEXT = 2000  # longer answers are refused with a message, never stored cut


@dataclass(frozen=True)
class Answer:
    code: str
    action: str  # done | progress | blocked | extension | refuse | snooze
    rest: str = ""
    percent: int | None = None
    error: str | None = None  # the answer is refused with this reason, nothing stored


def parse_answer(text: str, today: dt.date | None = None) -> Answer | None:
    """An answer in the text protocol, or None when the text is not one. `today` turns
    "nhắc lại vào thứ 2" into a number of days."""
    text = re.sub(r"(\d)\s+%", r"\1%", text)  # `100 %` is `100%`
    words = text.split()
    if len(words) < 2 or len(text) > MAX_TEXT:
        return None
    code = _CODE.match(fold(words[0]))
    if not code or starts_with_verb(words):
        return None  # "đã xong", "xin gia hạn …": words, not a code (type "#da xong" for one)
    folded = [fold(word).strip(".,:;!") for word in words[1:]]
    if (_PERCENT.match(folded[0]) and folded[0].endswith("%")) or _NEGATIVE.match(folded[0]):
        # "gb 70%": a code and a percentage is progress
        return _with_percent(Answer(code.group(1), "progress", " ".join(words[1:]).strip()))
    for verb, action in _VERBS:
        if tuple(folded[:len(verb)]) == verb:
            rest_words = words[1 + len(verb):]
            parsed = Answer(code.group(1), action, " ".join(rest_words).strip())
            if action == "snooze":
                return _with_days(parsed, today)
            if action == "done":
                parsed = _done_rest(parsed)
            return _with_percent(parsed)
    return None


def starts_with_verb(words: list[str]) -> bool:
    """Whether a message opens with an answer's verb ("đã xong", "xin gia hạn đến 30/6")."""
    folded = tuple(fold(word).strip(".,:;!") for word in words)
    if len(folded) > 1 and _PERCENT.match(folded[1]) and any(
            folded[:1] == verb for verb, _ in _VERBS):
        return True  # "xong 60%", "được 70%": a verb and a percentage, no code
    return any(len(verb) > 1 and folded[:len(verb)] == verb for verb, _ in _VERBS)


def _done_rest(answer: Answer) -> Answer:
    """After "xong": a document number is evidence; "rồi", "nhé" are nothing; other words
    are a note (kept in the answer's raw text), never taken for a document number."""
    rest = answer.rest
    words = rest.split()
    if not words or all(fold(word).strip(".,!") in _FILLER for word in words):
        return Answer(answer.code, answer.action, "")
    first = fold(words[0]).strip(".,!")
    if first in _FILLER and first != "100%":
        rest = " ".join(words[1:])
    if _PERCENT.match(rest.split()[0]) and rest.split()[0].endswith("%"):
        return Answer(answer.code, answer.action, rest)  # `xong 100%`: _with_percent decides
    if DOCUMENT.search(rest):
        return Answer(answer.code, answer.action, rest)
    return Answer(answer.code, answer.action, "")


def _with_days(answer: Answer, today: dt.date | None) -> Answer:
    """`nhac lai sau 3 ngay` / `sau 1 tuan` / `vao thu 2` → days (kept in `percent`'s
    place); bare → 3."""
    if not answer.rest:
        return Answer(answer.code, answer.action, "", 3)
    folded = fold(answer.rest).strip(".!")
    found = _DAYS.match(folded)
    if found:
        return Answer(answer.code, answer.action, "",
                      int(found.group(1)) * _UNIT_DAYS[found.group(2)])
    weekday = _WEEKDAY.match(folded)
    if weekday and today is not None:
        target = int(weekday.group(1)) - 2 if weekday.group(1) else 6  # Monday = 0
        return Answer(answer.code, answer.action, "",
                      (target - today.weekday() - 1) % 7 + 1)
    return Answer(answer.code, answer.action, answer.rest, error=(
        f"Chưa hiểu «{answer.rest}». Ví dụ: {answer.code} nhac lai sau 3 ngay, "
        f"{answer.code} nhac lai sau 1 tuan, {answer.code} nhac lai vao thu 2"))


def _with_percent(answer: Answer) -> Answer:
    """A leading `50%` is the percent; outside 0–100 it is refused; `xong 100%` is done."""
    if answer.action not in {"progress", "done"} or not answer.rest:
        return answer
    first, _, remainder = answer.rest.partition(" ")
    if _NEGATIVE.match(first):
        return Answer(answer.code, answer.action, answer.rest, error=(
            f"Tỷ lệ «{first}» không hợp lệ: phần trăm phải từ 0 đến 100, ví dụ "
            f"{answer.code} dang 60%."))
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
