"""Deadline phrases of CCHC appendices → (kind, start, due date).

`parse_deadline` never raises. It finds every time expression in the phrase (dates, months,
quarters, halves, years), then reads the words around them: a range ends at its last
expression, a start marker (`Từ …`, `Bắt đầu … từ`) never makes a due date, and of two dates
the later one is due. Words that could change the meaning (`sau`, `khi`, relative days) or
that it does not know make the phrase `unrecognised`: kept verbatim and warned, never guessed.
`describe` writes the canonical phrase back, so recognised phrases round-trip.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import itertools
import re
from dataclasses import dataclass

from plan.model import Deadline, DeadlineKind
from plan.recurrence import read_recurring
from plan.text import fold

_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_Y = r"((?:19|20|21)\d\d)"
_EXPRESSION = re.compile(
    rf"(?P<half>(?<!\d)(?:6|06|sau) thang (?P<hw>dau|cuoi) nam(?:\s*(?P<hy>{_Y}))?)"
    rf"|(?P<dmy>(?<!\d)(?P<dd>\d{{1,2}})\s*[/.\-]\s*(?P<dm_>\d{{1,2}})\s*[/.\-]\s*(?P<dy>{_Y})(?!\d))"
    rf"|(?P<dmyw>\bngay (?P<wd>\d{{1,2}}) thang (?P<wm>\d{{1,2}})(?:,? nam (?P<wy>{_Y}))?(?!\d))"
    rf"|(?P<my>(?<![\d/])(?:thang\s*)?(?P<mm>\d{{1,2}})\s*[/.\-]\s*(?P<my_>{_Y})(?!\d))"
    r"|(?P<dm>(?<![\d/])(?P<sd>\d{1,2})\s*/\s*(?P<sm>\d{1,2})(?![/\d]))"
    rf"|(?P<mw>\bthang\s+(?P<tm>\d{{1,2}})(?:\s*nam\s*(?P<ty>{_Y}))?(?![\d/]))"
    rf"|(?P<quarter>\bquy\s+(?P<q>iv|i{{1,3}}|[1-4])(?![\w])(?:\s*(?:[/\-]|nam)\s*(?P<qy>{_Y}))?)"
    rf"|(?P<year>(?<![\d/])(?:nam\s+)?(?P<yy>{_Y})(?![\d/]))"
)
_DAY_MONTH_GROUPS = {"dmy": ("dd", "dm_"), "dmyw": ("wd", "wm"), "dm": ("sd", "sm")}
_NAMES = ("half", "dmy", "dmyw", "my", "dm", "mw", "quarter", "year")
_YEAR_GROUP = {"half": "hy", "dmy": "dy", "dmyw": "wy", "my": "my_", "mw": "ty", "quarter": "qy",
               "year": "yy"}
# Phrases that mean "no fixed date" on purpose (kept verbatim, listed for coordinators).
_NO_DATE = re.compile(r"^(theo quy dinh|theo chi dao|theo yeu cau|theo ke hoach|theo tien do|"
                      r"theo chuc nang|thuc hien theo quy dinh)")
# Phrases that wait for something outside the plan: no date, listed as event-driven.
_EVENT = re.compile(r"^(?:thuc hien )?(khi co|khi duoc|khi phat sinh|ngay sau khi|theo lo trinh|"
                    r"theo huong dan|theo van ban|kip thoi|tuy theo|tuy tinh hinh)|"
                    r"\bsau khi\b|\bkhi co\b|\bphat sinh\b")
# "… và rà soát hằng năm", "… . Rà soát, điều chỉnh khi cần": a completion, then a follow-up
_JOIN = re.compile(r"\s+va\s+|\s*[.;]\s+|\s*,\s+(?=(?:va\s+)?(?:duy tri|cap nhat|ra soat|"
                   r"hang|dinh ky|thuong xuyen))")
_AS_NEEDED = re.compile(r"^(?:sau do\s+)?(?:(?:duy tri|cap nhat|bo sung|ra soat|dieu chinh|"
                        r"sua doi|van hanh|theo doi)[ ,]*)+.*\b(khi can|neu can|khi co yeu cau|"
                        r"cac nam sau|nam sau)\b")
# a follow-up says what is done after the completion ("2026 và những năm tiếp theo", with no
# verb, is a yearly duty from 2026: plan.recurrence reads it)
_FOLLOW_VERB = re.compile(r"\b(duy tri|cap nhat|bo sung|ra soat|dieu chinh|sua doi|van hanh|"
                          r"theo doi|danh gia|bao cao|kiem tra|thuc hien)\b")
# "Từ tháng 4/2027 đến khi kết thúc đợt rà soát": a start, then an event — no fixed date
_UNTIL_EVENT = re.compile(r"^(?P<start>(?:tu|bat dau tu)\s+.+?)\s+(?:den|cho den|toi) khi\b")
# Words that make a date relative or conditional: never read as a plain deadline.
_RELATIVE = re.compile(r"\b(sau|khi|neu|trong vong|\d+ ngay( lam viec)?|tuan)\b")
_START = re.compile(r"\b(tu|bat dau)(\s+ngay)?\s*$")
_RANGE_JOIN = re.compile(r"^\s*(-|den|toi|den het|den nam|cho den)\s*$")
_FILLER = frozenset((
    "trong", "nam", "hoan", "thanh", "truoc", "ngay", "cham", "nhat", "den", "het", "tu", "ke",
    "bat", "dau", "trien", "khai", "thuc", "hien", "giai", "doan", "va", "cuoi", "ca", "du",
    "kien", "xong", "thoi", "gian", "han", "tien", "do", "ban", "hanh", "trinh", "nop", "gui",
    "bao", "cao", "lan", "luc", "vao", "duoc", "tong", "ket", "so", "toi", "cho", "hoac", "thang",
    "quy", "-", ",", ";", ".", ":", "(", ")", "/"))


@dataclass(frozen=True)
class _Found:
    """One time expression: the days it covers and where it sits in the folded phrase."""

    kind: DeadlineKind
    first: dt.date
    last: dt.date
    begin: int
    end: int


def parse_deadline(text: str, plan_year: int | None = None) -> Deadline:
    """Read a deadline cell; the plan's year fills in a missing year."""
    raw = text.strip()
    folded = _normalise(fold(raw))
    if not folded:
        return Deadline(raw, DeadlineKind.NONE)
    if _NO_DATE.match(folded):
        return Deadline(raw, DeadlineKind.NONE)
    compound = _compound(raw, folded, plan_year) if _JOIN.search(folded) or \
        _UNTIL_EVENT.match(folded) else None
    if compound is not None:
        return compound
    recurring = read_recurring(raw, folded, plan_year)
    if recurring is not None:
        return recurring
    if _EVENT.search(folded):
        return Deadline(raw, DeadlineKind.EVENT)
    found = _expressions(folded, plan_year)
    if not found or _unknown_words(folded, found):
        return Deadline(raw, DeadlineKind.UNRECOGNISED)
    return _decide(raw, folded, found)


