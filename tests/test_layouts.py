"""Plans as coordinators hold them: every layout imports with every task, the right refs,
sections, leads and due dates — read from sample documents we wrote (tests/samples/ and
tests/sample_docs.py), then stored on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from config.directories import load_named
from ingest.files import read_bytes
from plan.agencies import Directory
from plan.model import DeadlineKind, PlanDraft
from plan.parse import parse_plan
from storage.importer import import_plan
from storage.models import Section, Task
from storage.uow import Database
from tests import sample_docs

SAMPLES = Path(__file__).parent / "samples"
D = dt.date
K = DeadlineKind
# ref → (section title, lead, kind, start, due)
Expected = dict[str, tuple[str | None, str, DeadlineKind, dt.date | None, dt.date | None]]


@pytest.fixture(scope="module")
def an_giang() -> Directory:
    return load_named("an-giang-2025")


def read(name: str, data: bytes, directory: Directory) -> PlanDraft:
    document = read_bytes(name, data)
    return parse_plan(document.rows, directory, layout=document.layout)


def sample(name: str) -> Callable[[], tuple[str, bytes]]:
    return lambda: (name, (SAMPLES / name).read_bytes())


PIPE: Expected = {
    "I.1": ("CẢI CÁCH THỂ CHẾ", "Sở Tư pháp", K.QUARTER, None, D(2026, 6, 30)),
    "I.2": ("CẢI CÁCH THỂ CHẾ", "Sở Tư pháp", K.RANGE, D(2026, 3, 1), D(2026, 6, 30)),
    "II.1": ("CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "Văn phòng UBND tỉnh", K.RECURRING, None, None),
    "II.2": ("CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "Văn phòng UBND tỉnh", K.RANGE, D(2026, 1, 1),
             D(2030, 12, 31)),
    "III.1": ("CẢI CÁCH TỔ CHỨC BỘ MÁY", "Sở Nội vụ", K.START, D(2026, 7, 1), None),
    "III.2": ("CẢI CÁCH TỔ CHỨC BỘ MÁY", "Sở Nội vụ", K.RECURRING, None, None),
}
CELLS: Expected = {
    "I.1": ("CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "Văn phòng UBND tỉnh", K.QUARTER, None,
            D(2026, 9, 30)),
    "I.2": ("CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "Sở Nội vụ", K.RECURRING, None, None),
    "II.1a": ("XÂY DỰNG CHÍNH QUYỀN SỐ", "Sở Khoa học và Công nghệ", K.RANGE, D(2027, 1, 1),
              D(2031, 12, 31)),
    "II.1b": ("XÂY DỰNG CHÍNH QUYỀN SỐ", "Sở Khoa học và Công nghệ", K.RANGE, D(2027, 1, 1),
              D(2031, 12, 31)),
    "II.2": ("XÂY DỰNG CHÍNH QUYỀN SỐ", "Công an tỉnh", K.YEAR, None, D(2026, 12, 31)),
}
PROSE: Expected = {
    "II.1.1": ("NHIỆM VỤ CỤ THỂ", "Văn phòng UBND tỉnh", K.QUARTER, None, D(2026, 6, 30)),
    "II.1.2": ("NHIỆM VỤ CỤ THỂ", "Sở Khoa học và Công nghệ", K.YEAR, None, D(2026, 12, 31)),
    "II.2.1": ("NHIỆM VỤ CỤ THỂ", "Sở Nội vụ", K.DATE, None, D(2026, 9, 30)),
    "II.2.2": ("NHIỆM VỤ CỤ THỂ", "Sở Nội vụ", K.RECURRING, None, None),
}
PARTS: Expected = {
    "A.I.1": ("CẢI CÁCH THỂ CHẾ", "Văn phòng UBND tỉnh", K.QUARTER, None, D(2026, 3, 31)),
    "A.I.2a": ("CẢI CÁCH THỂ CHẾ", "Sở Nội vụ", K.QUARTER, None, D(2026, 6, 30)),
    "A.I.2b": ("CẢI CÁCH THỂ CHẾ", "Sở Tư pháp", K.QUARTER, None, D(2026, 6, 30)),
    "A.II.1.1": ("CẢI CÁCH TÀI CHÍNH CÔNG", "Sở Tài chính", K.MONTH, None, D(2026, 9, 30)),
    "A.II.1.2": ("CẢI CÁCH TÀI CHÍNH CÔNG", "Sở Tài chính", K.DATE, None, D(2026, 3, 31)),
    "B.I.1": ("CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "Sở Nội vụ", K.RECURRING, None, None),
    "B.I.2": ("CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "Sở Văn hóa, Thể thao và Du lịch", K.YEAR, None,
              D(2026, 12, 31)),
}
STACKED: Expected = {
    "I.1": ("CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "Văn phòng UBND tỉnh", K.MONTH, None, D(2026, 7, 31)),
    "I.2": ("CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "Sở Nội vụ", K.QUARTER, None, D(2026, 12, 31)),
    "I.3": ("CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "Sở Nội vụ", K.QUARTER, None, D(2026, 12, 31)),
    "I.4": ("CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "Văn phòng UBND tỉnh", K.DATE, None, D(2026, 11, 30)),
}
PDF: Expected = {
    "I.1": ("NHÓM NHIỆM VỤ SỐ 1", "Văn phòng UBND tỉnh", K.YEAR, None, D(2026, 12, 31)),
    "I.2a": ("NHÓM NHIỆM VỤ SỐ 1", "Sở Tài chính", K.DATE, None, D(2026, 9, 30)),
    "I.2b": ("NHÓM NHIỆM VỤ SỐ 1", "Sở Khoa học và Công nghệ", K.DATE, None, D(2026, 9, 30)),
    **{f"I.{n}": ("NHÓM NHIỆM VỤ SỐ 1", lead, kind, start, due) for n, lead, kind, start, due in (
        (3, "Sở Khoa học và Công nghệ", K.RANGE, D(2026, 1, 1), D(2030, 12, 31)),
        (4, "Sở Y tế", K.RECURRING, None, None))},
    "II.12": ("NHÓM NHIỆM VỤ SỐ 2", "Văn phòng UBND tỉnh", K.YEAR, None, D(2026, 12, 31)),
    "III.12": ("NHÓM NHIỆM VỤ SỐ 3", "Sở Tài chính", K.DATE, None, D(2026, 9, 30)),
}
CASES = [
    ("pipe", sample("pipe-table-2026.md"), "48/KH-UBND", PIPE, 6),
    ("cells", sample("web-cells-2026.txt"), "112/KH-UBND", CELLS, 5),
    ("prose", sample("prose-blocks-2026.md"), "205/KH-UBND", PROSE, 4),
    ("docx", lambda: ("p.docx", sample_docs.docx_parts_and_spans()), "77/KH-UBND", PARTS, 7),
    ("xlsx", lambda: ("p.xlsx", sample_docs.xlsx_stacked_header()), "91/KH-UBND", STACKED, 4),
    ("pdf", lambda: ("p.pdf", sample_docs.pdf_appendix(sample_docs.pdf_rows(3, 12), 2)),
     "77/KH-UBND", PDF, 37),
]


def summary(draft: PlanDraft, refs: list[str]) -> Expected:
    by_ref = {t.ref: t for t in draft.tasks}
    return {ref: (by_ref[ref].section_title, by_ref[ref].lead[0].name, by_ref[ref].deadline.kind,
                  by_ref[ref].deadline.start, by_ref[ref].deadline.due) for ref in refs
            if ref in by_ref}


@pytest.mark.parametrize(("layout", "make", "code", "expected", "count"), CASES,
                         ids=[case[0] for case in CASES])
def test_every_layout_reads_every_task(layout: str, make: Callable[[], tuple[str, bytes]],
                                       code: str, expected: Expected, count: int,
                                       an_giang: Directory) -> None:
    name, data = make()
    draft = read(name, data, an_giang)
    assert draft.layout == layout
    assert draft.meta.code == code and draft.meta.year == 2026
    assert len(draft.tasks) == count
    assert summary(draft, list(expected)) == expected
    assert len({t.ref for t in draft.tasks}) == count  # refs stay unique


def test_pipe_table_keeps_escaped_bars_and_line_breaks(an_giang: Directory) -> None:
    draft = read(*sample("pipe-table-2026.md")(), an_giang)
    by_ref = {t.ref: t for t in draft.tasks}
    assert by_ref["II.1"].content == "Công bố danh mục TTHC | cập nhật lên Cổng dịch vụ công"
    assert by_ref["I.2"].content.endswith("pháp luật tại một số xã, phường")
    assert by_ref["II.1"].deadline.days == ((0, 20),) and by_ref["III.2"].deadline.days == (
        (11, 15),)
    assert by_ref["II.2"].content == "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính"
    assert any("bảng chỉ tiêu" in w.message for w in draft.warnings)  # indicator table skipped


def test_website_chrome_is_warned_and_never_a_task(an_giang: Directory) -> None:
    draft = read(*sample("web-cells-2026.txt")(), an_giang)
    contents = " ".join(t.content for t in draft.tasks)
    for chrome in ("Tải về", "Lượt xem", "Đăng nhập", "Số hiệu", "Trang 1/1"):
        assert chrome not in contents
    warned = " ".join(w.message for w in draft.warnings)
    assert "Tải về" in warned and "Lượt xem" in warned
    sub = next(t for t in draft.tasks if t.ref == "II.1b")
    assert sub.content == "Vận hành Trung tâm giám sát điều hành thông minh"
    assert sub.coordinating_text == "UBND các xã, phường"  # spanned from the row above
    first = next(t for t in draft.tasks if t.ref == "I.1")
    assert first.content.endswith("nội bộ giữa các cơ quan hành chính nhà nước")  # wrapped cell


def test_prose_blocks_take_wrapped_labels_and_nested_lead_labels(an_giang: Directory) -> None:
    draft = read(*sample("prose-blocks-2026.md")(), an_giang)
    by_ref = {t.ref: t for t in draft.tasks}
    first = by_ref["II.1.1"]
    assert first.content.endswith("cấp xã sau khi sắp xếp đơn vị hành chính")
    assert first.subsection == "II.1 Cải cách thủ tục hành chính"
    nested = by_ref["II.1.2"]
    assert nested.coordinating_text == "Văn phòng UBND tỉnh; các sở, ban, ngành tỉnh"
    assert by_ref["II.2.1"].content.endswith("trình phê duyệt đề án vị trí việc làm")
    assert by_ref["II.2.2"].coordinating[0].name == "Thanh tra tỉnh"
    assert not any("MỤC ĐÍCH" in t.content or "Sở Nội vụ theo dõi" in t.content
                   for t in draft.tasks)


def test_word_parts_sub_groups_and_spanned_sub_rows(an_giang: Directory) -> None:
    draft = read("p.docx", sample_docs.docx_parts_and_spans(), an_giang)
    by_ref = {t.ref: t for t in draft.tasks}
    assert {t.section for t in draft.tasks} == {"A.I", "A.II", "B.I"}
    assert by_ref["A.II.1.1"].subsection == "II.1 Tự chủ tài chính của đơn vị sự nghiệp"
    assert "Tự chủ tài chính" not in " ".join(t.content for t in draft.tasks)
    warned = " | ".join(w.message for w in draft.warnings)
    assert "có chữ ở cột khác («Mục ưu tiên»)" in warned
    assert "coi là nhiệm vụ 2b" in warned


def test_excel_stacked_header_month_cell_and_extra_column(an_giang: Directory) -> None:
    draft = read("p.xlsx", sample_docs.xlsx_stacked_header(), an_giang)
    first = draft.tasks[0]
    assert first.deadline.text == "07/2026"  # a date cell shown mm/yyyy stays a month
    assert first.coordinating_text == "Các sở, ban, ngành tỉnh"
    assert dict(first.extra) == {"Nguồn kinh phí": "Ngân sách tỉnh"}
    assert not any(t.content.startswith("(") for t in draft.tasks)  # the (1)(2)(3) row


@pytest.mark.skipif(not sample_docs.office(),
                    reason="LibreOffice is not installed (Debian: libreoffice-writer-nogui); "
                           ".ci/run installs it")
@pytest.mark.parametrize(("source", "target", "build", "expected"), [
    ("docx", "doc", sample_docs.docx_parts_and_spans, PARTS),
    ("docx", "odt", sample_docs.docx_parts_and_spans, PARTS),
    ("xlsx", "xls", sample_docs.xlsx_stacked_header, STACKED),
    ("xlsx", "ods", sample_docs.xlsx_stacked_header, STACKED),
])
def test_legacy_office_files_convert_through_libreoffice(
        source: str, target: str, build: Callable[[], bytes], expected: Expected,
        an_giang: Directory) -> None:
    data = sample_docs.office_convert(build(), source, target)
    draft = read(f"plan.{target}", data, an_giang)
    assert draft.layout == target
    assert summary(draft, list(expected)) == expected


def test_scanned_pdf_is_refused_with_what_to_do(an_giang: Directory) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 100, 50)  # lines, no text layer
    from plan.rows import PlanFormatError

    with pytest.raises(PlanFormatError, match=r"không có lớp chữ.*OCR"):
        read("scan.pdf", bytes(pdf.output()), an_giang)


@pytest.mark.parametrize(("layout", "make", "code", "expected", "count"), CASES,
                         ids=[case[0] for case in CASES])
async def test_every_layout_is_stored(db: Database, layout: str,
                                      make: Callable[[], tuple[str, bytes]], code: str,
                                      expected: Expected, count: int,
                                      an_giang: Directory) -> None:
    draft = read(*make(), an_giang)
    async with db.uow() as uow:
        report = await import_plan(uow.session, draft, an_giang, layout)
        await uow.commit()
    assert len(report.added) == count
    async with db.uow() as uow:
        rows = (await uow.session.execute(
            select(Task.ref, Task.deadline_kind, Task.deadline_start, Task.due_date,
                   Section.title).join(Section, Section.id == Task.section_id))).all()
    stored = {ref: (title, kind, start, due) for ref, kind, start, due, title in rows}
    assert {ref: stored[ref] for ref in expected} == {
        ref: (title, kind.value, start, due) for ref, (title, _, kind, start, due) in
        expected.items()}


def test_without_libreoffice_a_doc_names_the_package_to_install(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from plan.rows import PlanFormatError

    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no soffice on it
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    with pytest.raises(PlanFormatError, match="apt-get install libreoffice-writer-nogui"):
        read_bytes("plan.doc", ole2)
    with pytest.raises(PlanFormatError, match="libreoffice-calc-nogui"):
        read_bytes("plan.xls", ole2)


@pytest.mark.skipif(not sample_docs.office(),
                    reason="LibreOffice is not installed (Debian: libreoffice-writer-nogui); "
                           ".ci/run installs it")
def test_cli_imports_a_doc_and_keeps_no_converted_file(tmp_path: Path) -> None:
    import tempfile

    from typer.testing import CliRunner

    from cli.main import app

    plan = tmp_path / "ke-hoach.doc"
    plan.write_bytes(sample_docs.office_convert(sample_docs.docx_parts_and_spans(), "docx",
                                                "doc"))
    before = set(Path(tempfile.gettempdir()).glob("nhacviec-office-*"))
    result = CliRunner().invoke(app, ["import", "--dry-run", "--directory", "an-giang-2025",
                                      str(plan)],
                                env={"NHACVIEC_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert result.exit_code == 0, result.output
    assert "Đã đọc như: tệp .doc (chuyển qua LibreOffice)" in result.output
    assert "Tổng: 7 nhiệm vụ" in result.output
    assert set(Path(tempfile.gettempdir()).glob("nhacviec-office-*")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ke-hoach.doc"]


def test_a_short_website_table_after_a_long_body_is_still_read(an_giang: Directory) -> None:
    body = [f"Đoạn {n}: nội dung kế hoạch được trình bày trên trang web." for n in range(150)]
    text = sample_docs.cell_dump(
        [("TT", "Nội dung", "Cơ quan chủ trì", "Thời hạn"),
         ("1", "Rà soát quy chế", "Sở Tư pháp", "Quý II/2026"),
         ("2", "Số hóa hồ sơ", "Văn phòng UBND tỉnh", "Năm 2026")],
        ["ỦY BAN NHÂN DÂN TỈNH AN GIANG", "Số: 8/KH-UBND", "KẾ HOẠCH",
         "Cải cách hành chính năm 2026", *body], ["Tải về"])
    draft = read("plan.txt", text.encode(), an_giang)
    assert draft.layout == "cells"
    assert [(t.ref, t.lead[0].name) for t in draft.tasks] == [
        ("1", "Sở Tư pháp"), ("2", "Văn phòng UBND tỉnh")]


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    from ingest.files import MAX_BYTES, read_file
    from plan.rows import PlanFormatError

    big = tmp_path / "plan.pdf"
    with big.open("wb") as handle:  # sparse: no 50 MB written to disk
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(PlanFormatError, match="lớn hơn 50 MB"):
        read_file(big)


def test_a_hanging_libreoffice_is_stopped_and_leaves_nothing(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A real process that never finishes: the conversion gives up at its timeout."""
    import tempfile

    from ingest.office import convert
    from plan.rows import PlanFormatError

    fake = tmp_path / "bin" / "soffice"
    fake.parent.mkdir()
    marker = tmp_path / "child.pid"
    fake.write_text(f"#!/bin/sh\nsleep 30 &\necho $! > {marker}\nwait\n")  # like soffice.bin
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:/usr/bin:/bin")
    before = set(Path(tempfile.gettempdir()).glob("nhacviec-office-*"))
    with pytest.raises(PlanFormatError, match="quá 1 giây"):
        convert(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), ".doc", ".docx", timeout=1)
    assert set(Path(tempfile.gettempdir()).glob("nhacviec-office-*")) == before
    child = int(marker.read_text())
    assert not Path(f"/proc/{child}").exists() or "zombie" in Path(
        f"/proc/{child}/status").read_text().lower()  # the grandchild was stopped too


