"""One report, start to finish, shared by `nhacviec report` and the /xuatbaocao command."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from reports import figures, tables
from reports.progress import section_progress
from reports.rows import history_rows, progress_rows
from reports.state import Scope
from reports.workbook import Writer, title_of

FORMATS = ("xlsx", "csv", "md")


@dataclass(frozen=True)
class Written:
    path: Path
    assignments: int
    answers: int


# "Theo cơ quan" repeats every row in another order: useful for a province's plan (hundreds
# to a few thousand lead assignments), not for a 100,000-row stress test, where it would double
# the workbook's time; there, Tiến độ's filter on "Cơ quan chủ trì" does the same.
AGENCY_SHEET_MAX = 20_000


async def write(session: AsyncSession, s: Scope, fmt: str, path: Path, zone: dt.tzinfo,
                history: bool = True) -> Written:
    """Write the report; the file appears only when complete (written beside, then renamed)."""
    if fmt not in FORMATS:
        raise ValueError(f"định dạng không hỗ trợ: {fmt} (chọn một trong {', '.join(FORMATS)})")
    found = await figures.compute(session, s)
    title = title_of(found.summary)
    partial = path.with_name(f".{path.name}.partial")
    assignments = answers = 0
    try:
        if fmt == "xlsx":
            writer = Writer(zone, partial)
            try:
                writer.summary(title, found.summary, await section_progress(session, s))
                assignments = await writer.progress(title, progress_rows(session, s))
                if found.summary.total <= AGENCY_SHEET_MAX:
                    await writer.agencies(title, progress_rows(session, s, by_agency=True))
                writer.scoreboard(title, found.scoreboard)
                if history:
                    answers = await writer.history(title, history_rows(session, s))
            finally:
                writer.close()
        elif fmt == "csv":
            with partial.open("w", encoding="utf-8-sig", newline="") as out:
                assignments = await tables.progress_csv(progress_rows(session, s), out, zone)
        else:
            partial.write_text(tables.summary_markdown(found.summary, found.scoreboard, title),
                               encoding="utf-8")
            assignments = found.summary.total
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return Written(path, assignments, answers)


async def markdown(session: AsyncSession, s: Scope) -> str:
    found = await figures.compute(session, s)
    return tables.summary_markdown(found.summary, found.scoreboard, title_of(found.summary))


async def picture(session: AsyncSession, s: Scope) -> bytes:
    found = await figures.compute(session, s)
    from reports import chart  # matplotlib costs ~0.5 s and ~55 MB: only when drawing

    return chart.render(found.summary, found.scoreboard, title_of(found.summary))


async def workbook_bytes(session: AsyncSession, s: Scope, zone: dt.tzinfo,
                         folder: Path) -> bytes:
    """For chat: the .xlsx as bytes (built in `folder`, then removed)."""
    target = folder / "report.xlsx"
    try:
        await write(session, s, "xlsx", target, zone)
        return target.read_bytes()
    finally:
        target.unlink(missing_ok=True)