def _compound(raw: str, folded: str, plan_year: int | None) -> Deadline | None:
    """A phrase read whole as a completion and what follows it: the completion's date stays
    the due date (the part a reminder needs), the follow-up is recorded beside it. A date
    "và hằng tháng" is a monthly duty from that date on that day. None when the phrase is no
    such compound (the other readers decide, or it is warned)."""
    until = _UNTIL_EVENT.match(folded)
    if until is not None:
        start = _dated(until.group("start"), plan_year)
        if start is not None and start.start is not None:
            return Deadline(raw, DeadlineKind.EVENT, start=start.start)
    for join in _JOIN.finditer(folded):
        completion = _dated(folded[:join.start()], plan_year)
        if completion is None or completion.due is None:
            continue
        rest = folded[join.end():].strip(" .")
        then = read_recurring(rest, rest, plan_year)
        if then is not None and then.kind is DeadlineKind.RECURRING and then.period \
                and (_FOLLOW_VERB.search(rest) or re.fullmatch(r"(hang|moi) thang", rest)):
            if (then.period == "monthly" and completion.kind is DeadlineKind.DATE
                    and re.fullmatch(r"(hang|moi) thang", rest)):
                return Deadline(raw, DeadlineKind.RECURRING, period="monthly",
                                start=completion.due, days=((0, completion.due.day),))
            return dataclasses.replace(completion, text=raw, follow_up=then.period)
        if _AS_NEEDED.match(rest):
            return dataclasses.replace(completion, text=raw, follow_up="as_needed")
        if _EVENT.search(rest):  # "Trước 30/6/2027 và khi có phát sinh": the date stays
            return dataclasses.replace(completion, text=raw, follow_up="event")
    return None


def _dated(folded: str, plan_year: int | None) -> Deadline | None:
    """A plain reading of a phrase (dates, months, quarters, ranges, starts), or None."""
    found = _expressions(folded, plan_year)
    if not found or _unknown_words(folded, found):
        return None
    reading = _decide(folded, folded, found)
    if reading.kind is DeadlineKind.START:
        return reading
    return reading if reading.due is not None else None


def _normalise(folded: str) -> str:
    folded = folded.replace("qui ", "quy ").replace("–", "-").replace("—", "-")
    return re.sub(r"\s+", " ", folded).strip(" .;,")


def _expressions(folded: str, plan_year: int | None) -> list[_Found] | None:
    """Every expression, years carried back (`Tháng 3 - 6/2026`); None when one is invalid."""
    matches = list(_EXPRESSION.finditer(folded))
    years = [_year_of(m) for m in matches]
    out: list[_Found] = []
    for index, match in enumerate(matches):
        year = years[index] or next((y for y in years[index + 1:] if y), None) \
            or next((y for y in reversed(years[:index]) if y), None) or plan_year
        found = _read(match, year)
        if found is None:
            return None
        out.append(found)
    return out


