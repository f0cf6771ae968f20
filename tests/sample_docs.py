"""Sample plans in binary layouts, built from rows we wrote (no real document is copied).

- `docx_parts_and_spans`: a Word appendix in two parts whose Roman sections restart, with a
  sub-group row, decimal task numbers, a bold heading with stray text, and a number cell
  merged down over two sub-tasks (the second has its own content and lead);
- `xlsx_stacked_header`: an Excel sheet whose `Cơ quan thực hiện` header spans
  `Chủ trì | Phối hợp`, a `(1) (2) (3)` row, a month typed as a date shown `mm/yyyy`,
  a deadline merged over two rows and an extra `Nguồn kinh phí` column;
- `pdf_appendix`: a PDF with a text layer (fpdf2, DejaVu Sans from matplotlib) whose table
  runs over pages with its header repeated and a row span;
- `office_convert`: any of those saved as .doc/.odt/.xls by LibreOffice, for the legacy path.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import docx
import matplotlib
from docx.shared import Cm
from openpyxl import Workbook

from plan.text import to_roman

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
PREAMBLE = ["ỦY BAN NHÂN DÂN TỈNH AN GIANG", "Số: 77/KH-UBND",
            "An Giang, ngày 02 tháng 02 năm 2026", "KẾ HOẠCH",
            "Cải cách hành chính và chuyển đổi số năm 2026"]


def docx_parts_and_spans() -> bytes:
    document = docx.Document()
    for line in PREAMBLE:
        document.add_paragraph(line)
    header = ["STT", "Nội dung công việc", "Sản phẩm", "Đơn vị thực hiện", "Thời hạn",
              "Ghi chú"]
    table = document.add_table(rows=1, cols=len(header))
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text

    def add(values: list[str], bold: bool = False) -> list[docx.table._Cell]:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(text).bold = bold or None
        return list(cells)

    add(["A", "NHIỆM VỤ TRỌNG TÂM", "", "", "", ""], bold=True)
    add(["I", "CẢI CÁCH THỂ CHẾ", "", "", "", "Mục ưu tiên"], bold=True)
    add(["1", "Rà soát quy chế làm việc của UBND tỉnh", "Quyết định", "Văn phòng UBND tỉnh",
         "Quý I/2026", ""])
    top = add(["2", "Ban hành quy định phân cấp cho cấp xã", "Quyết định", "Sở Nội vụ",
               "Quý II/2026", ""])
    below = add(["", "Hướng dẫn các xã, phường thực hiện phân cấp", "Văn bản", "Sở Tư pháp",
                 "", ""])
    top[0].merge(below[0])
    top[4].merge(below[4])
    add(["II", "CẢI CÁCH TÀI CHÍNH CÔNG", "", "", "", ""], bold=True)
    add(["II.1", "Tự chủ tài chính của đơn vị sự nghiệp", "", "", "", ""], bold=True)
    add(["1", "Giao quyền tự chủ cho đơn vị sự nghiệp công lập", "Quyết định", "Sở Tài chính",
         "Tháng 9 năm 2026", ""])
    add(["2", "Báo cáo kết quả tự chủ năm 2025", "Báo cáo", "Sở Tài chính",
         "Trước 31/3/2026", ""])
    add(["B", "NHIỆM VỤ THƯỜNG XUYÊN", "", "", "", ""], bold=True)
    add(["I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "", "", "", ""], bold=True)
    add(["1", "Báo cáo công tác cải cách hành chính", "Báo cáo", "Sở Nội vụ",
         "trước ngày 01/6 và 15/11 hằng năm", ""])
    add(["2", "Tuyên truyền cải cách hành chính", "Kế hoạch", "Sở Văn hóa, Thể thao và Du lịch",
         "Năm 2026", ""])
    table.rows[0].cells[1].width = Cm(7)
    return _save(document)


def _save(document: docx.document.Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_stacked_header() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["PHỤ LỤC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2026"])
    sheet.merge_cells("A1:F1")
    sheet.append(["(Kèm theo Kế hoạch số 91/KH-UBND ngày 15/01/2026 của UBND tỉnh An Giang)"])
    sheet.append(["TT", "Nhiệm vụ", "Cơ quan thực hiện", None, "Thời gian hoàn thành",
                  "Nguồn kinh phí"])
    sheet.merge_cells("C3:D3")
    for column in ("A", "B", "E", "F"):
        sheet.merge_cells(f"{column}3:{column}4")
    sheet.append([None, None, "Chủ trì", "Phối hợp", None, None])
    sheet.append(["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"])
    sheet.append(["I", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH"])
    sheet.append([1, "Cập nhật quy trình nội bộ trên hệ thống một cửa điện tử",
                  "Văn phòng UBND tỉnh", "Các sở, ban, ngành tỉnh", dt.datetime(2026, 7, 1),
                  "Ngân sách tỉnh"])
    sheet["E7"].number_format = "mm/yyyy"
    sheet.append([2, "Khảo sát sự hài lòng của người dân", "Sở Nội vụ", None, "Quý IV/2026",
                  "Ngân sách tỉnh"])
    sheet.merge_cells("E8:E9")
    sheet.append([3, "Công khai kết quả khảo sát", "Sở Nội vụ", None, None, None])
    sheet.append([4, "Xử lý hồ sơ trễ hạn", "Văn phòng UBND tỉnh", None,
                  dt.datetime(2026, 11, 30), None])
    sheet["E10"].number_format = "dd/mm/yyyy"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PDF_HEADER = ("STT", "Nội dung", "Sản phẩm", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn")
_LEADS = ("Sở Nội vụ", "Sở Tư pháp", "Văn phòng UBND tỉnh", "Sở Tài chính",
          "Sở Khoa học và Công nghệ", "Sở Y tế")
_DEADLINES = ("Quý I/2026", "Tháng 6/2026", "Năm 2026", "Trước ngày 30/9/2026",
              "Giai đoạn 2026 - 2030", "Hằng quý")


def pdf_rows(sections: int, tasks_per_section: int) -> list[tuple[str, ...]]:
    """Appendix rows for the PDF: sections of numbered tasks with a long cell now and then."""
    rows: list[tuple[str, ...]] = []
    for s in range(1, sections + 1):
        rows.append((to_roman(s), f"NHÓM NHIỆM VỤ SỐ {s}", "", "", "", ""))
        for n in range(1, tasks_per_section + 1):
            k = s * 31 + n
            text = f"Nhiệm vụ {s}.{n}: triển khai nội dung cải cách tại các cơ quan, đơn vị"
            if n % 4 == 0:
                text += " và báo cáo kết quả thực hiện, kèm theo danh sách hồ sơ chưa xử lý"
            rows.append((str(n), text, "Báo cáo", _LEADS[k % len(_LEADS)],
                         "Các sở, ban, ngành tỉnh", _DEADLINES[k % len(_DEADLINES)]))
    return rows


def pdf_appendix(rows: list[tuple[str, ...]], span_after: int | None = None) -> bytes:
    """A landscape A4 PDF: preamble, then the table (header repeated on every page).

    With `span_after`, the task on that row index gets a sub-row whose number and deadline
    cells are merged with it (a row span)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="L", format="A4")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_font("DejaVu", size=10)
    pdf.add_page()
    for line in PREAMBLE:
        pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(4)
    bold = FontFace(emphasis="BOLD")
    with pdf.table(col_widths=(12, 95, 25, 45, 50, 40), line_height=6,
                   first_row_as_headings=True) as table:
        table.row(PDF_HEADER)
        for index, values in enumerate(rows):
            row = table.row()
            if not values[2]:
                row.cell(f"{values[0]} {values[1]}", colspan=6, style=bold)
                continue
            spans = span_after == index
            for position, value in enumerate(values):
                row.cell(value, rowspan=2 if spans and position in (0, 5) else 1)
            if spans:
                sub = table.row()
                for value in ("Công khai kết quả trên Cổng thông tin điện tử tỉnh", "Tin bài",
                              "Sở Khoa học và Công nghệ", "Văn phòng UBND tỉnh"):
                    sub.cell(value)
    return bytes(pdf.output())


