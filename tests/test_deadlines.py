"""Deadline phrases → (kind, due date), as a coordinator reads them."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plan.deadlines import describe, next_recurring_due, parse_deadline
from plan.model import Deadline, DeadlineKind

D = dt.date
CASES = [
    ("Tháng 12/2022", 2023, DeadlineKind.MONTH, D(2022, 12, 31)),
    ("Tháng 02/2024", 2023, DeadlineKind.MONTH, D(2024, 2, 29)),
    ("Tháng 2/2023", 2023, DeadlineKind.MONTH, D(2023, 2, 28)),
    ("tháng 6 năm 2023", None, DeadlineKind.MONTH, D(2023, 6, 30)),
    ("Tháng 9", 2023, DeadlineKind.MONTH, D(2023, 9, 30)),
    ("THANG 11/2023", None, DeadlineKind.MONTH, D(2023, 11, 30)),
    ("cuối tháng 6", 2023, DeadlineKind.MONTH, D(2023, 6, 30)),
    ("Quý I/2023", 2023, DeadlineKind.QUARTER, D(2023, 3, 31)),
    ("Quý II/2023", 2023, DeadlineKind.QUARTER, D(2023, 6, 30)),
    ("Quý III/2023", 2023, DeadlineKind.QUARTER, D(2023, 9, 30)),
    ("Quý IV/2023", 2023, DeadlineKind.QUARTER, D(2023, 12, 31)),
    ("Quý 1/2023", None, DeadlineKind.QUARTER, D(2023, 3, 31)),
    ("Quy IV nam 2024", None, DeadlineKind.QUARTER, D(2024, 12, 31)),
    ("Quý III", 2025, DeadlineKind.QUARTER, D(2025, 9, 30)),
    ("6 tháng đầu năm 2023", None, DeadlineKind.HALF_YEAR, D(2023, 6, 30)),
    ("6 tháng cuối năm", 2023, DeadlineKind.HALF_YEAR, D(2023, 12, 31)),
    ("Năm 2023", 2022, DeadlineKind.YEAR, D(2023, 12, 31)),
    ("2023", None, DeadlineKind.YEAR, D(2023, 12, 31)),
    ("Trong năm 2026", None, DeadlineKind.YEAR, D(2026, 12, 31)),
    ("15/3/2023", None, DeadlineKind.DATE, D(2023, 3, 15)),
    ("trước ngày 15/03/2023", None, DeadlineKind.DATE, D(2023, 3, 15)),
    ("ngày 15 tháng 3 năm 2023", None, DeadlineKind.DATE, D(2023, 3, 15)),
    ("Trước ngày 20/01", 2023, DeadlineKind.DATE, D(2023, 1, 20)),
    ("30-6-2023", None, DeadlineKind.DATE, D(2023, 6, 30)),
    ("Theo quy định hiện hành", 2023, DeadlineKind.NONE, None),
    ("Theo chỉ đạo của UBND tỉnh", 2023, DeadlineKind.NONE, None),
    ("", 2023, DeadlineKind.NONE, None),
    ("Hằng tháng", 2023, DeadlineKind.RECURRING, None),
    ("Hàng quý", 2023, DeadlineKind.RECURRING, None),
    ("Định kỳ 6 tháng", 2023, DeadlineKind.RECURRING, None),
    ("Thường xuyên", 2023, DeadlineKind.RECURRING, None),
    ("Tháng 13/2023", 2023, DeadlineKind.UNRECOGNISED, None),
    ("31/02/2023", 2023, DeadlineKind.UNRECOGNISED, None),
    ("Quý II", None, DeadlineKind.UNRECOGNISED, None),
    ("khi nào xong thì báo", 2023, DeadlineKind.UNRECOGNISED, None),
]


@pytest.mark.parametrize(("phrase", "plan_year", "kind", "due"), CASES)
def test_phrase_gives_kind_and_due_date(phrase: str, plan_year: int | None,
                                        kind: DeadlineKind, due: dt.date | None) -> None:
    parsed = parse_deadline(phrase, plan_year)
    assert (parsed.kind, parsed.due) == (kind, due)
    assert parsed.text == phrase.strip()


@pytest.mark.parametrize(("phrase", "period"), [
    ("Hằng tháng", "monthly"), ("Hằng quý", "quarterly"), ("Định kỳ 6 tháng", "half_yearly"),
    ("Hằng năm", "yearly"), ("Thường xuyên", "continuous")])
def test_recurring_phrases_name_their_period(phrase: str, period: str) -> None:
    assert parse_deadline(phrase, 2023).period == period


@pytest.mark.parametrize(("period", "after", "expected"), [
    ("monthly", D(2023, 2, 10), D(2023, 2, 28)),
    ("quarterly", D(2023, 4, 1), D(2023, 6, 30)),
    ("half_yearly", D(2023, 7, 1), D(2023, 12, 31)),
    ("yearly", D(2023, 3, 3), D(2023, 12, 31)),
    ("continuous", D(2023, 3, 3), None),
])
def test_next_due_date_of_recurring_duties_is_derivable(period: str, after: dt.date,
                                                       expected: dt.date | None) -> None:
    assert next_recurring_due(period, after) == expected


@given(st.text(max_size=80), st.one_of(st.none(), st.integers(1900, 2199)))
def test_no_text_ever_raises(text: str, year: int | None) -> None:
    parsed = parse_deadline(text, year)
    assert parsed.kind in DeadlineKind
    if parsed.kind in {DeadlineKind.NONE, DeadlineKind.UNRECOGNISED, DeadlineKind.RECURRING}:
        assert parsed.due is None


_KINDS = st.sampled_from([DeadlineKind.MONTH, DeadlineKind.QUARTER, DeadlineKind.HALF_YEAR,
                          DeadlineKind.YEAR, DeadlineKind.DATE])


@given(_KINDS, st.dates(D(1990, 1, 1), D(2150, 12, 31)))
def test_recognised_phrases_round_trip(kind: DeadlineKind, day: dt.date) -> None:
    original = parse_deadline(describe(Deadline("", kind, day)), None)
    again = parse_deadline(describe(original), None)
    assert original.kind is kind
    assert again == Deadline(describe(original), original.kind, original.due)
    if kind is DeadlineKind.DATE:
        assert original.due == day
