"""The same plan as .csv, .xlsx and .docx reads the same; wrong files are refused clearly."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import docx
import pytest
from openpyxl import Workbook

from plan.agencies import Directory
from plan.model import PlanDraft
from plan.parse import parse_plan
from plan.readers import read_rows
from plan.rows import PlanFormatError


def example_rows(example_path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(example_path.read_text(encoding="utf-8"))))


def as_xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_docx(rows: list[list[str]]) -> bytes:
    document = docx.Document()
    preamble = [r for r in rows if len(r) == 1]
    table_rows = [r for r in rows if len(r) > 1]
    for row in preamble:
        document.add_paragraph(row[0])
    table = document.add_table(rows=0, cols=7)
    for row in table_rows:
        cells = table.add_row().cells
        if row[0] and not row[2]:  # section row: one merged, bold cell like real appendices
            merged = cells[0].merge(cells[6])
            merged.text = ""
            merged.paragraphs[0].add_run(f"{row[0]} {row[1]}").bold = True
            continue
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def summary(draft: PlanDraft) -> list[tuple[str, str | None, int, str]]:
    return [(t.ref, t.deadline.due.isoformat() if t.deadline.due else None, len(t.lead),
             t.content) for t in draft.tasks]


@pytest.fixture(scope="module")
def from_csv(example_path: Path, directory: Directory) -> PlanDraft:
    return parse_plan(read_rows(example_path.name, example_path.read_bytes()), directory)


def test_bundled_example_plan_reads_cleanly(from_csv: PlanDraft) -> None:
    assert from_csv.meta.code == "DEMO-272/KH-UBND" and len(from_csv.tasks) == 32
    assert not [w for w in from_csv.warnings if "UBND cấp xã" not in w.message
                and "đầu mối tổng hợp" not in w.message]  # the hubs are noted, not problems


def test_xlsx_reads_like_csv(example_path: Path, directory: Directory,
                             from_csv: PlanDraft) -> None:
    draft = parse_plan(read_rows("plan.xlsx", as_xlsx(example_rows(example_path))), directory)
    assert summary(draft) == summary(from_csv)
    assert draft.meta == from_csv.meta


def test_docx_with_merged_bold_section_rows_reads_like_csv(example_path: Path,
                                                          directory: Directory,
                                                          from_csv: PlanDraft) -> None:
    draft = parse_plan(read_rows("plan.docx", as_docx(example_rows(example_path))), directory)
    assert summary(draft) == summary(from_csv)
    assert draft.tasks[0].section_title == "Cải cách thể chế"


def test_semicolon_separated_csv(example_path: Path, directory: Directory,
                                 from_csv: PlanDraft) -> None:
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(example_rows(example_path))
    draft = parse_plan(read_rows("plan.csv", out.getvalue().encode()), directory)
    assert summary(draft) == summary(from_csv)


def test_unquoted_comma_in_csv_is_warned(directory: Directory) -> None:
    text = ("STT,Nội dung,Cơ quan chủ trì,Thời hạn\n"
            "1,Việc A, việc B,Sở Y tế,Năm 2026\n")
    draft = parse_plan(read_rows("p.csv", text.encode()), directory)
    assert any("nhiều hơn tiêu đề" in w.message for w in draft.warnings)


@pytest.mark.parametrize(("name", "data", "message"), [
    ("plan.pdf", b"%PDF-1.7", "PDF hỏng"),
    ("plan.pdf", b"not a pdf", "không phải PDF"),
    ("plan.pages", b"abc", "chưa được hỗ trợ"),
    ("plan.txt", b"", "tệp rỗng"),
    ("plan.txt", b"\x00\x01\x02binary", "không phải văn bản thuần"),
    ("plan.csv", "Kế hoạch".encode("utf-16-le"), "không phải văn bản"),
    ("plan.xlsx", b"STT,Noi dung\n1,abc", "không phải bảng tính .xlsx"),
    ("plan.docx", b"not a zip at all", "không phải văn bản .docx"),
])
def test_wrong_files_get_a_clear_message(name: str, data: bytes, message: str) -> None:
    with pytest.raises(PlanFormatError, match=message):
        read_rows(name, data)


def test_xlsx_renamed_docx_is_refused(example_path: Path) -> None:
    with pytest.raises(PlanFormatError, match=r"không phải văn bản \.docx"):
        read_rows("plan.docx", as_xlsx(example_rows(example_path)))
