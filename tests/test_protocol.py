"""The text protocol: what focal points type on Zalo (or anywhere) to answer a reminder."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.protocol import MAX_TEXT, Answer, parse_answer


@pytest.mark.parametrize(("text", "expected"), [
    ("a7 xong", Answer("a7", "done")),
    ("#a7 xong 15/KH-STP ngày 20/01/2023", Answer("a7", "done", "15/KH-STP ngày 20/01/2023")),
    ("A7 Đã hoàn thành", Answer("a7", "done")),
    ("a7 dang 50%", Answer("a7", "progress", "", 50)),
    ("a7 đang thực hiện 75 đã trình lãnh đạo", Answer("a7", "progress", "đã trình lãnh đạo", 75)),
    ("a7 dang chờ số liệu", Answer("a7", "progress", "chờ số liệu")),
    ("a7 vướng mắc chưa có kinh phí", Answer("a7", "blocked", "chưa có kinh phí")),
    ("a7 VUONG", Answer("a7", "blocked")),
    ("a7 giahan 30/6/2023", Answer("a7", "extension", "30/6/2023")),
    ("a7 xin gia hạn Quý II/2023", Answer("a7", "extension", "Quý II/2023")),
])
def test_answers_are_understood(text: str, expected: Answer) -> None:
    assert parse_answer(text) == expected


@pytest.mark.parametrize("text", ["xong", "cảm ơn anh", "a7", "a7 xem lại", "", "   ",
                                  "abcdefghij xong", "a7 dang 150% không hợp lệ x" * 200])
def test_other_text_is_not_an_answer(text: str) -> None:
    answer = parse_answer(text)
    assert answer is None or (answer.percent is None or answer.percent <= 100)


def test_percent_above_100_is_refused_with_the_reason() -> None:
    answer = parse_answer("a7 dang 150%")
    assert answer is not None and answer.percent is None
    assert answer.error and "phần trăm phải từ 0 đến 100" in answer.error


@pytest.mark.parametrize(("text", "expected"), [
    ("a7 xong 100%", Answer("a7", "done")),
    ("a7 xong 100% 15/KH-STP", Answer("a7", "done", "15/KH-STP")),
    # no % and no "/": not a document number either (one looks like 12/KH-STP); the words
    # stay in the answer's raw text and the bot asks for the document
    ("a7 xong 100", Answer("a7", "done", "")),
    ("a7 xong rồi", Answer("a7", "done", "")),
    ("a7 t5 xong", None),
    ("a7 xong số 45/BC-UBND ngày 3/4", Answer("a7", "done", "số 45/BC-UBND ngày 3/4")),
])
def test_xong_100_percent_is_a_completion_not_a_document_number(text: str,
                                                                expected: Answer) -> None:
    assert parse_answer(text) == expected


def test_xong_with_less_than_100_percent_is_refused() -> None:
    answer = parse_answer("a7 xong 60%")
    assert answer is not None and answer.error and "a7 dang 60%" in answer.error


@given(st.text(max_size=MAX_TEXT + 50))
def test_nothing_raises_and_parsed_answers_are_well_formed(text: str) -> None:
    answer = parse_answer(text)
    if answer is not None:
        assert answer.action in {"done", "progress", "blocked", "extension"}
        assert answer.code.isalnum() and len(answer.code) <= 8
        assert answer.percent is None or 0 <= answer.percent <= 100
        assert len(text) <= MAX_TEXT


def test_a_code_and_a_percentage_is_progress() -> None:
    """"gb 70%" was not understood: the verb is not needed."""
    assert parse_answer("gb 70%") == Answer("gb", "progress", "", 70)
    assert parse_answer("gb 70 % đang chờ số liệu") == Answer("gb", "progress",
                                                             "đang chờ số liệu", 70)
    refused = parse_answer("gb -5%")
    assert refused is not None and refused.error and "từ 0 đến 100" in refused.error
