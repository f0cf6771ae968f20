"""Recurring duties: `Hằng tháng`, `trước ngày 20 hằng tháng`, `trước ngày 01/6 và 15/11
hằng năm`, `Hằng quý, trước ngày 20 tháng cuối quý`, `2026 và những năm tiếp theo`…

A recurring phrase has a period and, when it says so, the days its occurrences fall on
(see `Deadline.days`). `next_recurring_due` turns that into the next due date.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from plan.model import Deadline, DeadlineKind

_PERIODS = (
    ("monthly", re.compile(r"\b(hang|moi) thang\b|\bdinh ky (hang )?thang\b|"
                           r"\bthang (mot|1) lan\b")),
    ("quarterly", re.compile(r"\b(hang|moi) quy\b|\bdinh ky (hang )?quy\b|"
                             r"\bdinh ky (3|03|ba) thang\b|\bquy (mot|1) lan\b|"
                             r"\bthang cuoi (cua )?(moi )?quy\b")),
    ("half_yearly", re.compile(r"\bdinh ky (6|06|sau) thang\b|\b(hang|moi) (6|06|sau) thang\b|"
                               r"\b(6|06|sau) thang (mot|1) lan\b|\bdinh ky nua nam\b")),
    ("yearly", re.compile(r"\b(hang|moi) nam\b|\bdinh ky (hang )?nam\b|\bnam (mot|1) lan\b|"
                          r"\b(va|cac|nhung) (cac |nhung )?nam tiep theo\b")),
    ("continuous", re.compile(r"\bthuong xuyen\b|\blien tuc\b")),
)
_DAY_MONTH = re.compile(r"(?<![\d/])(\d{1,2})\s*/\s*(\d{1,2})(?![\d/])|"
                        r"\bngay (\d{1,2}) thang (\d{1,2})(?![\d/])")
_DAY = re.compile(r"\bngay (\d{1,2})(?!\s*(?:/|thang)\s*\d)")
_MONTH = re.compile(r"\bthang (\d{1,2})(?![\d/])")
_FROM = re.compile(r"\b(?:tu|bat dau(?: \w+)? tu)\s+(?:ngay\s+)?(?:(\d{1,2})/(\d{1,2})/)?"
                   r"(?:nam\s+)?((?:19|20|21)\d\d)\b")
_FIRST_YEAR = re.compile(r"(?<![\d/])((?:19|20|21)\d\d)(?![\d/])")
_OPEN_ENDED = re.compile(r"\bnam tiep theo\b")


def read_recurring(raw: str, folded: str, plan_year: int | None) -> Deadline | None:
    """A recurring deadline, an unrecognised one when its days are impossible, or None."""
    period = next((name for name, pattern in _PERIODS if pattern.search(folded)), None)
    if period is None:
        return None
    days = _days(period, folded)
    if days is None:
        return Deadline(raw, DeadlineKind.UNRECOGNISED)
    if period in {"yearly", "half_yearly"} and len(days) == 2:
        period = "twice_yearly"
    return Deadline(raw, DeadlineKind.RECURRING, period=period, start=_start(folded),
                    days=days)


def _days(period: str, folded: str) -> tuple[tuple[int, int], ...] | None:
    if period in {"monthly", "quarterly"}:
        found = [int(d) for d in _DAY.findall(folded)]
        if period == "monthly":
            offset = 1 if "thang sau" in folded else 0
        else:
            offset = 4 if re.search(r"\bquy (sau|tiep theo)\b", folded) else 3
        days = tuple((offset, day) for day in found[:1])
        return days if all(1 <= d <= 31 for _, d in days) else None
    if period == "continuous":
        return ()
    pairs = [(int(m or m2), int(d or d2)) for d, m, d2, m2 in _DAY_MONTH.findall(folded)]
    if not pairs and period == "yearly" and not _OPEN_ENDED.search(folded):
        pairs = [(int(m), calendar.monthrange(2024, int(m))[1]) for m in _MONTH.findall(folded)
                 if 1 <= int(m) <= 12]
    for month, day in pairs:
        if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2024, month)[1]:
            return None
    return tuple(sorted(set(pairs)))


def _start(folded: str) -> dt.date | None:
    match = _FROM.search(folded)
    if match:
        day, month, year = match.groups()
        try:
            return dt.date(int(year), int(month or 1), int(day or 1))
        except ValueError:
            return None
    if _OPEN_ENDED.search(folded):
        first = _FIRST_YEAR.search(folded)
        return dt.date(int(first.group(1)), 1, 1) if first else None
    return None


def next_recurring_due(period: str, after: dt.date,
                       days: tuple[tuple[int, int], ...] = ()) -> dt.date | None:
    """First due date of a recurring duty on or after `after` (continuous duties have none)."""
    candidates = [due for year in (after.year - 1, after.year, after.year + 1)
                  for due in _dues_in(period, year, days)]
    later = [due for due in candidates if due >= after]
    return min(later) if later else None


def _dues_in(period: str, year: int, days: tuple[tuple[int, int], ...]) -> list[dt.date]:
    """Due dates of every occurrence whose period lies in `year`."""
    if period == "monthly":
        offset, day = days[0] if days else (0, 31)
        return [_on(year, month + offset, day) for month in range(1, 13)]
    if period == "quarterly":
        offset, day = days[0] if days else (3, 31)
        return [_on(year, quarter * 3 - 3 + offset, day) for quarter in range(1, 5)]
    if period in {"yearly", "twice_yearly", "half_yearly"} and days:
        return [_on(year, month, day) for month, day in days]
    if period == "half_yearly":
        return [dt.date(year, 6, 30), dt.date(year, 12, 31)]
    if period == "yearly":
        return [dt.date(year, 12, 31)]
    return []


def _on(year: int, month: int, day: int) -> dt.date:
    """Day `day` of a month counted from January of `year` (13 = next January), clamped."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def describe_recurring(deadline: Deadline) -> str:
    """Canonical phrase for a recurring deadline; reads back to the same period and days."""
    period, days = deadline.period, deadline.days
    if period == "monthly":
        text = "Hằng tháng"
        if days:
            offset, day = days[0]
            text = f"Trước ngày {day:02d} {'tháng sau, ' if offset else ''}hằng tháng"
    elif period == "quarterly":
        text = "Hằng quý"
        if days:
            offset, day = days[0]
            where = "tháng đầu quý sau" if offset == 4 else "tháng cuối quý"
            text = f"Hằng quý, trước ngày {day:02d} {where}"
    elif period in {"yearly", "twice_yearly", "half_yearly"} and days:
        text = f"Trước ngày {' và '.join(f'{d:02d}/{m:02d}' for m, d in days)} hằng năm"
    else:
        text = {"half_yearly": "Định kỳ 6 tháng", "yearly": "Hằng năm",
                "continuous": "Thường xuyên"}.get(period or "", deadline.text)
    start = deadline.start
    if start is not None:
        text += f", từ năm {start.year}" if (start.month, start.day) == (1, 1) \
            else f", từ ngày {start:%d/%m/%Y}"
    return text
