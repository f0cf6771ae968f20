"""`nhacviec contacts import focal-points.xlsx`: the focal points a province already keeps in
a sheet, linked in one step. Columns (any order, found by their header): Cơ quan, Họ tên,
Nền tảng (telegram | zalo), Mã chat, Số điện thoại. A row with a chat id is linked at once; a
row with only a phone number gets a one-time invite (the bot cannot write first to a phone
number), listed to send by SMS or Zalo. Every bad row is one Vietnamese line; if any row is
bad nothing is stored.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from plan.text import fold

COLUMNS = {"agency": ("co quan", "don vi", "ten co quan"), "name": ("ho ten", "ho va ten", "ten"),
           "platform": ("nen tang", "kenh", "ung dung"),
           "chat_id": ("ma chat", "chat id", "id"), "phone": ("so dien thoai", "dien thoai", "sdt")}
PLATFORMS = {"telegram": "telegram", "tg": "telegram", "zalo": "zalo"}
_PHONE = re.compile(r"^\+?\d[\d .]{7,14}$")
MAX_ROWS = 10_000


@dataclass(frozen=True)
class SheetRow:
    line: int
    agency: str
    name: str
    platform: str
    chat_id: str
    phone: str


def read_sheet(path: Path) -> tuple[list[SheetRow], list[str]]:
    """Rows and the problems of the sheet itself (no header, unreadable file)."""
    try:
        table = _table(path)
    except (OSError, ValueError, KeyError, csv.Error) as exc:
        return [], [f"không đọc được tệp {path.name}: {exc}"]
    for index, row in enumerate(table[:10]):
        found = _header(row)
        if "agency" in found and ("chat_id" in found or "phone" in found):
            return _rows(table[index + 1:], found, index + 2), []
    return [], ["không thấy dòng tiêu đề (cần ít nhất cột «Cơ quan» và «Mã chat» hoặc «Số điện "
                "thoại»)"]


def check(row: SheetRow) -> str | None:
    """What is wrong with a row, in Vietnamese, or None."""
    if not row.agency:
        return f"dòng {row.line}: thiếu tên cơ quan"
    if row.platform not in PLATFORMS.values():
        return (f"dòng {row.line}: nền tảng «{row.platform or 'trống'}» không hợp lệ (telegram "
                "hoặc zalo)")
    if not row.chat_id and not row.phone:
        return f"dòng {row.line}: cần mã chat hoặc số điện thoại"
    if row.chat_id and row.platform == "telegram" and not row.chat_id.lstrip("-").isdigit():
        return f"dòng {row.line}: mã chat Telegram «{row.chat_id}» phải là số"
    if not row.chat_id and not _PHONE.match(row.phone):
        return f"dòng {row.line}: số điện thoại «{row.phone}» không hợp lệ"
    return None


def _table(path: Path) -> list[list[str]]:
    if path.suffix.lower() == ".csv":
        text = path.read_text(encoding="utf-8-sig")
        return [row for row in csv.reader(io.StringIO(text))][:MAX_ROWS]
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = book.worksheets[0]
    rows = []
    for values in sheet.iter_rows(values_only=True):
        rows.append(["" if v is None else str(v).strip() for v in values])
        if len(rows) > MAX_ROWS:
            break
    book.close()
    return rows


def _header(row: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(row):
        key = fold(cell).strip(" :*")
        for field, names in COLUMNS.items():
            if key in names and field not in found:
                found[field] = index
    return found


def _rows(body: list[list[str]], columns: dict[str, int], first: int) -> list[SheetRow]:
    def get(values: list[str], field: str) -> str:
        index = columns.get(field)
        return values[index].strip() if index is not None and index < len(values) else ""

    out = []
    for offset, values in enumerate(body):
        if not any(cell.strip() for cell in values):
            continue
        platform = fold(get(values, "platform")) or "telegram"
        chat = get(values, "chat_id")
        chat = chat[:-2] if chat.endswith(".0") and chat[:-2].isdigit() else chat
        out.append(SheetRow(first + offset, get(values, "agency"), get(values, "name"),
                            PLATFORMS.get(platform, platform), chat, get(values, "phone")))
    return out
