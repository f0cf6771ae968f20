"""How much a plan file may make us read: checked while reading, never after loading it all.

A real appendix is a few hundred rows of a dozen columns; these limits sit far above that and
far below what a hostile file (a zip bomb, a sheet claiming a million rows, a merge over a
whole sheet, thousands of sheets, a giant cell) would cost. Every refusal is a PlanFormatError
with a Vietnamese message.
"""

from __future__ import annotations

import io
import time
import zipfile

from plan.rows import PlanFormatError

MAX_XML_MEMBER = 20 * 1024 * 1024  # bytes of one unpacked XML part (a real one: ~1–3 MB)
MAX_XML_TOTAL = 40 * 1024 * 1024
MAX_MEMBERS = 2_000
MAX_RATIO = 200  # unpacked ÷ packed, for parts over 1 MB: text XML packs 5–20×
MAX_SHEETS = 50
MAX_ROWS = 20_000
MAX_COLUMNS = 64
MAX_CELLS = 400_000
MAX_CELL_CHARS = 50_000
MAX_PAGES = 300
MAX_TEXT_LINES = 200_000  # text copied from a website: page breaks and all
MAX_SECONDS = 30.0

_TOO_BIG = "tệp vượt giới hạn đọc ({what}); phụ lục thật nhỏ hơn nhiều — hãy kiểm tra lại tệp"


def refuse(what: str) -> PlanFormatError:
    return PlanFormatError(_TOO_BIG.format(what=what))


def check_zip(data: bytes) -> None:
    """An Office file is a zip: refuse a bomb from its directory, before unpacking anything
    (zipfile never unpacks more than a member's declared size)."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise PlanFormatError("tệp nén hỏng, không mở được") from exc
    if len(members) > MAX_MEMBERS:
        raise refuse(f"{len(members)} phần trong tệp nén, tối đa {MAX_MEMBERS}")
    total = 0
    for member in members:
        size = member.file_size
        if size > 1024 * 1024 and size > MAX_RATIO * max(member.compress_size, 1):
            raise refuse(f"phần «{member.filename}» nén quá mức: dấu hiệu tệp nén độc hại")
        if member.filename.endswith((".xml", ".rels")):
            if size > MAX_XML_MEMBER:
                raise refuse(f"phần «{member.filename}» {size // 2**20} MB khi giải nén")
            total += size
    if total > MAX_XML_TOTAL:
        raise refuse(f"{total // 2**20} MB dữ liệu khi giải nén, tối đa "
                     f"{MAX_XML_TOTAL // 2**20} MB")


class Budget:
    """Rows, cells and seconds spent reading one file."""

    def __init__(self, seconds: float = MAX_SECONDS) -> None:
        self.rows = self.cells = 0
        self.deadline = time.monotonic() + seconds

    def row(self, cells: int) -> None:
        self.rows += 1
        self.cells += cells
        if self.rows > MAX_ROWS:
            raise refuse(f"hơn {MAX_ROWS:,} dòng".replace(",", "."))
        if self.cells > MAX_CELLS:
            raise refuse(f"hơn {MAX_CELLS:,} ô".replace(",", "."))
        if self.rows % 256 == 0:
            self.clock()

    def clock(self) -> None:
        if time.monotonic() > self.deadline:
            raise refuse(f"đọc quá {MAX_SECONDS:.0f} giây")


def cell(text: str) -> str:
    if len(text) > MAX_CELL_CHARS:
        raise refuse(f"một ô dài {len(text):,} ký tự, tối đa {MAX_CELL_CHARS:,}"
                     .replace(",", "."))
    return text
