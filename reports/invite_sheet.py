"""The invite sheet `nhacviec invite --all -o moi.xlsx` writes: one row per agency with its
one-time code, the Telegram deep link and its QR code, and the `/start` text for Zalo.

Printed on A4 (header repeated, one page wide) it is what Sở Nội vụ hands or sends to each
agency. QR codes come from segno with a fixed mask: choosing the "best" of eight masks is
four fifths of segno's time and buys nothing a phone camera needs (0.7 against 3.4 ms per
code on the 2-core VM), so 3,400 agencies stay within seconds.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from words.texts import date_vn

COLUMNS = (("STT", 5), ("Cơ quan", 30), ("Mã mời", 19), ("Telegram: quét mã QR", 17),
           ("hoặc mở liên kết", 22), ("Zalo (hoặc Telegram): gửi cho bot", 24), ("Hết hạn", 11))
PARALLEL_FROM = 500  # links; below this a process pool costs more than it saves
QR_ROW_POINTS = 90  # a 4-pixel-module QR of a deep link is ~148 px, 111 px at 75 %


@dataclass(frozen=True)
class InviteLine:
    agency: str
    code: str
    link: str | None  # the Telegram deep link, when the bot's username is known
    expires: dt.date


def qr_png(text: str, scale: int = 4, border: int = 2) -> bytes:
    """A QR code as a 1-bit PNG (error correction M, fixed mask: see the module doc). segno
    draws the matrix; the PNG is packed here, a row of bits at a time (5× faster than
    segno's own writer, which handles every colour and format)."""
    import segno

    matrix = segno.make(text, error="m", micro=False, mask=2, boost_error=False).matrix
    size = (len(matrix) + 2 * border) * scale
    padding = -size % 8
    blank = "1" * size
    rows = [blank] * (border * scale)
    for modules in matrix:  # dark module = 0 (black) in a grayscale 1-bit image
        line = "1" * (border * scale) + "".join(("0" if m & 1 else "1") * scale
                                                for m in modules) + "1" * (border * scale)
        rows += [line] * scale
    rows += [blank] * (border * scale)
    raw = b"".join(b"\x00" + int(row + "0" * padding, 2).to_bytes((size + padding) // 8, "big")
                   for row in rows)
    return b"".join((b"\x89PNG\r\n\x1a\n",
                     _chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 1, 0, 0, 0, 0)),
                     _chunk(b"IDAT", zlib.compress(raw, 6)), _chunk(b"IEND", b"")))


def qr_pngs(links: Sequence[str]) -> list[bytes]:
    """QR pictures for many links ("" for none), over every core for a province's worth: the
    codes are pure CPU, three fifths of a 3,400-agency sheet's time on one core."""
    wanted = [link for link in links if link]
    if len(wanted) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        made = [qr_png(link) for link in wanted]
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(min(os.cpu_count() or 2, 4)) as pool:
            made = list(pool.map(qr_png, wanted, chunksize=100))
    pictures = iter(made)
    return [next(pictures) if link else b"" for link in links]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def write(lines: Sequence[InviteLine], path: Path, title: str) -> None:
    """The sheet, A4-ready: title, header repeated on every page, one agency per row."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Mã mời")
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "vcenter",
                            "border": 1, "bg_color": "#DDEBF7"})
    wrap = book.add_format({"text_wrap": True, "valign": "vcenter", "border": 1})
    small = book.add_format({"text_wrap": True, "valign": "vcenter", "border": 1,
                             "font_size": 9, "font_color": "#1F4E79", "underline": 1})
    mono = book.add_format({"font_name": "Consolas", "font_size": 12, "bold": True,
                            "valign": "vcenter", "border": 1})
    sheet.set_paper(9)
    sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    sheet.repeat_rows(1)
    sheet.set_footer("&CTrang &P/&N")
    sheet.write(0, 0, title, book.add_format({"bold": True, "font_size": 13}))
    for column, (label, width) in enumerate(COLUMNS):
        sheet.set_column(column, column, width)
        sheet.write(1, column, label, bold)
    sheet.set_row(1, 32)
    pictures = qr_pngs([line.link or "" for line in lines])
    for number, line in enumerate(lines, 1):
        row = number + 1
        sheet.write(row, 0, number, wrap)
        sheet.write(row, 1, line.agency, wrap)
        sheet.write(row, 2, line.code, mono)
        sheet.write(row, 5, f"/start {line.code}", mono)
        sheet.write(row, 6, date_vn(line.expires), wrap)
        if line.link:
            sheet.set_row(row, QR_ROW_POINTS)
            sheet.write_blank(row, 3, None, wrap)
            # the link broken where a phone user would read it; the cell keeps the whole URL
            sheet.write_url(row, 4, line.link, small, string=line.link.replace("?", "\n?"))
            sheet.insert_image(row, 3, f"qr{number}.png", {
                "image_data": io.BytesIO(pictures[number - 1]), "x_offset": 6, "y_offset": 4,
                "x_scale": 0.75, "y_scale": 0.75, "object_position": 1})
        else:
            sheet.set_row(row, 30)
            sheet.merge_range(row, 3, row, 4, "chưa cấu hình Telegram", wrap)
    book.close()
