"""Deadline phrases of CCHC appendices → (kind, due date).

`parse_deadline` never raises: text it cannot read comes back as `unrecognised`.
`describe` writes the canonical phrase back, so recognised phrases round-trip.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from plan.model import Deadline, DeadlineKind
from plan.text import fold

_QUARTER_NUMERALS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUARTER_NAMES = {1: "I", 2: "II", 3: "III", 4: "IV"}
_YEAR = r"((?:19|20|21)\d\d)"
_SEP = r"\s*[/.\-]\s*"

# Phrases that mean "no fixed date" on purpose (kept verbatim, listed for coordinators).
_NO_DATE = re.compile(
    r"^(theo quy dinh|theo chi dao|theo yeu cau|khi co yeu cau|theo huong dan|"
    r"theo ke hoach|theo tien do|theo lo trinh|khi co van ban)"
)
_RECURRING = [
    (re.compile(r"\b(hang|moi) thang\b"), "monthly"),
    (re.compile(r"\b(hang|moi) quy\b"), "quarterly"),
    (re.compile(r"\b(dinh ky|hang|moi) (6|sau) thang\b|\b(6|sau) thang (mot|1) lan\b"),
     "half_yearly"),
    (re.compile(r"\b(hang|moi) nam\b|\bdinh ky hang nam\b"), "yearly"),
    (re.compile(r"\bthuong xuyen\b|\blien tuc\b"), "continuous"),
]
_DMY = re.compile(rf"(?<!\d)(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}{_YEAR}(?!\d)")
_DMY_WORDS = re.compile(rf"\bngay (\d{{1,2}}) thang (\d{{1,2}})(?:,? nam {_YEAR})?")
_DM_AFTER_NGAY = re.compile(r"\bngay (\d{1,2})\s*/\s*(\d{1,2})(?![/\d])")
_HALF = re.compile(rf"\b(6|sau) thang (dau|cuoi) nam(?:\s*{_YEAR})?")
_QUARTER = re.compile(rf"\bquy\s+(iv|i{{1,3}}|[1-4])(?![\w])(?:\s*(?:[/\-]|nam)\s*{_YEAR})?")
_MONTH = re.compile(rf"\b(?:cuoi )?thang\s+(\d{{1,2}})(?:\s*(?:[/\-.]|nam)\s*{_YEAR})?(?!\d)")
_YEAR_ONLY = re.compile(rf"^(?:trong |ca |cuoi |truoc )?(?:nam\s+)?{_YEAR}$")

_PERIOD_PHRASES = {
    "monthly": "Hằng tháng",
    "quarterly": "Hằng quý",
    "half_yearly": "Định kỳ 6 tháng",
    "yearly": "Hằng năm",
    "continuous": "Thường xuyên",
}


def parse_deadline(text: str, plan_year: int | None = None) -> Deadline:
    """Read a deadline cell; the plan's year fills in a missing year."""
    raw = text.strip()
    folded = fold(raw)
    if not folded:
        return Deadline(raw, DeadlineKind.NONE)
    if _NO_DATE.match(folded):
        return Deadline(raw, DeadlineKind.NONE)
    for pattern, period in _RECURRING:
        if pattern.search(folded):
            return Deadline(raw, DeadlineKind.RECURRING, period=period)
    for reader in (_read_date, _read_half, _read_quarter, _read_month, _read_year):
        found = reader(raw, folded, plan_year)
        if found is not None:
            return found
    return Deadline(raw, DeadlineKind.UNRECOGNISED)


def _year(value: str | None, plan_year: int | None) -> int | None:
    return int(value) if value else plan_year


def _safe_date(year: int | None, month: int, day: int) -> dt.date | None:
    if year is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def month_end(year: int, month: int) -> dt.date:
    """Last day of a month (leap years included)."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _read_date(raw: str, folded: str, plan_year: int | None) -> Deadline | None:
    for pattern in (_DMY, _DMY_WORDS, _DM_AFTER_NGAY):
        match = pattern.search(folded)
        if match:
            groups = match.groups()
            year = _year(groups[2] if len(groups) > 2 else None, plan_year)
            due = _safe_date(year, int(groups[1]), int(groups[0]))
            kind = DeadlineKind.DATE if due else DeadlineKind.UNRECOGNISED
            return Deadline(raw, kind, due)
    return None


def _read_half(raw: str, folded: str, plan_year: int | None) -> Deadline | None:
    match = _HALF.search(folded)
    if not match:
        return None
    year = _year(match.group(3), plan_year)
    if year is None:
        return Deadline(raw, DeadlineKind.UNRECOGNISED)
    due = dt.date(year, 6, 30) if match.group(2) == "dau" else dt.date(year, 12, 31)
    return Deadline(raw, DeadlineKind.HALF_YEAR, due)


def _read_quarter(raw: str, folded: str, plan_year: int | None) -> Deadline | None:
    match = _QUARTER.search(folded)
    if not match:
        return None
    year = _year(match.group(2), plan_year)
    if year is None:
        return Deadline(raw, DeadlineKind.UNRECOGNISED)
    quarter = _QUARTER_NUMERALS[match.group(1)]
    return Deadline(raw, DeadlineKind.QUARTER, month_end(year, quarter * 3))


def _read_month(raw: str, folded: str, plan_year: int | None) -> Deadline | None:
    match = _MONTH.search(folded)
    if not match:
        return None
    year = _year(match.group(2), plan_year)
    month = int(match.group(1))
    if year is None or not 1 <= month <= 12:
        return Deadline(raw, DeadlineKind.UNRECOGNISED)
    return Deadline(raw, DeadlineKind.MONTH, month_end(year, month))


def _read_year(raw: str, folded: str, plan_year: int | None) -> Deadline | None:
    match = _YEAR_ONLY.match(folded)
    if not match:
        return None
    return Deadline(raw, DeadlineKind.YEAR, dt.date(int(match.group(1)), 12, 31))


def describe(deadline: Deadline) -> str:
    """Canonical Vietnamese phrase for a deadline; parses back to the same kind and date."""
    due = deadline.due
    if deadline.kind is DeadlineKind.RECURRING and deadline.period:
        return _PERIOD_PHRASES[deadline.period]
    if due is None:
        return deadline.text
    if deadline.kind is DeadlineKind.MONTH:
        return f"Tháng {due.month:02d}/{due.year}"
    if deadline.kind is DeadlineKind.QUARTER:
        return f"Quý {_QUARTER_NAMES[(due.month - 1) // 3 + 1]}/{due.year}"
    if deadline.kind is DeadlineKind.HALF_YEAR:
        half = "đầu" if due.month == 6 else "cuối"
        return f"6 tháng {half} năm {due.year}"
    if deadline.kind is DeadlineKind.YEAR:
        return f"Năm {due.year}"
    return due.strftime("%d/%m/%Y")


def next_recurring_due(period: str, after: dt.date) -> dt.date | None:
    """Next due date of a recurring duty on or after `after` (continuous duties have none)."""
    if period == "monthly":
        return month_end(after.year, after.month)
    if period == "quarterly":
        return month_end(after.year, ((after.month - 1) // 3 + 1) * 3)
    if period == "half_yearly":
        return dt.date(after.year, 6, 30) if after.month <= 6 else dt.date(after.year, 12, 31)
    if period == "yearly":
        return dt.date(after.year, 12, 31)
    return None
