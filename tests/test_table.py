"""Table quirks other provinces' appendices have, written as small documents."""

from __future__ import annotations

import pytest

from plan.agencies import Directory
from plan.model import PlanDraft
from plan.parse import parse_plan
from plan.readers import read_rows
from plan.rows import PlanFormatError

HEADER = "STT\tNỘI DUNG\tSẢN PHẨM\tCƠ QUAN CHỦ TRÌ\tCƠ QUAN PHỐI HỢP\tTHỜI GIAN HOÀN THÀNH\tGHI CHÚ"
PREAMBLE = ("Số: 15/KH-UBND\nAn Giang, ngày 10 tháng 01 năm 2026\nKẾ HOẠCH\n"
            "Cải cách hành chính năm 2026\n")


def parse(body: str, directory: Directory, header: str = HEADER) -> PlanDraft:
    text = PREAMBLE + header + "\n" + body
    return parse_plan(read_rows("plan.txt", text.encode()), directory)


def test_header_without_diacritics_and_other_wording(directory: Directory) -> None:
    header = "TT\tNoi dung nhiem vu\tDon vi chu tri\tDon vi phoi hop\tThoi han"
    draft = parse("I\tThể chế\n1\tViệc A\tSở Tư pháp\tSở Nội vụ\tQuý II", directory, header)
    only = draft.tasks[0]
    assert (only.ref, only.product, only.lead[0].name, only.deadline.due.isoformat()) == (
        "I.1", "", "Sở Tư pháp", "2026-06-30")


def test_plan_year_fills_a_missing_year(directory: Directory) -> None:
    draft = parse("1\tViệc A\tBáo cáo\tSở Y tế\t\tTháng 9\t", directory)
    assert draft.tasks[0].deadline.due.isoformat() == "2026-09-30"


def test_bold_section_in_content_column(directory: Directory) -> None:
    body = "\t<b>II. CẢI CÁCH TTHC</b>\t\t\t\t\t\n1\tViệc B\tKế hoạch\tSở Y tế\t\tNăm 2026\t"
    draft = parse(body, directory)
    assert (draft.tasks[0].ref, draft.tasks[0].section_title) == ("II.1", "CẢI CÁCH TTHC")


def test_repeated_number_without_a_gap_gets_a_suffix(directory: Directory) -> None:
    body = ("I\tA\n1\tViệc 1\tKH\tSở Y tế\t\tNăm 2026\t\n2\tViệc 2\tKH\tSở Y tế\t\tNăm 2026\t\n"
            "2\tViệc 2 lặp\tKH\tSở Y tế\t\tNăm 2026\t\nII\tB\n1\tViệc 3\tKH\tSở Y tế\t\tNăm 2026\t")
    draft = parse(body, directory)
    assert [t.ref for t in draft.tasks] == ["I.1", "I.2", "I.2b", "II.1"]
    assert any("I.2b" in w.message for w in draft.warnings)


def test_row_continued_in_the_deadline_column(directory: Directory) -> None:
    body = "1\tViệc A\tKH\tSở Y tế\t\tQuý\t\n\t\t\t\t\tIII/2026\t"
    draft = parse(body, directory)
    assert draft.tasks[0].deadline.due.isoformat() == "2026-09-30"


def test_continuation_with_nothing_above_is_kept_as_its_own_task(directory: Directory) -> None:
    draft = parse("\tViệc mồ côi\tKH\tSở Y tế\t\tNăm 2026\t", directory)
    assert len(draft.tasks) == 1 and draft.tasks[0].content == "Việc mồ côi"
    assert any("không có số thứ tự" in w.message for w in draft.warnings)


def test_body_text_inside_the_table_is_warned_not_stored(directory: Directory) -> None:
    draft = parse("1\tViệc A\tKH\tSở Y tế\t\tNăm 2026\t\nTrang 3/7\n2\tViệc B\tKH\tSở Y tế\t\t"
                  "Năm 2026\t", directory)
    assert [t.content for t in draft.tasks] == ["Việc A", "Việc B"]
    assert any("Trang 3/7" in w.message for w in draft.warnings)


def test_unreadable_deadline_and_missing_lead_are_warned(directory: Directory) -> None:
    draft = parse("1\tViệc A\tKH\t\t\tsớm nhất có thể\t", directory)
    messages = " | ".join(w.message for w in draft.warnings)
    assert "không đọc được thời hạn «sớm nhất có thể»" in messages
    assert "chưa có cơ quan chủ trì" in messages
    assert draft.tasks[0].deadline.due is None


def test_document_without_appendix_table_is_refused(directory: Directory) -> None:
    with pytest.raises(PlanFormatError, match="không tìm thấy bảng phụ lục"):
        parse_plan(read_rows("x.txt", "Chỉ có văn bản\nkhông có bảng".encode()), directory)


def test_empty_table_is_refused(directory: Directory) -> None:
    with pytest.raises(PlanFormatError, match="không có nhiệm vụ nào"):
        parse("\n\n", directory)
