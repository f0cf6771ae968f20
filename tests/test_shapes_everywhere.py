"""The shapes of 2025 plans — compound deadlines, region qualifiers, lead sentences, hubs,
generic heads — read the same in every layout a plan arrives in: a Word table, a PDF with a
text layer, a website copy (one cell per line), a Markdown pipe table and a tab-separated
text."""

from __future__ import annotations

import datetime as dt

import pytest

from config.directories import load_named
from plan.model import PlanDraft
from plan.parse import parse_plan
from plan.readers import read_rows
from tests import sample_docs

PREAMBLE = ["ỦY BAN NHÂN DÂN TỈNH AN GIANG", "Số: 91/KH-UBND",
            "An Giang, ngày 08 tháng 01 năm 2027", "KẾ HOẠCH", "Cải cách hành chính năm 2027"]
ROWS = [
    ("I", "THỂ CHẾ VÀ TỔ CHỨC", "", "", "", ""),
    ("1", "Ban hành quy chế phối hợp", "Quyết định", "Sở Tư pháp", "Sở Nội vụ",
     "Hoàn thành trong quý II năm 2027 và rà soát hằng năm"),
    ("2", "Xây dựng kế hoạch CCHC của cơ quan", "Kế hoạch", "Các sở, ban, ngành tỉnh",
     "Sở Nội vụ", "Tháng 02/2027"),
    ("3", "Tổng kết thực hiện chương trình", "Báo cáo",
     "Sở Nội vụ chủ trì, phối hợp với Sở Tài chính", "", "Quý IV/2027"),
    ("II", "TÀI CHÍNH CÔNG", "", "", "", ""),
    ("1", "Kiểm soát chi qua kho bạc", "Báo cáo", "Kho bạc Nhà nước khu vực XX",
     "Học viện, Trường", "Trước 30/6/2027 và khi có phát sinh"),
    ("2", "Công khai ngân sách", "Báo cáo", "Sở Tài chính", "",
     "trước ngày 25 tháng 3 năm 2027 và hằng tháng"),
]
EXPECTED = [
    ("I.1", ["Sở Tư pháp"], ["Sở Nội vụ"], dt.date(2027, 6, 30), "yearly"),
    ("I.2", None, ["Sở Nội vụ"], dt.date(2027, 2, 28), None),  # the hub: Sở Nội vụ coordinates
    ("I.3", ["Sở Nội vụ"], ["Sở Tài chính"], dt.date(2027, 12, 31), None),
    ("II.1", ["Kho bạc Nhà nước khu vực XX"], [], dt.date(2027, 6, 30), "event"),
    ("II.2", ["Sở Tài chính"], [], None, None),
]


def _tab() -> bytes:
    return ("\n".join([*PREAMBLE, "\t".join(sample_docs.PDF_HEADER),
                       *("\t".join(row) for row in ROWS)]) + "\n").encode()


def _pdf() -> bytes:
    preamble = sample_docs.PREAMBLE
    try:
        sample_docs.PREAMBLE = PREAMBLE
        return sample_docs.pdf_appendix([r if r[2] else (r[0], r[1], "", "", "", "")
                                         for r in ROWS])
    finally:
        sample_docs.PREAMBLE = preamble


def _pipe() -> bytes:
    table = ["| " + " | ".join(sample_docs.PDF_HEADER) + " |",
             "|" + "---|" * len(sample_docs.PDF_HEADER)]
    table += ["| " + " | ".join(row) + " |" for row in ROWS]
    return ("\n\n".join(PREAMBLE) + "\n\n" + "\n".join(table) + "\n").encode()


LAYOUTS = {
    "pipe": lambda: ("ke-hoach.md", _pipe()),
    "tab": lambda: ("ke-hoach.txt", _tab()),
    "word": lambda: ("ke-hoach.docx", sample_docs.docx_from_tab_text(_tab().decode())),
    "pdf": lambda: ("ke-hoach.pdf", _pdf()),
    "web": lambda: ("ke-hoach.txt", sample_docs.cell_dump(
        [sample_docs.PDF_HEADER, *ROWS], ["Trang chủ", "Đăng nhập", *PREAMBLE],
        ["Tải về", "Trang 1/1"]).encode()),
}


@pytest.fixture(scope="module", params=sorted(LAYOUTS))
def draft(request: pytest.FixtureRequest) -> PlanDraft:
    name, data = LAYOUTS[request.param]()
    return parse_plan(read_rows(name, data), load_named("an-giang-2025"))


def test_every_row_with_its_lead_coordinating_and_deadline(draft: PlanDraft) -> None:
    by_ref = {t.ref: t for t in draft.tasks}
    assert list(by_ref) == [ref for ref, *_ in EXPECTED]
    for ref, lead, coordinating, due, follow_up in EXPECTED:
        task = by_ref[ref]
        if lead is not None:
            assert [a.name for a in task.lead] == lead, ref
        assert [a.name for a in task.coordinating] == coordinating, ref
        assert (task.deadline.due, task.deadline.follow_up) == (due, follow_up), ref
    assert "Sở Nội vụ" not in {a.name for a in by_ref["I.2"].lead} and \
        len(by_ref["I.2"].lead) > 10
    monthly = by_ref["II.2"].deadline
    assert (monthly.period, monthly.start, monthly.days) == ("monthly", dt.date(2027, 3, 25),
                                                             ((0, 25),))
    assert by_ref["II.1"].open_groups == ("Học viện", "Trường")
    said = " ".join(w.message for w in draft.warnings)
    assert "«Học viện» là tên chung" in said and "đầu mối tổng hợp" in said
    assert "sau đó rà soát, thực hiện hằng năm" in said
    assert draft.meta.code == "91/KH-UBND" and draft.meta.year == 2027
