"""Table quirks other provinces' appendices have, written as small documents."""

from __future__ import annotations

import datetime as dt

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


def test_don_vi_thuc_hien_is_the_lead_when_there_is_no_chu_tri_column(
        directory: Directory) -> None:
    header = "STT\tNội dung công việc\tĐơn vị thực hiện\tThời gian thực hiện\tNguồn kinh phí"
    draft = parse("1\tViệc A\tSở Y tế\tQuý II/2026\tNgân sách tỉnh", directory, header)
    only = draft.tasks[0]
    assert (only.lead[0].name, only.deadline.due.isoformat()) == ("Sở Y tế", "2026-06-30")
    assert only.extra == (("Nguồn kinh phí", "Ngân sách tỉnh"),)


def test_decimal_numbers_and_sub_groups(directory: Directory) -> None:
    body = ("III\tCẢI CÁCH TỔ CHỨC\t\t\t\t\t\n"
            "III.1\tSắp xếp tổ chức\t\t\t\t\t\n"
            "1\tViệc 1\tKH\tSở Y tế\t\tNăm 2026\t\n"
            "2\tViệc 2\tKH\tSở Y tế\t\tNăm 2026\t\n"
            "III.2\tBiên chế\t\t\t\t\t\n"
            "1\tViệc 3\tKH\tSở Y tế\t\tNăm 2026\t\n"
            "5\tQuản lý công chức\t\t\t\t\t\n"
            "5.1\tViệc 4\tKH\tSở Y tế\t\tNăm 2026\t\n"
            "5.1.8\tViệc 5\tKH\tSở Y tế\t\tNăm 2026\t\n")
    draft = parse(body, directory)
    assert [t.ref for t in draft.tasks] == ["III.1.1", "III.1.2", "III.2.1", "III.5.1",
                                            "III.5.1.8"]
    assert [t.subsection for t in draft.tasks][::2] == ["III.1 Sắp xếp tổ chức",
                                                        "III.2 Biên chế", "III.5 Quản lý công chức"]
    assert not any("bất thường" in w.message or "bắt đầu lại" in w.message
                   for w in draft.warnings)


def test_part_rows_keep_refs_unique_when_sections_restart(directory: Directory) -> None:
    body = ("A.\tNHIỆM VỤ TRỌNG TÂM\t\t\t\t\t\nI\tThể chế\t\t\t\t\t\n"
            "1\tViệc 1\tKH\tSở Y tế\t\tNăm 2026\t\n"
            "B.\tNHIỆM VỤ THƯỜNG XUYÊN\t\t\t\t\t\nI\tThể chế\t\t\t\t\t\n"
            "1\tViệc 2\tKH\tSở Y tế\t\tNăm 2026\t\n")
    draft = parse(body, directory)
    assert [(t.ref, t.part, t.section) for t in draft.tasks] == [
        ("A.I.1", "A", "A.I"), ("B.I.1", "B", "B.I")]


def test_bold_unnumbered_row_is_a_group_not_a_task(directory: Directory) -> None:
    body = ("I\tThể chế\t\t\t\t\t\n\t<b>Nhóm văn bản</b>\t\t\t\t\t\n"
            "1\tViệc 1\tKH\tSở Y tế\t\tNăm 2026\t\n")
    draft = parse(body, directory)
    assert [(t.ref, t.subsection) for t in draft.tasks] == [("I.1", "Nhóm văn bản")]


def test_sub_row_with_its_own_lead_is_a_task_a_continuation_is_not(
        directory: Directory) -> None:
    body = ("1\tBan hành quy chế\tQĐ\tSở Nội vụ\tSở Tư pháp\tQuý II/2026\t\n"
            "\tHướng dẫn thực hiện quy chế\tCV\tSở Tư pháp\t\t\t\n"
            "2\tRà soát thủ tục hành chính nội bộ của các cơ quan\tKH\tSở Y tế\t\tNăm 2026\t\n"
            "\tthuộc UBND tỉnh\t\t\t\t\t\n")
    draft = parse(body, directory)
    assert [(t.number, t.lead[0].name, t.coordinating_text, t.deadline.due.isoformat())
            for t in draft.tasks] == [
        ("1a", "Sở Nội vụ", "Sở Tư pháp", "2026-06-30"),
        ("1b", "Sở Tư pháp", "Sở Tư pháp", "2026-06-30"),
        ("2", "Sở Y tế", "", "2026-12-31")]
    assert draft.tasks[2].content.endswith("các cơ quan thuộc UBND tỉnh")
    warned = " | ".join(w.message for w in draft.warnings)
    assert "coi là nhiệm vụ 1b" in warned and "nối tiếp nhiệm vụ 2" in warned