def test_a_web_copy_with_the_signature_and_appendix_title_right_before_the_table() -> None:
    """The signature block and the "PHỤ LỤC" title were glued onto the header row (7 cells
    for 5-cell rows: every lead and deadline lost), and a 6-line content cell cut its row in
    two. The table is found by its header row, and long cells stay cells."""
    from plan.parse import parse_plan
    from plan.readers import read_rows

    sample = Path(__file__).parent / "samples" / "web-cells-signature-2026.txt"
    draft = parse_plan(read_rows(sample.name, sample.read_bytes()), load_named("tay-ninh-2025"))
    assert draft.meta.code == "58/KH-UBND"
    by_ref = {t.ref: t for t in draft.tasks}
    assert list(by_ref) == ["1", "2", "3", "4"]
    assert [a.name for a in by_ref["1"].lead] == ["Văn phòng UBND tỉnh"]
    assert by_ref["2"].content.endswith("khen thưởng cuối năm của các cơ quan, đơn vị")
    assert [a.name for a in by_ref["2"].lead] == ["Sở Nội vụ"]
    assert by_ref["2"].deadline.due == dt.date(2026, 6, 30)
    assert len(by_ref["3"].lead) > 90 and by_ref["4"].deadline.due == dt.date(2026, 9, 30)
    # the note and the page footer under the table are no part of the last task
    assert by_ref["4"].content == "Kiểm tra công tác cải cách hành chính tại các cơ quan"
    assert any("Trang 2" in w.message for w in draft.warnings)


