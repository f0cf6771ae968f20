"""The Excel report: "Tiến độ" (appendix layout + status), "Theo cơ quan" (one block per
agency), "Xếp hạng cơ quan", "Lịch sử".

XlsxWriter in constant-memory mode: rows stream to disk, so memory stays flat for 100,000
rows, and it writes them about 1.5× faster than openpyxl's write-only mode (measured on the
report benchmark). Dates are real date cells shown dd/mm/yyyy, so coordinators can sort and
filter them. (openpyxl still reads plans and, in the tests, these workbooks.)
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from reports.figures import ScoreRow, Summary
from reports.progress import SectionProgress
from reports.rows import HistoryRow, ProgressRow, local_time
from words.messages import assignment_code
from words.texts import CATEGORY_LABELS, STATUS_LABELS, state_label

DATE = "DD/MM/YYYY"
LINE_HEIGHT = 15  # points per wrapped line at the default 11-point font
DATETIME = "DD/MM/YYYY HH:MM"
# The plan's own appendix columns, then what the tracking adds (hạn hiện tại = after any
# approved extension; the last column is the agency's last note: why it is blocked, why it
# asked for more time)
PROGRESS_COLUMNS = (("STT", 7), ("Nội dung", 46), ("Sản phẩm", 13), ("Cơ quan chủ trì", 22),
                    ("Cơ quan phối hợp", 22), ("Thời hạn", 12), ("Hạn hiện tại", 11),
                    ("Ghi chú", 12), ("Tình trạng", 20), ("Tiến độ (%)", 8),
                    ("Văn bản / minh chứng", 20), ("Cập nhật lần cuối", 15),
                    ("Người cập nhật", 15), ("Lý do vướng mắc / gia hạn, ghi chú", 26))
AGENCY_COLUMNS = (("STT", 7), ("Nội dung", 50), ("Sản phẩm", 13), ("Thời hạn", 12),
                  ("Hạn hiện tại", 11), ("Tình trạng", 22), ("Tiến độ (%)", 8),
                  ("Văn bản / minh chứng", 22), ("Cập nhật lần cuối", 15),
                  ("Lý do vướng mắc / gia hạn, ghi chú", 28))
SCORE_COLUMNS = (("Hạng", 6), ("Cơ quan", 40), ("Phân công chủ trì", 12), ("Đã đến hạn", 11),
                 ("Hoàn thành đúng hạn", 12), ("Hoàn thành quá hạn", 12),
                 ("Quá hạn chưa hoàn thành", 12), ("Tỷ lệ đúng hạn (%)", 12),
                 ("Hoàn thành trước hạn", 12), ("Báo cáo gần nhất", 17))
SUMMARY_COLUMNS = (("Mục", 46), ("", 46), ("Số lượng", 14))
DETAIL_COLUMNS = (("STT", 7), ("Cơ quan chủ trì", 34), ("Hạn hiện tại", 11), ("Tình trạng", 22),
                  ("Tiến độ (%)", 8), ("Văn bản / minh chứng", 22), ("Cập nhật lần cuối", 15),
                  ("Người cập nhật", 15), ("Lý do vướng mắc / gia hạn, ghi chú", 28))
HISTORY_COLUMNS = (("Thời điểm", 17), ("Ngày", 11), ("Mã", 8), ("STT", 8), ("Cơ quan", 30),
                   ("Người cập nhật", 20), ("Kênh", 10), ("Tình trạng", 18), ("Tiến độ (%)", 10),
                   ("Ghi chú", 40), ("Văn bản / minh chứng", 30), ("Tệp", 24),
                   ("Tin nhắn gốc", 40))
DEFINITIONS = (
    "Cách tính: «Đã đến hạn» = phân công chủ trì có thời hạn đã qua trước ngày báo cáo (hạn "
    "rơi vào ngày nghỉ được tính đến ngày làm việc tiếp theo, theo Điều 148 Bộ luật Dân sự); "
    "«Hoàn thành đúng hạn» = trong số đó, đã báo hoàn thành vào hoặc trước ngày hạn "
    "(hạn đã gia hạn nếu được Sở Nội vụ duyệt); «Hoàn thành quá hạn» = hoàn thành sau ngày hạn; "
    "«Quá hạn chưa hoàn thành» = chưa báo hoàn thành; «Chờ xác nhận» = đã báo hoàn thành, chờ "
    "Sở Nội vụ xác nhận. Tỷ lệ đúng hạn = đúng hạn / đã đến hạn. Phân công chưa đến hạn, "
    "đang tạm dừng hoặc không có hạn cụ thể không tính vào tỷ lệ.")


class Writer:
    """One workbook being written to `path`; call the sheet methods in order, then `close`."""

    def __init__(self, zone: dt.tzinfo, path: Path) -> None:
        self.book = xlsxwriter.Workbook(str(path), {"constant_memory": True,
                                                    "strings_to_numbers": False,
                                                    "strings_to_formulas": False,
                                                    "strings_to_urls": False})
        self.zone = zone
        self.title = self.book.add_format({"bold": True, "font_size": 13})
        # every cell wraps, sits at the top and has a thin border, as in a printed appendix
        boxed = {"text_wrap": True, "valign": "top", "border": 1, "border_color": "#808080"}
        self.cell = self.book.add_format(boxed)
        self.section = self.book.add_format({**boxed, "bold": True, "bg_color": "#F2F2F2"})
        self.header = self.book.add_format({**boxed, "bold": True, "bg_color": "#DDEBF7"})
        self.date = self.book.add_format({**boxed, "num_format": DATE})
        self.datetime = self.book.add_format({**boxed, "num_format": DATETIME})
        self.row = 0
        self.columns = 0
        self.widths: list[int] = []

    def _sheet(self, title: str, heading: str, columns: Iterable[tuple[str, int]]
               ) -> Worksheet:
        sheet = self.book.add_worksheet(title)
        columns = list(columns)
        for index, (_, width) in enumerate(columns):
            sheet.set_column(index, index, width)
        sheet.freeze_panes(2, 0)  # title row and header row stay visible
        sheet.write_string(0, 0, heading, self.title)
        for index, (name, _) in enumerate(columns):
            sheet.write_string(1, index, name, self.header)
        # as tall as its longest wrapped label: a one-line header row spilled onto row 1
        sheet.set_row(1, _lines(columns) * LINE_HEIGHT)
        # printed like the plan's appendix: A4 landscape, one page wide, title rows repeated
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0, 1)
        sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
        sheet.set_footer("&CTrang &P/&N")
        sheet.hide_gridlines(0)  # grid lines on paper too
        self.row, self.columns = 2, len(columns)
        self.widths = [width for _, width in columns]
        return sheet

    def _filter(self, sheet: Worksheet) -> None:
        """Filter buttons on the header row, over every written row."""
        sheet.autofilter(1, 0, max(self.row - 1, 1), self.columns - 1)

    def _append(self, sheet: Worksheet, values: list[Any], stamp: int | None = None,
                day: int | None = None) -> None:
        """One row; `stamp`/`day` name the columns holding a datetime/date. The row is as
        tall as its longest wrapped text (LibreOffice keeps the default height otherwise and
        the lines overlap on paper)."""
        lines = max((math.ceil(len(value) / max(self.widths[column] - 1, 1))
                     for column, value in enumerate(values)
                     if isinstance(value, str) and column < len(self.widths)), default=1)
        if lines > 1:
            sheet.set_row(self.row, min(lines, 15) * LINE_HEIGHT)
        for column, value in enumerate(values):
            if value is None or value == "":
                continue  # the printed grid lines frame empty cells (a border each costs 2×)
            if column == stamp:
                sheet.write_datetime(self.row, column, value, self.datetime)
            elif column == day:
                sheet.write_datetime(self.row, column, value, self.date)
            elif isinstance(value, str):
                sheet.write_string(self.row, column, value, self.cell)
            else:
                sheet.write_number(self.row, column, value, self.cell)
        self.row += 1

    def _local(self, value: dt.datetime | None) -> dt.datetime | None:
        return local_time(value, self.zone)

    def summary(self, title: str, summary: Summary,
                sections: list[SectionProgress]) -> None:
        """The first sheet a leader is handed: the plans and the day, the categories of the
        lead assignments, and per section the tasks and assignments done."""
        sheet = self._sheet("Tổng hợp", title, SUMMARY_COLUMNS)
        self._append(sheet, ["Kế hoạch", "; ".join(f"{code} — {name or ''}"
                                                  for code, name in summary.plans), None])
        self._append(sheet, ["Tính đến hết ngày", summary.day.strftime("%d/%m/%Y"), None])
        self._append(sheet, ["Phân công chủ trì", "", summary.total])
        for key in CATEGORY_LABELS:
            self._append(sheet, ["", CATEGORY_LABELS[key], summary.counts.get(key, 0)])
        self.row += 1
        labels = ("Theo mục", "Nhiệm vụ xong hết / số nhiệm vụ", "Phân công xong / số phân công")
        for column, label in enumerate(labels):
            sheet.write_string(self.row, column, label, self.section)
        sheet.set_row(self.row, _lines(zip(labels, self.widths, strict=True)) * LINE_HEIGHT)
        self.row += 1
        for row in sections:
            self._append(sheet, [row.label, f"{row.tasks_done}/{row.tasks}",
                                 f"{row.assignments_done}/{row.assignments}"])
        self.row += 1
        sheet.merge_range(self.row, 0, self.row, 2, DEFINITIONS, self.cell)
        sheet.set_row(self.row, 8 * LINE_HEIGHT)

    async def progress(self, title: str, rows: AsyncIterator[ProgressRow]) -> int:
        """Appendix layout: one line per task, a task led by several agencies too (its
        progress: "37/139 cơ quan đã hoàn thành, 102 quá hạn"), whose agencies go to the
        "Chi tiết nhiệm vụ" sheet. Returns the number of assignment lines."""
        sheet = self._sheet("Tiến độ", title, PROGRESS_COLUMNS)
        self.detail: Worksheet | None = None
        self.detail_row = 2
        self.detail_title = title
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
                sheet.write_string(self.row, 0, row.section, self.section)
                sheet.merge_range(self.row, 1, self.row, self.columns - 1,
                                  row.section_title or "", self.section)
                self.row += 1
        self._task(sheet, group)
        self._filter(sheet)
        return count

    def _task(self, sheet: Worksheet, group: list[ProgressRow]) -> None:
        if not group:
            return
        first = group[0]
        lead = first.lead_text
        if len(group) == 1 and first.reassigned:  # the lead Sở Nội vụ gave it to
            lead = f"{first.agency} (Sở Nội vụ giao lại; kế hoạch ghi: {first.lead_text})"
        task = [first.ref, first.content, first.product, lead,
                first.coordinating_text, first.deadline_text]
        if len(group) == 1:
            self._append(sheet, [*task, first.due, first.note, *self._status(first)],
                         stamp=11, day=6)
            return
        done = sum(1 for r in group if r.category.startswith("hoan_thanh"))
        late = sum(1 for r in group if r.category == "qua_han")
        self._append(sheet, [*task, None, first.note,
                             f"{done}/{len(group)} cơ quan đã hoàn thành, {late} quá hạn",
                             None, "Từng cơ quan: trang «Chi tiết nhiệm vụ»"])
        self._detail(group)

    def _detail(self, group: list[ProgressRow]) -> None:
        """The agencies of a task led by several, under the task's heading."""
        if self.detail is None:
            saved = self.row, self.columns, self.widths
            self.detail = self._sheet("Chi tiết nhiệm vụ", self.detail_title, DETAIL_COLUMNS)
            self.row, self.columns, self.widths = saved
        row_now, columns_now, widths_now = self.row, self.columns, self.widths
        self.row, self.columns = self.detail_row, len(DETAIL_COLUMNS)
        self.widths = [width for _, width in DETAIL_COLUMNS]
        first = group[0]
        self.detail.merge_range(self.row, 0, self.row, self.columns - 1,
                                f"{first.ref} — {first.content}", self.section)
        self.row += 1
        for row in group:
            self._append(self.detail, [row.ref, row.agency, row.due, *self._status(row)],
                         stamp=6, day=2)
        self.detail_row = self.row
        self.row, self.columns, self.widths = row_now, columns_now, widths_now

    def _status(self, row: ProgressRow) -> list[Any]:
        label = state_label(row.category, row.status, row.due)
        return [label, row.percent, row.evidence, self._local(row.updated_at), row.updated_by,
                row.said]

    async def agencies(self, title: str, rows: AsyncIterator[ProgressRow]) -> None:
        """One block per agency — its name, then its lead assignments: what a coordinator
        hands to (or checks with) one agency."""
        sheet = self._sheet("Theo cơ quan", title, AGENCY_COLUMNS)
        agency = None
        async for row in rows:
            if row.agency != agency:
                agency = row.agency
                sheet.merge_range(self.row, 0, self.row, self.columns - 1, agency,
                                  self.section)
                self.row += 1
            self._append(sheet, [row.ref, row.content, row.product, row.deadline_text, row.due,
                                 state_label(row.category, row.status, row.due), row.percent,
                                 row.evidence, self._local(row.updated_at), row.said],
                         stamp=8, day=4)
        self._filter(sheet)

    def scoreboard(self, title: str, board: list[ScoreRow]) -> None:
        sheet = self._sheet("Xếp hạng cơ quan", title, SCORE_COLUMNS)
        for rank, row in enumerate(board, 1):
            rate = round(row.rate * 100, 1) if row.rate is not None else None
            # nothing due yet: no rate, so no rank (an alphabetical "rank" ranked nothing)
            shown = rank if rate is not None else "—"
            self._append(sheet, [shown, row.agency, row.total, row.due, row.on_time, row.late,
                                 row.overdue, rate, row.done_early, self._local(row.last_answer)],
                         stamp=9)
        self._filter(sheet)
        self.row += 1
        sheet.write_string(self.row, 1, DEFINITIONS, self.cell)

    async def history(self, title: str, rows: AsyncIterator[HistoryRow]) -> int:
        sheet = self._sheet("Lịch sử", title, HISTORY_COLUMNS)
        count = 0
        async for r in rows:
            count += 1
            file = r.file or {}
            self._append(sheet, [
                self._local(r.created_at), r.answered_on, f"#{assignment_code(r.assignment_id)}",
                r.ref, r.agency, r.person, r.channel, STATUS_LABELS.get(r.status, r.status),
                r.percent, r.note, r.evidence, file.get("name") or file.get("file_id"),
                r.raw_text], stamp=0, day=1)
        self._filter(sheet)
        return count

    def close(self) -> None:
        self.book.close()


def _lines(cells: Iterable[tuple[str, int]]) -> int:
    """Wrapped lines of the longest of (text, column width) pairs."""
    return max((math.ceil(len(text) / max(width - 1, 1)) for text, width in cells), default=1)


def title_of(summary: Summary) -> str:
    plans = "; ".join(f"{code}" + (f" — {title}" if title else "") for code, title
                      in summary.plans) or "chưa có kế hoạch"
    return f"Tiến độ thực hiện {plans} — tính đến hết ngày {summary.day:%d/%m/%Y}"