def test_column_number_row_and_section_with_stray_text(directory: Directory) -> None:
    body = ("(1)\t(2)\t(3)\t(4)\t(5)\t(6)\t(7)\n"
            "I\tThể chế\t\t\t\t\tưu tiên\n1\tViệc 1\tKH\tSở Y tế\t\tNăm 2026\t\n")
    draft = parse(body, directory)
    assert [t.ref for t in draft.tasks] == ["I.1"]
    assert any("có chữ ở cột khác («ưu tiên»)" in w.message for w in draft.warnings)


def test_indicator_table_after_the_tasks_is_skipped(directory: Directory) -> None:
    body = ("1\tViệc 1\tKH\tSở Y tế\t\tNăm 2026\t\n\n"
            "TT\tChỉ tiêu\tGiá trị\tGhi chú\n1\tTỷ lệ hồ sơ trực tuyến\t80%\t\n")
    draft = parse(body, directory)
    assert [t.content for t in draft.tasks] == ["Việc 1"]
    assert any("bảng chỉ tiêu" in w.message for w in draft.warnings)


def test_a_cell_packing_several_tasks_stays_one_task_warned(directory: Directory) -> None:
    body = "1\t- Ban hành quy chế. - Tổ chức tập huấn\tKH\tSở Y tế\t\tNăm 2026\t"
    draft = parse(body, directory)
    assert len(draft.tasks) == 1
    assert any("gồm 2 việc" in w.message for w in draft.warnings)


def test_refusal_names_the_columns_seen_and_the_one_missing(directory: Directory) -> None:
    text = PREAMBLE + "STT\tNội dung\tĐơn vị thực hiện\tGhi chú\n1\tViệc A\tSở Y tế\t\n"
    with pytest.raises(PlanFormatError) as caught:
        parse_plan(read_rows("plan.txt", text.encode()), directory)
    message = str(caught.value)
    assert "thấy bảng có các cột STT, Nội dung, Đơn vị thực hiện" in message
    assert "thiếu cột thời hạn" in message and ".docx, .xlsx hoặc .pdf" in message


def test_text_copied_from_word_is_explained(directory: Directory) -> None:
    text = PREAMBLE + "STT\nNội dung\nCơ quan chủ trì\nThời hạn\n1\nViệc A\nSở Y tế\nQuý I\n"
    with pytest.raises(PlanFormatError, match=r"chép từ Word.*\.docx hoặc \.pdf"):
        parse_plan(read_rows("plan.txt", text.encode()), directory)


def test_a_start_column_gives_the_start_of_work(directory: Directory) -> None:
    header = "STT\tNội dung\tCơ quan chủ trì\tThời gian bắt đầu\tThời gian hoàn thành"
    draft = parse("1\tViệc A\tSở Y tế\tQuý III/2026\tQuý II/2027\n"
                  "2\tViệc B\tSở Y tế\t2027\t2026", directory, header)
    first, second = draft.tasks
    assert (first.deadline.start, first.deadline.due) == (dt.date(2026, 7, 1),
                                                          dt.date(2027, 6, 30))
    assert second.deadline.start is None  # a start after the due date is not taken


def test_every_task_table_is_read_even_with_another_column_order(directory: Directory) -> None:
    body = ("I\tThể chế\t\t\t\t\t\n1\tViệc 1\tKH\tSở Y tế\t\tNăm 2026\t\n\n"
            "Bảng 2. Nhiệm vụ bổ sung\n"
            "TT\tThời hạn\tNội dung\tĐơn vị chủ trì\n"
            "II\t\tBổ sung\t\n1\tQuý III/2026\tViệc 2\tSở Nội vụ\n")
    draft = parse(body, directory)
    assert [(t.ref, t.content, t.lead[0].name, t.deadline.due.isoformat())
            for t in draft.tasks] == [("I.1", "Việc 1", "Sở Y tế", "2026-12-31"),
                                      ("II.1", "Việc 2", "Sở Nội vụ", "2026-09-30")]


def test_lettered_parts_go_on_past_h_and_never_turn_roman() -> None:
    """`I.` after `H.` and `L.` after `K.` were read as Roman sections (1 and 50)."""
    from config.directories import load_named
    from plan.parse import parse_plan
    from plan.readers import read_rows

    rows = ["Số: 3/KH-UBND", "An Giang, ngày 05 tháng 01 năm 2026", "KẾ HOẠCH",
            "Cải cách hành chính năm 2026",
            "STT\tNội dung\tSản phẩm\tCơ quan chủ trì\tCơ quan phối hợp\tThời hạn"]
    for letter in "ABCDĐEGHIKL":
        rows += [f"{letter}.\tNhóm nhiệm vụ {letter}\t\t\t\t",
                 f"1\tViệc của nhóm {letter}\tBáo cáo\tSở Tư pháp\t\tQuý IV/2026"]
    draft = parse_plan(read_rows("p.txt", "\n".join(rows).encode()), load_named("an-giang-2025"))
    assert [t.ref for t in draft.tasks] == [f"{letter}.1" for letter in "ABCDĐEGHIKL"]