def _name(match: re.Match[str]) -> str:
    return next(name for name in _NAMES if match.group(name) is not None)


def _year_of(match: re.Match[str]) -> int | None:
    group = _YEAR_GROUP.get(_name(match))
    value = match.group(group) if group else None
    return int(value) if value else None


def _read(match: re.Match[str], year: int | None) -> _Found | None:
    if year is None:
        return None
    name, get = _name(match), match.group
    begin, end = match.span()
    if name == "half":
        first, last = ((dt.date(year, 1, 1), dt.date(year, 6, 30)) if get("hw") == "dau"
                       else (dt.date(year, 7, 1), dt.date(year, 12, 31)))
        return _Found(DeadlineKind.HALF_YEAR, first, last, begin, end)
    if name in {"dmy", "dmyw", "dm"}:
        day_text, month_text = _DAY_MONTH_GROUPS[name]
        day = _safe(year, int(get(month_text)), int(get(day_text)))
        return _Found(DeadlineKind.DATE, day, day, begin, end) if day else None
    if name in {"my", "mw"}:
        month = int(get("mm") or get("tm"))
        if not 1 <= month <= 12:
            return None
        return _Found(DeadlineKind.MONTH, dt.date(year, month, 1), month_end(year, month),
                      begin, end)
    if name == "quarter":
        quarter = _QUARTERS[get("q")]
        return _Found(DeadlineKind.QUARTER, dt.date(year, quarter * 3 - 2, 1),
                      month_end(year, quarter * 3), begin, end)
    return _Found(DeadlineKind.YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31), begin, end)


def _safe(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _unknown_words(folded: str, found: list[_Found]) -> bool:
    """True when words outside the expressions could change what the phrase means."""
    rest = list(folded)
    for item in found:
        rest[item.begin:item.end] = " " * (item.end - item.begin)
    residue = re.sub(r"\([^)]*\)", " ", "".join(rest))  # remarks in brackets are notes
    if _RELATIVE.search(residue):
        return True
    words = re.findall(r"[a-z0-9]+|[^\sa-z0-9]", residue)
    return any(word not in _FILLER for word in words)


def _decide(raw: str, folded: str, found: list[_Found]) -> Deadline:
    first, last = found[0], max(found, key=lambda f: f.last)
    opens = _START.search(folded[:first.begin]) is not None
    if len(found) == 1:
        if opens:
            return Deadline(raw, DeadlineKind.START, start=first.first)
        return Deadline(raw, first.kind, first.last)
    joined = [folded[a.end:b.begin] for a, b in itertools.pairwise(found)]
    if all(_RANGE_JOIN.match(gap) for gap in joined):
        return Deadline(raw, DeadlineKind.RANGE, last.last, start=min(f.first for f in found))
    return Deadline(raw, last.kind, last.last)


def period_start(deadline: Deadline) -> dt.date | None:
    """The first day a deadline phrase covers (`Quý III/2026` → 01/07/2026), for start columns."""
    due = deadline.due
    if deadline.start is not None or due is None:
        return deadline.start
    firsts = {DeadlineKind.MONTH: due.replace(day=1),
              DeadlineKind.QUARTER: due.replace(month=due.month - 2, day=1),
              DeadlineKind.HALF_YEAR: due.replace(month=due.month - 5, day=1),
              DeadlineKind.YEAR: due.replace(month=1, day=1)}
    return firsts.get(deadline.kind, due)


def month_end(year: int, month: int) -> dt.date:
    """Last day of a month (leap years included)."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def describe(deadline: Deadline) -> str:
    """Canonical Vietnamese phrase for a deadline; parses back to the same kind and dates."""
    from plan.recurrence import describe_recurring

    due, start = deadline.due, deadline.start
    if deadline.kind is DeadlineKind.RECURRING and deadline.period:
        return describe_recurring(deadline)
    if deadline.kind is DeadlineKind.START and start:
        return f"Từ {start:%d/%m/%Y}"
    if due is None:
        return deadline.text
    if deadline.kind is DeadlineKind.RANGE and start:
        if (start.month, start.day, due.month, due.day) == (1, 1, 12, 31):
            return f"Giai đoạn {start.year} - {due.year}"
        return f"Từ {start:%d/%m/%Y} đến {due:%d/%m/%Y}"
    if deadline.kind is DeadlineKind.MONTH:
        return f"Tháng {due.month:02d}/{due.year}"
    if deadline.kind is DeadlineKind.QUARTER:
        return f"Quý {('I', 'II', 'III', 'IV')[(due.month - 1) // 3]}/{due.year}"
    if deadline.kind is DeadlineKind.HALF_YEAR:
        return f"6 tháng {'đầu' if due.month == 6 else 'cuối'} năm {due.year}"
    if deadline.kind is DeadlineKind.YEAR:
        return f"Năm {due.year}"
    return due.strftime("%d/%m/%Y")
