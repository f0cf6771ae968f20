"""Hostile plan files: each is one `Lỗi:` line within seconds and well under 200 MB, measured
on a real `nhacviec import --dry-run` process (its own peak memory, from wait4)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def _xlsx(cells: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in cells:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("PHỤ LỤC")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "STT"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _rezip(data: bytes, changes: dict[str, Callable[[bytes], bytes]],
           extra: dict[str, bytes] | None = None) -> bytes:
    """Copy an Office zip, rewriting some parts (deflated, as a real file would be)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename in changes:
                body = changes[item.filename](body)
            target.writestr(item.filename, body)
        for name, body in (extra or {}).items():
            target.writestr(name, body)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
# Runs the CLI and records its own peak resident memory (VmHWM starts afresh at exec, unlike
# ru_maxrss, which a forked child inherits from this test process).
PEAK = """
import atexit, re, sys
out = sys.argv.pop(1)
def peak():
    from ingest import bounded
    status = open("/proc/self/status").read()
    own = re.search(r"VmHWM:\\s+(\\d+)", status).group(1)
    open(out, "w").write(f"{own} {bounded.last_peak_kb}")
atexit.register(peak)
sys.argv[0] = "nhacviec"
from cli.main import app
app()
"""


def merge_over_the_whole_sheet() -> bytes:
    return _rezip(_xlsx([["STT", "Nội dung"]]), {SHEET: lambda xml: xml.replace(
        b"</sheetData>", b'</sheetData><mergeCells count="1">'
        b'<mergeCell ref="A1:XFD1048576"/></mergeCells>')})


def xlsx_zip_bomb() -> bytes:
    rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>'
                    % (n, n) for n in range(1, 400_001))
    return _rezip(_xlsx([["a"]]), {SHEET: lambda xml: re.sub(
        rb"<sheetData>.*</sheetData>", b"<sheetData>" + rows + b"</sheetData>", xml,
        flags=re.S)})


def many_rows_under_the_size_limit() -> bytes:
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n)
                    for n in range(1, 60_001))
    return _rezip(_xlsx([["a"]]), {SHEET: lambda xml: re.sub(
        rb"<sheetData>.*</sheetData>", b"<sheetData>" + rows + b"</sheetData>",
        re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A60000"', xml),
        flags=re.S)})


def a_huge_cell() -> bytes:
    text = os.urandom(800_000).hex().encode()  # 1.6 M characters that do not pack away;
    # past Excel's own 32,767 (openpyxl would not write it)
    return _rezip(_xlsx([["STT"]]), {SHEET: lambda xml: re.sub(
        rb"<sheetData>.*</sheetData>", b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        + text + b"</t></is></c></row></sheetData>", xml, flags=re.S)})


def thousands_of_sheets() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for n in range(3_000):
        book.create_sheet(f"S{n}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx_zip_bomb() -> bytes:
    paragraphs = "<w:p><w:r><w:t>nhiệm vụ</w:t></w:r></w:p>".encode() * 1_500_000
    return _rezip(_docx(), {"word/document.xml": lambda xml: xml.replace(
        b"<w:body>", b"<w:body>" + paragraphs)})


def docx_forged_grid_span() -> bytes:
    return _rezip(_docx(), {"word/document.xml": lambda xml: re.sub(
        rb"<w:tcPr>", b'<w:tcPr><w:gridSpan w:val="100000"/>', xml, count=1)})


def inflating_pdf() -> bytes:
    from tests.pdf_bomb import inflating_pdf as build

    return build(5)


CASES = {"merge over the whole sheet": (merge_over_the_whole_sheet, ".xlsx", "vùng gộp"),
         "a 20 kB PDF page inflating to 5 MB of text": (inflating_pdf, ".pdf", "bộ nhớ"),
         "xlsx zip bomb": (xlsx_zip_bomb, ".xlsx", "giải nén"),
         "60,000 rows": (many_rows_under_the_size_limit, ".xlsx", "dòng"),
         "a 1.6 M-character cell": (a_huge_cell, ".xlsx", "ký tự"),
         "3,000 sheets": (thousands_of_sheets, ".xlsx", "phần trong tệp nén"),
         "docx zip bomb": (docx_zip_bomb, ".docx", "nén quá mức"),
         "docx gridSpan 100,000": (docx_forged_grid_span, ".docx", "cột")}


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_file_is_one_error_line_in_seconds_and_little_memory(
        case: str, tmp_path: Path) -> None:
    build, suffix, words = CASES[case]
    path = tmp_path / f"ke-hoach{suffix}"
    path.write_bytes(build())
    assert path.stat().st_size < 6 * 1024 * 1024
    env = {**os.environ, "NHACVIEC_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    started = time.monotonic()
    peak = tmp_path / "peak"
    done = subprocess.run([sys.executable, "-c", PEAK, str(peak), "import", str(path),
                           "--dry-run"], cwd=ROOT, env=env, capture_output=True, timeout=120)
    seconds = time.monotonic() - started
    error = done.stderr.decode()
    lines = error.strip().splitlines()
    assert done.returncode == 2, error
    assert len(lines) == 1 and lines[0].startswith("Lỗi:"), lines
    assert ("vượt giới hạn đọc" in lines[0] or "NHACVIEC_PARSE_" in lines[0]) and \
        words in lines[0], lines
    assert seconds < 15, seconds
    own, worker = (int(kb) / 1024 for kb in peak.read_text().split())
    assert own < 200, f"{own:.0f} MB"  # the command itself
    # the worker that read the file: what it held at start (~100 MB of readers) and at most
    # NHACVIEC_PARSE_MEMORY_MB (300) more, enforced by its address-space limit
    assert worker < 100 + 300 + 100, f"{worker:.0f} MB"
    assert not (tmp_path / "x.db").exists()  # a dry run writes nothing


def test_a_real_sized_plan_is_well_inside_the_limits(example_path: Path) -> None:
    from plan.limits import MAX_CELLS, MAX_ROWS
    from plan.readers import read_rows

    rows = read_rows(example_path.name, example_path.read_bytes())
    assert len(rows) * 50 < MAX_ROWS and sum(len(r.cells) for r in rows) * 50 < MAX_CELLS