def test_a_prose_plan_whose_leads_are_the_headings() -> None:
    """"1.2. Sở Tài chính – cơ quan …" then "- …" items with only a deadline were refused;
    a label wrapped after its first word ("Thời" / "gian hoàn thành:") was lost; "+" details
    became tasks; the duty in the closing section was not found."""
    from plan.parse import parse_plan
    from plan.readers import read_rows

    sample = Path(__file__).parent / "samples" / "prose-heading-leads-2026.md"
    draft = parse_plan(read_rows(sample.name, sample.read_bytes()), load_named("gia-lai-2025"))
    tasks = [(t.ref, [a.name for a in t.lead], t.deadline.due) for t in draft.tasks]
    assert tasks == [
        ("II.1.1.1", ["Sở Nội vụ"], dt.date(2026, 3, 31)),
        ("II.1.1.2", ["Sở Nội vụ"], dt.date(2026, 9, 30)),
        ("II.1.2.1", ["Sở Tài chính"], dt.date(2026, 9, 30)),
        ("II.2.1", ["Sở Khoa học và Công nghệ"], dt.date(2026, 12, 31))]
    assert "+ Thẩm định, trình phê duyệt phương án" in draft.tasks[2].content
    assert len(draft.tasks[3].coordinating) > 100  # "… chủ trì, phối hợp với …"
    [duty] = draft.duties
    assert duty.deadline.period == "monthly" and duty.deadline.days == ((0, 20),)


def test_a_web_copy_whose_first_column_is_the_lead_spanning_its_tasks() -> None:
    """Each pair of short sub-rows under a spanned lead was merged into one row."""
    from plan.parse import parse_plan
    from plan.readers import read_rows

    sample = Path(__file__).parent / "samples" / "web-cells-lead-first-2026.txt"
    draft = parse_plan(read_rows(sample.name, sample.read_bytes()),
                       load_named("quang-tri-2025"))
    assert [(t.ref, [a.name for a in t.lead], t.deadline.due) for t in draft.tasks] == [
        ("1", ["Văn phòng UBND tỉnh"], dt.date(2026, 3, 31)),
        ("2", ["Văn phòng UBND tỉnh"], dt.date(2026, 6, 30)),
        ("3", ["Văn phòng UBND tỉnh"], dt.date(2026, 9, 30)),
        ("4", ["Sở Tư pháp"], dt.date(2026, 6, 30)),
        ("5", ["Sở Tư pháp"], dt.date(2026, 11, 30))]
