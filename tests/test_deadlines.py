"""Deadline phrases → (kind, start, due date), as a coordinator reads them.

The table holds the shapes real appendices use, written out by us; the property tests say
what must hold for any text: nothing raises, and no recognised phrase is due before a date
it names (a start or the first half of a range must never become the due date).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plan.deadlines import describe, parse_deadline
from plan.model import Deadline, DeadlineKind
from plan.recurrence import next_recurring_due

D = dt.date
K = DeadlineKind
# (phrase, plan year, kind, start, due)
CASES: list[tuple[str, int | None, DeadlineKind, dt.date | None, dt.date | None]] = [
    # months
    ("Tháng 12/2022", 2023, K.MONTH, None, D(2022, 12, 31)),
    ("Tháng 02/2024", 2023, K.MONTH, None, D(2024, 2, 29)),
    ("Tháng 2/2023", 2023, K.MONTH, None, D(2023, 2, 28)),
    ("tháng 6 năm 2023", None, K.MONTH, None, D(2023, 6, 30)),
    ("Tháng 9", 2023, K.MONTH, None, D(2023, 9, 30)),
    ("THANG 11/2023", None, K.MONTH, None, D(2023, 11, 30)),
    ("cuối tháng 6", 2023, K.MONTH, None, D(2023, 6, 30)),
    ("7/2026", None, K.MONTH, None, D(2026, 7, 31)),
    ("07/2026", None, K.MONTH, None, D(2026, 7, 31)),
    ("Tháng 7 năm 2026", None, K.MONTH, None, D(2026, 7, 31)),
    ("Tháng 09/2026.", None, K.MONTH, None, D(2026, 9, 30)),
    ("Trong tháng 10/2026", None, K.MONTH, None, D(2026, 10, 31)),
    ("Hoàn thành trước tháng 11/2026", None, K.MONTH, None, D(2026, 11, 30)),
    ("tháng 8-2026", None, K.MONTH, None, D(2026, 8, 31)),
    # quarters
    ("Quý I/2023", 2023, K.QUARTER, None, D(2023, 3, 31)),
    ("Quý II/2023", 2023, K.QUARTER, None, D(2023, 6, 30)),
    ("Quý III/2023", 2023, K.QUARTER, None, D(2023, 9, 30)),
    ("Quý IV/2023", 2023, K.QUARTER, None, D(2023, 12, 31)),
    ("Quý 1/2023", None, K.QUARTER, None, D(2023, 3, 31)),
    ("Quy IV nam 2024", None, K.QUARTER, None, D(2024, 12, 31)),
    ("Quý III", 2025, K.QUARTER, None, D(2025, 9, 30)),
    ("Quí III-2026", None, K.QUARTER, None, D(2026, 9, 30)),
    ("Quý 3 năm 2026", None, K.QUARTER, None, D(2026, 9, 30)),
    ("Quí IV/2026", None, K.QUARTER, None, D(2026, 12, 31)),
    ("Trong Quý II/2026", None, K.QUARTER, None, D(2026, 6, 30)),
    ("Quý I/2026 (đối với cấp tỉnh)", None, K.QUARTER, None, D(2026, 3, 31)),
    # halves and years
    ("6 tháng đầu năm 2023", None, K.HALF_YEAR, None, D(2023, 6, 30)),
    ("6 tháng cuối năm", 2023, K.HALF_YEAR, None, D(2023, 12, 31)),
    ("Năm 2023", 2022, K.YEAR, None, D(2023, 12, 31)),
    ("2023", None, K.YEAR, None, D(2023, 12, 31)),
    ("Trong năm 2026", None, K.YEAR, None, D(2026, 12, 31)),
    ("Hoàn thành trong năm 2026.", None, K.YEAR, None, D(2026, 12, 31)),
    ("Đến hết năm 2026", None, K.YEAR, None, D(2026, 12, 31)),
    ("Đến năm 2030", None, K.YEAR, None, D(2030, 12, 31)),
    ("Cả năm 2026 ", None, K.YEAR, None, D(2026, 12, 31)),
    ("Cuối năm 2026", None, K.YEAR, None, D(2026, 12, 31)),
    # dates
    ("15/3/2023", None, K.DATE, None, D(2023, 3, 15)),
    ("trước ngày 15/03/2023", None, K.DATE, None, D(2023, 3, 15)),
    ("ngày 15 tháng 3 năm 2023", None, K.DATE, None, D(2023, 3, 15)),
    ("Trước ngày 20/01", 2023, K.DATE, None, D(2023, 1, 20)),
    ("30-6-2023", None, K.DATE, None, D(2023, 6, 30)),
    ("Chậm nhất ngày 15/5/2026", None, K.DATE, None, D(2026, 5, 15)),
    ("Trước 30/6/2026", None, K.DATE, None, D(2026, 6, 30)),
    ("Trước ngày 30/9/2026.", None, K.DATE, None, D(2026, 9, 30)),
    ("Hoàn thành trước ngày 31.10.2026", None, K.DATE, None, D(2026, 10, 31)),
    ("Trước ngày 15 tháng 12", 2026, K.DATE, None, D(2026, 12, 15)),
    # two dates: the later one is due
    ("Tháng 6/2026 và tháng 12/2026", None, K.MONTH, None, D(2026, 12, 31)),
    ("Trước 30/6/2026; 31/12/2026", None, K.DATE, None, D(2026, 12, 31)),
    ("Quý II và Quý IV/2026", None, K.QUARTER, None, D(2026, 12, 31)),
    # ranges: due at the end, the start kept
    ("2027 - 2031", None, K.RANGE, D(2027, 1, 1), D(2031, 12, 31)),
    ("2027-2031", None, K.RANGE, D(2027, 1, 1), D(2031, 12, 31)),
    ("Năm 2026-2028", None, K.RANGE, D(2026, 1, 1), D(2028, 12, 31)),
    ("Giai đoạn 2026 – 2030", None, K.RANGE, D(2026, 1, 1), D(2030, 12, 31)),
    ("Giai đoạn 2026-2030.", None, K.RANGE, D(2026, 1, 1), D(2030, 12, 31)),
    ("Quý IV/2026 - Quý II/2027", None, K.RANGE, D(2026, 10, 1), D(2027, 6, 30)),
    ("Tháng 3 - 6/2026", None, K.RANGE, D(2026, 3, 1), D(2026, 6, 30)),
    ("Từ tháng 3 đến tháng 6/2026", None, K.RANGE, D(2026, 3, 1), D(2026, 6, 30)),
    ("Từ 01/7/2026 đến 31/12/2026", None, K.RANGE, D(2026, 7, 1), D(2026, 12, 31)),
    ("Quý III - Quý IV/2026", None, K.RANGE, D(2026, 7, 1), D(2026, 12, 31)),
    ("2026 — 2027", None, K.RANGE, D(2026, 1, 1), D(2027, 12, 31)),
    # start only: ongoing, never due
    ("Từ 01/7/2026", None, K.START, D(2026, 7, 1), None),
    ("Từ năm 2026", None, K.START, D(2026, 1, 1), None),
    ("Bắt đầu triển khai từ năm 2027", None, K.START, D(2027, 1, 1), None),
    ("Kể từ ngày 01/10/2026", None, K.START, D(2026, 10, 1), None),
    ("Từ Quý III/2026", None, K.START, D(2026, 7, 1), None),
    ("Bắt đầu từ tháng 9/2026", None, K.START, D(2026, 9, 1), None),
    # no fixed date on purpose / event-driven
    ("Theo quy định hiện hành", 2023, K.NONE, None, None),
    ("Theo chỉ đạo của UBND tỉnh", 2023, K.NONE, None, None),
    ("", 2023, K.NONE, None, None),
    ("Theo kế hoạch của Bộ Nội vụ", 2026, K.NONE, None, None),
    ("Khi có phát sinh", 2026, K.EVENT, None, None),
    ("Sau khi có hướng dẫn của Trung ương", 2026, K.EVENT, None, None),
    ("Theo lộ trình của Bộ", 2026, K.EVENT, None, None),
    ("Theo hướng dẫn của Bộ Tài chính", 2026, K.EVENT, None, None),
    ("Khi có yêu cầu", 2026, K.EVENT, None, None),
    ("30 ngày sau khi Nghị định có hiệu lực", 2026, K.EVENT, None, None),
    ("Kịp thời", 2026, K.EVENT, None, None),
    # not understood: kept verbatim, never guessed
    ("Tháng 13/2023", 2023, K.UNRECOGNISED, None, None),
    ("31/02/2023", 2023, K.UNRECOGNISED, None, None),
    ("Quý II", None, K.UNRECOGNISED, None, None),
    ("khi nào xong thì báo", 2023, K.UNRECOGNISED, None, None),
    ("sớm nhất có thể năm 2026", 2026, K.UNRECOGNISED, None, None),
    ("Trong vòng 15 ngày làm việc", 2026, K.UNRECOGNISED, None, None),
    ("Đầu tuần sau 2026", 2026, K.UNRECOGNISED, None, None),
    ("Quý I, II/2026", 2026, K.UNRECOGNISED, None, None),
]
RECURRING: list[tuple[str, str, tuple[tuple[int, int], ...], dt.date | None]] = [
    ("Hằng tháng", "monthly", (), None),
    ("Hàng quý", "quarterly", (), None),
    ("Định kỳ 6 tháng", "half_yearly", (), None),
    ("Định kỳ 06 tháng", "half_yearly", (), None),
    ("Hằng năm", "yearly", (), None),
    ("Thường xuyên", "continuous", (), None),
    ("Thường xuyên, liên tục", "continuous", (), None),
    ("Mỗi tháng một lần", "monthly", (), None),
    ("trước ngày 20 hằng tháng", "monthly", ((0, 20),), None),
    ("Định kỳ trước ngày 25 hàng tháng", "monthly", ((0, 25),), None),
    ("Trước ngày 05 tháng sau, hằng tháng", "monthly", ((1, 5),), None),
    ("trước ngày 15/11 hằng năm", "yearly", ((11, 15),), None),
    ("trước ngày 01/6 và 15/11 hằng năm", "twice_yearly", ((6, 1), (11, 15)), None),
    ("Tháng 12 hằng năm", "yearly", ((12, 31),), None),
    ("Hằng quý, trước ngày 20 tháng cuối quý", "quarterly", ((3, 20),), None),
    ("Hằng quý, trước ngày 10 tháng đầu quý sau", "quarterly", ((4, 10),), None),
    ("Định kỳ 3 tháng", "quarterly", (), None),
    ("Hằng năm, từ năm 2027", "yearly", (), D(2027, 1, 1)),
    ("2026 và những năm tiếp theo", "yearly", (), D(2026, 1, 1)),
    ("Giai đoạn 2026-2030 và các năm tiếp theo", "yearly", (), D(2026, 1, 1)),
    ("Năm 2026 và các năm tiếp theo", "yearly", (), D(2026, 1, 1)),
]


@pytest.mark.parametrize(("phrase", "plan_year", "kind", "start", "due"), CASES)
def test_phrase_gives_kind_start_and_due_date(phrase: str, plan_year: int | None,
                                              kind: DeadlineKind, start: dt.date | None,
                                              due: dt.date | None) -> None:
    parsed = parse_deadline(phrase, plan_year)
    assert (parsed.kind, parsed.start, parsed.due) == (kind, start, due)
    assert parsed.text == phrase.strip()


@pytest.mark.parametrize(("phrase", "period", "days", "start"), RECURRING)
def test_recurring_phrases_name_their_period_and_days(
        phrase: str, period: str, days: tuple[tuple[int, int], ...],
        start: dt.date | None) -> None:
    parsed = parse_deadline(phrase, 2026)
    assert (parsed.kind, parsed.period, parsed.days, parsed.start, parsed.due) == (
        DeadlineKind.RECURRING, period, days, start, None)


def test_the_table_covers_at_least_eighty_phrases() -> None:
    assert len(CASES) + len(RECURRING) >= 80


@pytest.mark.parametrize("phrase", [
    "Trước ngày 31/02 hằng năm", "trước ngày 40 hằng tháng", "Trước ngày 15/13 hằng năm"])
def test_impossible_recurring_days_are_unrecognised(phrase: str) -> None:
    assert parse_deadline(phrase, 2026).kind is DeadlineKind.UNRECOGNISED


@pytest.mark.parametrize(("period", "days", "after", "expected"), [
    ("monthly", (), D(2023, 2, 10), D(2023, 2, 28)),
    ("quarterly", (), D(2023, 4, 1), D(2023, 6, 30)),
    ("half_yearly", (), D(2023, 7, 1), D(2023, 12, 31)),
    ("yearly", (), D(2023, 3, 3), D(2023, 12, 31)),
    ("continuous", (), D(2023, 3, 3), None),
    ("monthly", ((0, 20),), D(2026, 3, 21), D(2026, 4, 20)),
    ("monthly", ((0, 31),), D(2026, 2, 1), D(2026, 2, 28)),
    ("monthly", ((1, 5),), D(2026, 12, 6), D(2027, 1, 5)),
    ("quarterly", ((3, 20),), D(2026, 4, 1), D(2026, 6, 20)),
    ("quarterly", ((4, 10),), D(2026, 12, 1), D(2027, 1, 10)),
    ("yearly", ((11, 15),), D(2026, 11, 16), D(2027, 11, 15)),
    ("twice_yearly", ((6, 1), (11, 15)), D(2026, 6, 2), D(2026, 11, 15)),
])
def test_next_due_date_of_recurring_duties(period: str, days: tuple[tuple[int, int], ...],
                                           after: dt.date, expected: dt.date | None) -> None:
    assert next_recurring_due(period, after, days) == expected


@given(st.text(max_size=80), st.one_of(st.none(), st.integers(1900, 2199)))
def test_no_text_ever_raises(text: str, year: int | None) -> None:
    parsed = parse_deadline(text, year)
    assert parsed.kind in DeadlineKind
    if parsed.kind not in {K.MONTH, K.QUARTER, K.HALF_YEAR, K.YEAR, K.DATE, K.RANGE}:
        assert parsed.due is None


_DATE_WRITTEN = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/((?:19|20|21)\d\d)(?!\d)")
_YEAR_WRITTEN = re.compile(r"(?<![\d/])((?:19|20|21)\d\d)(?![\d/])")
_PIECES = st.sampled_from([
    "Từ", "từ", "đến", "Đến", "-", "–", "và", ";", "trước", "Trước ngày", "Chậm nhất ngày",
    "Quý I/", "Quý IV/", "Tháng 3/", "tháng 12/", "Năm", "Giai đoạn", "Hoàn thành trong năm",
    "bắt đầu từ", "hằng năm", "6 tháng đầu năm", "ngày 15/5/", "30/6/", "01/01/", "(ghi chú)"])


@given(st.lists(st.one_of(_PIECES, st.integers(2020, 2035).map(str)), min_size=1, max_size=6),
       st.one_of(st.none(), st.integers(2020, 2035)))
def test_no_recognised_phrase_is_due_before_a_date_it_names(pieces: list[str],
                                                            year: int | None) -> None:
    phrase = " ".join(pieces).replace("/ ", "/")
    parsed = parse_deadline(phrase, year)
    if parsed.due is None:
        return
    for day, month, written_year in _DATE_WRITTEN.findall(phrase):
        try:
            written = D(int(written_year), int(month), int(day))
        except ValueError:
            continue
        assert parsed.due >= written, phrase
    for written_year in _YEAR_WRITTEN.findall(phrase):
        assert parsed.due.year >= int(written_year), phrase
    if parsed.start is not None:
        assert parsed.start <= parsed.due, phrase


_KINDS = st.sampled_from([K.MONTH, K.QUARTER, K.HALF_YEAR, K.YEAR, K.DATE])


@given(_KINDS, st.dates(D(1990, 1, 1), D(2150, 12, 31)))
def test_recognised_phrases_round_trip(kind: DeadlineKind, day: dt.date) -> None:
    original = parse_deadline(describe(Deadline("", kind, day)), None)
    again = parse_deadline(describe(original), None)
    assert original.kind is kind
    assert again == Deadline(describe(original), original.kind, original.due)
    if kind is K.DATE:
        assert original.due == day


@given(st.dates(D(2000, 1, 1), D(2100, 12, 31)), st.integers(0, 3000))
def test_ranges_and_starts_round_trip(start: dt.date, length: int) -> None:
    due = start + dt.timedelta(days=length + 1)
    for deadline in (Deadline("", K.RANGE, due, start=start), Deadline("", K.START, start=start)):
        again = parse_deadline(describe(deadline), None)
        assert (again.kind, again.start, again.due) == (deadline.kind, deadline.start,
                                                        deadline.due)


@pytest.mark.parametrize(("phrase", "_period", "_days", "_start"), RECURRING)
def test_recurring_phrases_round_trip(phrase: str, _period: str,
                                      _days: tuple[tuple[int, int], ...],
                                      _start: dt.date | None) -> None:
    parsed = parse_deadline(phrase, 2026)
    again = parse_deadline(describe(parsed), 2026)
    assert (again.period, again.days, again.start) == (parsed.period, parsed.days, parsed.start)


# (phrase, kind, due, start, follow-up, period, days) — our own wording of the shapes found
# in 2025 plans. Every phrase is read whole; what cannot be is unrecognised (and warned).
COMPOUND = [
    ("Hoàn thành trong năm 2027 và cập nhật, bổ sung trong các năm sau (nếu cần)",
     DeadlineKind.YEAR, dt.date(2027, 12, 31), None, "as_needed", None, ()),
    ("Hoàn thành trong quý II năm 2027 và rà soát hằng năm",
     DeadlineKind.QUARTER, dt.date(2027, 6, 30), None, "yearly", None, ()),
    ("Ban hành trong năm 2027. Rà soát, điều chỉnh khi cần",
     DeadlineKind.YEAR, dt.date(2027, 12, 31), None, "as_needed", None, ()),
    ("Hoàn thành giai đoạn 2027 - 2028 và duy trì vận hành thường xuyên",
     DeadlineKind.RANGE, dt.date(2028, 12, 31), dt.date(2027, 1, 1), "continuous", None, ()),
    ("Hoàn thành năm 2027, duy trì thường xuyên",
     DeadlineKind.YEAR, dt.date(2027, 12, 31), None, "continuous", None, ()),
    ("Trước 30/6/2027 và khi có phát sinh",
     DeadlineKind.DATE, dt.date(2027, 6, 30), None, "event", None, ()),
    ("trước ngày 25 tháng 3 năm 2027 và hằng tháng",
     DeadlineKind.RECURRING, None, dt.date(2027, 3, 25), None, "monthly", ((0, 25),)),
    ("Từ tháng 4/2027 đến khi kết thúc đợt rà soát",
     DeadlineKind.EVENT, None, dt.date(2027, 4, 1), None, None, ()),
    ("Thực hiện theo lộ trình, hướng dẫn của các bộ, ngành",
     DeadlineKind.EVENT, None, None, None, None, ()),
    ("Trước ngày 15 của tháng cuối quý",
     DeadlineKind.RECURRING, None, None, None, "quarterly", ((3, 15),)),
    # not compounds: read as before
    ("2026 và những năm tiếp theo", DeadlineKind.RECURRING, None, dt.date(2026, 1, 1), None,
     "yearly", ()),
    ("Quý I/2027 và Quý III/2027", DeadlineKind.QUARTER, dt.date(2027, 9, 30), None, None, None,
     ()),
    # no whole reading: unrecognised, kept verbatim and warned — never a part of it
    ("Năm 2027 và triển khai tiếp theo chỉ đạo", DeadlineKind.UNRECOGNISED, None, None, None,
     None, ()),
    ("Tháng 6/2027; tiếp tục theo dõi", DeadlineKind.UNRECOGNISED, None, None, None, None, ()),
]


@pytest.mark.parametrize(("text", "kind", "due", "start", "follow_up", "period", "days"),
                         COMPOUND)
def test_compound_phrases_keep_their_completion_date(
        text: str, kind: DeadlineKind, due: dt.date | None, start: dt.date | None,
        follow_up: str | None, period: str | None, days: tuple[tuple[int, int], ...]) -> None:
    found = parse_deadline(text, 2027)
    assert (found.kind, found.due, found.start, found.follow_up, found.period, found.days) == (
        kind, due, start, follow_up, period, days)


def test_a_compound_reading_is_said_in_the_import_never_silent() -> None:
    from config.directories import load_named
    from plan.parse import parse_plan
    from plan.readers import read_rows

    plan = ("Số: 7/KH-UBND\nAn Giang, ngày 05 tháng 01 năm 2027\nKẾ HOẠCH\nCải cách hành chính "
            "năm 2027\nSTT\tNội dung\tSản phẩm\tCơ quan chủ trì\tCơ quan phối hợp\tThời hạn\n"
            "I\tThể chế\t\t\t\t\n1\tBan hành quy chế\tQuyết định\tSở Tư pháp\t\t"
            "Hoàn thành trong quý II năm 2027 và rà soát hằng năm\n"
            "2\tTheo dõi thi hành\tBáo cáo\tSở Tư pháp\t\t"
            "Năm 2027 và triển khai tiếp theo chỉ đạo\n")
    draft = parse_plan(read_rows("p.txt", plan.encode()), load_named("an-giang-2025"))
    said = [w.message for w in draft.warnings]
    assert any("đọc là: hạn 30/06/2027, sau đó rà soát, thực hiện hằng năm" in m for m in said)
    assert any("không đọc được thời hạn «Năm 2027 và triển khai" in m for m in said)
