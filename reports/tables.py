"""Plain-text forms of a report: CSV of the progress table (UTF-8 with BOM, so Excel shows
the diacritics) and Markdown of the summary and scoreboard (to paste into a written report)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import AsyncIterator

from reports.figures import ScoreRow, Summary
from reports.rows import ProgressRow, local_time
from reports.state import CATEGORIES, CATEGORY_LABELS
from reports.workbook import DEFINITIONS, PROGRESS_COLUMNS
from words.texts import state_label


async def progress_csv(rows: AsyncIterator[ProgressRow], out: io.TextIOBase,
                       zone: dt.tzinfo) -> int:
    writer = csv.writer(out)
    header = ([name for name, _ in PROGRESS_COLUMNS[:4]] + ["Cơ quan (phân công)"]
              + [name for name, _ in PROGRESS_COLUMNS[4:]])
    writer.writerow(header)
    count = 0
    async for r in rows:
        count += 1
        updated = local_time(r.updated_at, zone)
        # one cell per header, in its order (16 headers over 14 cells shifted every column
        # after the 9th before)
        cells = (r.ref, r.content, r.product, r.lead_text, r.agency, r.coordinating_text,
                 r.deadline_text, f"{r.due:%d/%m/%Y}" if r.due else "", r.note,
                 state_label(r.category, r.status, r.due),
                 r.percent if r.percent is not None else "", r.evidence or "",
                 f"{updated:%d/%m/%Y %H:%M}" if updated else "", r.updated_by or "",
                 r.said or "")
        assert len(cells) == len(header)
        writer.writerow([_cell_text(v) for v in cells])
    return count


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell_text(value: object) -> object:
    """A text cell a spreadsheet would run as a formula (`=HYPERLINK(…)`, `+1`, `@SUM`) is
    prefixed with an apostrophe: answers are typed by people outside the office."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def summary_markdown(summary: Summary, board: list[ScoreRow], title: str) -> str:
    lines = [f"# {title}", "", f"Tổng số phân công chủ trì: **{summary.total}**", "",
             "| Tình trạng | Số phân công | Tỷ lệ |", "|---|---:|---:|"]
    for key in CATEGORIES:
        n = summary.counts.get(key, 0)
        share = f"{n / summary.total:.0%}" if summary.total else "—"
        lines.append(f"| {CATEGORY_LABELS[key]} | {n} | {share} |")
    lines += ["", "## Theo mục", "", "| Mục | " + " | ".join(
        CATEGORY_LABELS[k] for k in CATEGORIES) + " |", "|---|" + "---:|" * len(CATEGORIES)]
    for _, label, counts in summary.sections:
        lines.append(f"| {_cell(label)} | " + " | ".join(str(counts.get(k, 0))
                                                          for k in CATEGORIES) + " |")
    lines += ["", "## Xếp hạng cơ quan (thấp nhất trước)", "",
              "| Hạng | Cơ quan | Đã đến hạn | Đúng hạn | Quá hạn (đã xong) | Quá hạn chưa xong "
              "| Tỷ lệ đúng hạn |", "|---:|---|---:|---:|---:|---:|---:|"]
    for rank, r in enumerate(board, 1):
        rate = f"{r.rate:.0%}" if r.rate is not None else "—"
        shown = rank if r.rate is not None else "—"
        lines.append(f"| {shown} | {_cell(r.agency)} | {r.due} | {r.on_time} | {r.late} | "
                     f"{r.overdue} | {rate} |")
    lines += ["", DEFINITIONS, "", "## Cần lưu ý", "",
              f"- Phân công không có hạn cụ thể: {summary.no_fixed_date}",
              f"- Phân công chưa có báo cáo nào: {summary.never_answered} "
              f"(trong đó đã qua hạn: {summary.never_answered_due})",
              "- Cơ quan chủ trì chưa có đầu mối: " + listed(summary.no_contact)]
    return "\n".join(lines) + "\n"


def listed(names: list[str], limit: int = 30) -> str:
    """A long list as people read it: the first names, then how many more (never cut
    silently); `nhacviec invite --all` reaches them all at once."""
    if not names:
        return "không có"
    shown = ", ".join(names[:limit])
    if len(names) <= limit:
        return shown
    return (f"{len(names)} cơ quan — {shown} và {len(names) - limit} cơ quan khác (mời tất "
            "cả: nhacviec invite --all)")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