def office() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def office_convert(data: bytes, source: str, target: str) -> bytes:
    """Save `data` (a `source` file such as docx) as `target` (doc, odt, xls…) with LibreOffice."""
    binary = office()
    assert binary, "LibreOffice is needed to build this sample"
    if source == "docx" and target == "doc":
        # LibreOffice drops python-docx tables on a direct docx → doc export; via odt it keeps
        # them, which is what a .doc saved by Word looks like.
        data, source = office_convert(data, "docx", "odt"), "odt"
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        (folder / f"in.{source}").write_bytes(data)
        subprocess.run([binary, f"-env:UserInstallation={(folder / 'p').as_uri()}", "--headless",
                        "--convert-to", target, "--outdir", str(folder / "out"),
                        str(folder / f"in.{source}")], check=True, capture_output=True,
                       timeout=180, env={"PATH": "/usr/bin:/bin", "HOME": work})
        return (folder / "out" / f"in.{target}").read_bytes()


def cell_dump(rows: list[tuple[str, ...]], before: list[str], after: list[str]) -> str:
    """A website dump: each cell after a line holding only `|`, a row closed by one more."""
    lines = list(before)
    for row in rows:
        for cell in row:
            lines.append("|")
            lines.extend(cell.split("\n") if cell else [])
        lines.append("|")
    return "\n".join([*lines, *after]) + "\n"


def docx_from_tab_text(text: str) -> bytes:
    """A Word plan from one of our tab-separated samples: the lines before the table as
    paragraphs, the rows as a Word table (how provinces send their appendix)."""
    document = docx.Document()
    lines = text.splitlines()
    first = next(n for n, line in enumerate(lines) if "\t" in line)
    for line in lines[:first]:
        document.add_paragraph(line)
    rows = [line.split("\t") for line in lines[first:] if line.strip()]
    width = max(len(row) for row in rows)
    table = document.add_table(rows=0, cols=width)
    for values in rows:
        for cell, value in zip(table.add_row().cells, values + [""] * (width - len(values)),
                               strict=True):
            cell.text = value
    return _save(document)
