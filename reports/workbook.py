"""The Excel report: "Tiến độ" (appendix layout + status), "Xếp hạng cơ quan", "Lịch sử".

openpyxl in write-only mode: rows stream to disk, so memory stays flat for 100,000 rows.
Dates are real date cells shown dd/mm/yyyy, so coordinators can sort and filter them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.messages import assignment_code
from bot.texts import STATUS_LABELS
from reports.figures import ScoreRow, Summary
from reports.rows import HistoryRow, ProgressRow
from reports.state import CATEGORY_LABELS

DATE = "DD/MM/YYYY"
DATETIME = "DD/MM/YYYY HH:MM"
PROGRESS_COLUMNS = (("STT", 8), ("Nội dung", 60), ("Sản phẩm", 18), ("Cơ quan chủ trì", 30),
                    ("Cơ quan phối hợp", 30), ("Thời hạn", 16), ("Ghi chú", 16),
                    ("Tình trạng", 22), ("Tiến độ (%)", 10), ("Văn bản / minh chứng", 30),
                    ("Cập nhật lần cuối", 17), ("Người cập nhật", 20))
SCORE_COLUMNS = (("Hạng", 6), ("Cơ quan", 40), ("Phân công chủ trì", 12), ("Đã đến hạn", 11),
                 ("Hoàn thành đúng hạn", 12), ("Hoàn thành quá hạn", 12),
                 ("Quá hạn chưa hoàn thành", 12), ("Tỷ lệ đúng hạn (%)", 12),
                 ("Hoàn thành trước hạn", 12), ("Báo cáo gần nhất", 17))
HISTORY_COLUMNS = (("Thời điểm", 17), ("Ngày", 11), ("Mã", 8), ("STT", 8), ("Cơ quan", 30),
                   ("Người cập nhật", 20), ("Kênh", 10), ("Tình trạng", 18), ("Tiến độ (%)", 10),
                   ("Ghi chú", 40), ("Văn bản / minh chứng", 30), ("Tệp", 24),
                   ("Tin nhắn gốc", 40))
DEFINITIONS = (
    "Cách tính: «Đã đến hạn» = phân công chủ trì có thời hạn trước ngày báo cáo; "
    "«Hoàn thành đúng hạn» = trong số đó, đã báo hoàn thành vào hoặc trước ngày hạn "
    "(hạn đã gia hạn nếu được Sở Nội vụ duyệt); «Hoàn thành quá hạn» = hoàn thành sau ngày hạn; "
    "«Quá hạn chưa hoàn thành» = chưa báo hoàn thành. Tỷ lệ đúng hạn = đúng hạn / đã đến hạn. "
    "Phân công chưa đến hạn hoặc không có hạn cụ thể không tính vào tỷ lệ.")

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")


class Writer:
    """One workbook being written; call the sheet methods in order, then `save`."""

    def __init__(self, zone: dt.tzinfo) -> None:
        self.book = Workbook(write_only=True)
        self.zone = zone

    def _sheet(self, title: str, heading: str, columns: Iterable[tuple[str, int]]
               ) -> WriteOnlyWorksheet:
        sheet: WriteOnlyWorksheet = self.book.create_sheet(title)
        columns = list(columns)
        for index, (_, width) in enumerate(columns):
            sheet.column_dimensions[_letter(index)].width = width
        sheet.freeze_panes = "A3"  # title row and header row stay visible
        sheet.append([self._cell(sheet, heading, _TITLE)])
        sheet.append([self._cell(sheet, name, _BOLD, fill=True) for name, _ in columns])
        return sheet

    @staticmethod
    def _cell(sheet: WriteOnlyWorksheet, value: Any, font: Font | None = None,
              fill: bool = False, number_format: str | None = None) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        if font is not None:
            cell.font = font
        if fill:
            cell.fill = _HEADER_FILL
            cell.alignment = _WRAP
        if number_format:
            cell.number_format = number_format
        return cell

    def _local(self, value: dt.datetime | None) -> dt.datetime | None:
        if value is None:
            return None
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(self.zone).replace(tzinfo=None)  # Excel has no time zones

    async def progress(self, title: str, rows: AsyncIterator[ProgressRow]) -> int:
        """Appendix layout; a task led by several agencies gets a task line, then one line
        per agency under it. Returns the number of assignment lines."""
        sheet = self._sheet("Tiến độ", title, PROGRESS_COLUMNS)
        count, section, group = 0, None, list[ProgressRow]()
        async for row in rows:
            count += 1
            if group and group[0].ref == row.ref and group[0].plan == row.plan:
                group.append(row)
                continue
            self._task(sheet, group)
            group = [row]
            if (row.plan, row.section) != section:
                section = (row.plan, row.section)
                sheet.append([self._cell(sheet, row.section, _BOLD),
                              self._cell(sheet, row.section_title or "", _BOLD)])
        self._task(sheet, group)
        return count

    def _task(self, sheet: WriteOnlyWorksheet, group: list[ProgressRow]) -> None:
        if not group:
            return
        first = group[0]
        task = [first.ref, first.content, first.product, first.lead_text,
                first.coordinating_text, first.deadline_text, first.note]
        if len(group) == 1:
            sheet.append(task + self._status(sheet, first))
            return
        done = sum(1 for r in group if r.category.startswith("hoan_thanh"))
        sheet.append([*task, f"{done}/{len(group)} cơ quan hoàn thành"])
        for row in group:
            sheet.append(["", "", "", f"– {row.agency}", "", "", "", *self._status(sheet, row)])

    def _status(self, sheet: WriteOnlyWorksheet, row: ProgressRow) -> list[Any]:
        label = CATEGORY_LABELS[row.category]
        if row.due and not row.category.startswith("hoan_thanh") and row.category != "qua_han":
            label += f" (hạn {row.due:%d/%m/%Y})"
        return [label, row.percent, row.evidence,
                self._cell(sheet, self._local(row.updated_at), number_format=DATETIME),
                row.updated_by]

    def scoreboard(self, title: str, board: list[ScoreRow]) -> None:
        sheet = self._sheet("Xếp hạng cơ quan", title, SCORE_COLUMNS)
        for rank, row in enumerate(board, 1):
            rate = round(row.rate * 100, 1) if row.rate is not None else None
            sheet.append([rank, row.agency, row.total, row.due, row.on_time, row.late,
                          row.overdue, rate, row.done_early,
                          self._cell(sheet, self._local(row.last_answer),
                                     number_format=DATETIME)])
        sheet.append([])
        sheet.append(["", DEFINITIONS])

    async def history(self, title: str, rows: AsyncIterator[HistoryRow]) -> int:
        sheet = self._sheet("Lịch sử", title, HISTORY_COLUMNS)
        count = 0
        async for r in rows:
            count += 1
            file = r.file or {}
            sheet.append([
                self._cell(sheet, self._local(r.created_at), number_format=DATETIME),
                self._cell(sheet, r.answered_on, number_format=DATE),
                f"#{assignment_code(r.assignment_id)}", r.ref, r.agency, r.person, r.channel,
                STATUS_LABELS.get(r.status, r.status), r.percent, r.note, r.evidence,
                file.get("name") or file.get("file_id"), r.raw_text])
        return count

    def save(self, path: Path) -> None:
        self.book.save(path)


def title_of(summary: Summary) -> str:
    plans = "; ".join(f"{code}" + (f" — {title}" if title else "") for code, title
                      in summary.plans) or "chưa có kế hoạch"
    return f"Tiến độ thực hiện {plans} — tính đến hết ngày {summary.day:%d/%m/%Y}"


def _letter(index: int) -> str:
    return str(get_column_letter(index + 1))
