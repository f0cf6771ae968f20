"""Reports as Sở Nội vụ uses them: answers given on real days, then the scoreboard, the
summary and the files, now and as of a past day rebuilt from the append-only history."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import subprocess
import zoneinfo
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.handlers import Handlers
from bot.types import Incoming
from plan.agencies import Directory
from reports import build, figures
from reports.figures import ScoreRow
from reports.state import scope
from storage.uow import Database
from tests.engine_helpers import assignment_of, contact, load_example
from words.messages import assignment_code

ZONE = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
STP = "Sở Tư pháp"


class Clock:
    """The bot's calendar: answers are stored on the day the test says it is."""

    def __init__(self) -> None:
        self.day = dt.date(2023, 1, 2)

    def today(self) -> dt.date:
        return self.day

    def now(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(9, 30), ZONE).astimezone(dt.UTC)


@pytest.fixture
async def world(db: Database, example_path: Path, directory: Directory
                ) -> tuple[Handlers, Clock]:
    """Sở Tư pháp's focal point answers through the spring of 2023:
    I.2 (due 31/01) done on 20/01 · I.5 (due 31/01) done on 10/02 · I.1 (due 31/12/2022)
    in progress since 05/01, extended on 01/02 to 30/06/2023."""
    await load_example(db, example_path, directory)
    clock = Clock()
    bot = Handlers(db, clock.today, clock.now)
    await contact(db, STP, "tp", channel="telegram", name="Anh Minh")
    await contact(db, None, "snv", role="coordinator", channel="telegram", name="Chị Hoa")
    i1, i2, i5 = [assignment_code(await assignment_of(db, ref, STP)) for ref in
                  ("I.1", "I.2", "I.5")]

    async def say(day: dt.date, text: str, chat: str = "tp") -> str:
        clock.day = day
        replies = await bot.handle(Incoming("telegram", chat, text))
        return "\n".join(r.text for r in replies)

    assert "Đang thực hiện" in await say(dt.date(2023, 1, 5), f"{i1} dang 30%")
    assert "chờ Sở Nội vụ xác nhận" in await say(dt.date(2023, 1, 20),
                                                 f"{i2} xong 15/KH-STP ngày 20/01/2023")
    # confirmed on a later day: still done on the day it was reported
    assert "Đã xác nhận" in await say(dt.date(2023, 1, 23), f"/xacnhan {i2} dat", chat="snv")
    assert "chờ Sở Nội vụ xác nhận" in await say(dt.date(2023, 2, 10), f"{i5} xong 21/KH-STP")
    assert "Đã xác nhận" in await say(dt.date(2023, 2, 10), f"/xacnhan {i5} dat", chat="snv")
    assert "Đã gửi đề nghị" in await say(dt.date(2023, 1, 30), f"{i1} giahan 30/6/2023")
    assert "ĐÃ DUYỆT" in await say(dt.date(2023, 2, 1), "/duyet 1 dongy", chat="snv")
    return bot, clock


async def _board(db: Database, today: dt.date, as_of: dt.date | None = None
                 ) -> dict[str, ScoreRow]:
    async with db.uow() as uow:
        found = await figures.compute(uow.session, scope(today, as_of, ZONE))
    return {r.agency: r for r in found.scoreboard}


async def test_scoreboard_counts_on_time_late_and_overdue(world: object, db: Database) -> None:
    board = await _board(db, dt.date(2023, 3, 31))
    stp = board[STP]
    # Deadlines before 31/03: I.2 and I.5 (31/01); I.1 was moved to 30/06 by the extension.
    assert (stp.due, stp.on_time, stp.late, stp.overdue) == (2, 1, 1, 0)
    assert stp.rate == 0.5
    assert stp.last_answer is not None and stp.last_answer.date() == dt.date(2023, 2, 10)
    rates = [r.rate for r in board.values() if r.rate is not None]
    assert rates == sorted(rates), "worst first"
    ordered = list(board.values())
    assert ordered[0].rate == 0 and ordered[1].agency == STP  # 0 % before 50 %
    assert all(r.rate is None for r in ordered[2:])  # nothing due yet: listed last


async def test_a_past_day_is_rebuilt_from_history(world: tuple[Handlers, Clock],
                                                  db: Database) -> None:
    # On 25/01 I.2 was done, I.5 not yet due, I.1 overdue (extension not yet asked for).
    stp = (await _board(db, dt.date(2023, 6, 1), as_of=dt.date(2023, 1, 25)))[STP]
    assert (stp.due, stp.on_time, stp.late, stp.overdue, stp.done_early) == (1, 0, 0, 1, 1)
    assert stp.last_answer is not None and stp.last_answer.date() == dt.date(2023, 1, 20)
    async with db.uow() as uow:
        then = (await figures.compute(uow.session, scope(dt.date(2023, 6, 1),
                                                         dt.date(2023, 1, 25), ZONE))).summary
    assert then.counts["hoan_thanh_dung_han"] == 1
    assert "hoan_thanh_qua_han" not in then.counts


async def test_history_and_current_columns_agree_on_the_same_day(
        world: tuple[Handlers, Clock], db: Database) -> None:
    day = dt.date(2023, 3, 31)
    async with db.uow() as uow:
        live = await figures.compute(uow.session, scope(day, None, ZONE))
        rebuilt = await figures.compute(uow.session, scope(dt.date(2023, 9, 1), day, ZONE))
    assert live.summary.counts == rebuilt.summary.counts
    assert live.summary.sections == rebuilt.summary.sections
    assert live.summary.never_answered == rebuilt.summary.never_answered \
        == live.summary.total - 3
    assert live.scoreboard == rebuilt.scoreboard


async def test_summary_lists_the_gaps(world: object, db: Database) -> None:
    async with db.uow() as uow:
        s = (await figures.compute(uow.session, scope(dt.date(2023, 3, 31), None, ZONE))).summary
    # 209 lead assignments less the 6 hubs (named in the coordinating cell of a group-led
    # task they belong to: they compile, they do not lead)
    assert s.total == 203 and sum(s.counts.values()) == 203
    assert s.no_fixed_date == 1  # "Theo quy định hiện hành"
    assert STP not in s.no_contact and "Sở Y tế" in s.no_contact
    assert s.statuses["dang_thuc_hien"] == 1  # I.1, extended, no longer overdue
    assert s.counts["qua_han"] + s.counts["trong_han"] + s.counts.get("sap_den_han", 0) \
        + s.counts["khong_co_han"] == 203 - 2  # I.2 and I.5 are done
    assert s.sections[0][1] == "I. Cải cách thể chế"


async def test_workbook_has_the_three_sheets_coordinators_expect(
        world: object, db: Database, tmp_path: Path) -> None:
    path = tmp_path / "bao-cao.xlsx"
    async with db.uow() as uow:
        written = await build.write(uow.session, scope(dt.date(2023, 3, 31), None, ZONE),
                                    "xlsx", path, ZONE)
    assert (written.assignments, written.answers) == (203, 7)  # with the two confirmations
    book = load_workbook(path)
    assert book.sheetnames == ["Tổng hợp", "Tiến độ", "Chi tiết nhiệm vụ", "Theo cơ quan",
                               "Xếp hạng cơ quan", "Lịch sử"]
    summary = [[c.value for c in row] for row in book["Tổng hợp"].iter_rows(min_row=3)]
    assert ["Phân công chủ trì", None, 203] in summary
    section = next(row for row in summary if row[0] == "I. Cải cách thể chế")
    # I.2 and I.5 done by their one lead; I.4 by none of its 35: tasks and assignments apart
    assert section[1:] == ["2/5", "2/39"]
    blocks = [[c.value for c in row] for row in book["Theo cơ quan"].iter_rows(min_row=3)]
    at = blocks.index(next(r for r in blocks if r[0] == STP))  # the agency's name, then its own
    own = [r for r in blocks[at + 1:at + 40] if r[0] and r[0][0] in "IV"]
    assert own[0][0] == "I.1" and own[0][4] == dt.datetime(2023, 6, 30)
    assert {r[0] for r in own} >= {"I.1", "I.2", "I.5"}
    progress = book["Tiến độ"]
    assert "272/KH-UBND" in progress["A1"].value and "31/03/2023" in progress["A1"].value
    assert [c.value for c in progress[2]] == [
        "STT", "Nội dung", "Sản phẩm", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn",
        "Hạn hiện tại", "Ghi chú", "Tình trạng", "Tiến độ (%)", "Văn bản / minh chứng",
        "Cập nhật lần cuối", "Người cập nhật", "Lý do vướng mắc / gia hạn, ghi chú"]
    assert progress.freeze_panes == "A3"
    assert progress.auto_filter.ref and progress.auto_filter.ref.startswith("A2:N")
    assert progress.page_setup.orientation == "landscape" and progress.page_setup.paperSize == 9
    assert progress.print_title_rows == "$1:$2"
    assert progress["B5"].alignment.wrap_text and progress["B5"].border.left.style == "thin"
    rows = [[c.value for c in row] for row in progress.iter_rows(min_row=3)]
    by_ref = {r[0]: r for r in rows if r[0]}
    assert by_ref["I"][1] == "Cải cách thể chế"
    assert by_ref["I.2"][8] == "Hoàn thành đúng hạn"
    assert by_ref["I.2"][10] == "15/KH-STP ngày 20/01/2023"
    assert by_ref["I.2"][12] == "Anh Minh"
    assert by_ref["I.2"][11] == dt.datetime(2023, 1, 20, 9, 30)  # local time, as shown
    assert by_ref["I.5"][8] == "Hoàn thành quá hạn"
    assert by_ref["I.1"][8] == "Trong hạn — Đang thực hiện (hạn 30/06/2023)"
    assert by_ref["I.1"][6] == dt.datetime(2023, 6, 30)  # the extended deadline, a date cell
    assert by_ref["I.1"][9] == 30
    # led by every department: one line with its progress; the agencies on their own sheet
    assert by_ref["I.4"][8] == "0/35 cơ quan đã hoàn thành, 0 quá hạn"
    group = rows.index(by_ref["I.4"])
    assert rows[group + 1][0] != "I.4" and not str(rows[group + 1][3] or "").startswith("– ")
    detail = [[c.value for c in row] for row in book["Chi tiết nhiệm vụ"].iter_rows(min_row=3)]
    heading = next(n for n, row in enumerate(detail) if str(row[0]).startswith("I.4 — "))
    agencies = [row for row in detail[heading + 1:] if row[0] == "I.4"]
    assert len(agencies) == 35 and all(row[1] for row in agencies)
    score = book["Xếp hạng cơ quan"]
    names = [row[1].value for row in score.iter_rows(min_row=3) if row[0].value]
    assert names[-1] == STP or STP in names
    stp = next(row for row in score.iter_rows(min_row=3) if row[1].value == STP)
    assert [c.value for c in stp[3:8]] == [2, 1, 1, 0, 50.0]
    history = book["Lịch sử"]
    first = [c.value for c in history[3]]
    assert first[1] == dt.datetime(2023, 1, 5) and first[3] == "I.1"
    assert first[7] == "Đang thực hiện"
    assert history["B3"].number_format == "DD/MM/YYYY"
    assert history.max_row == 2 + 7  # answers, a request, its approval, two confirmations


async def test_csv_and_markdown(world: object, db: Database, tmp_path: Path) -> None:
    async with db.uow() as uow:
        s = scope(dt.date(2023, 3, 31), None, ZONE)
        await build.write(uow.session, s, "csv", tmp_path / "r.csv", ZONE)
        text = await build.markdown(uow.session, s)
    raw = (tmp_path / "r.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())  # Excel reads the diacritics right
    lines = raw.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 203 and "Cơ quan (phân công)" in lines[0]
    i2 = next(line for line in lines if line.startswith("I.2,") and STP in line)
    assert "20/01/2023 09:30" in i2  # the answer's local time, as in the workbook
    import csv

    table = list(csv.reader(lines))
    assert {len(row) for row in table} == {len(table[0])}  # one cell per header, every row
    by_name = dict(zip(table[0], next(r for r in table if r[0] == "I.2" and r[4] == STP),
                       strict=True))
    assert by_name["Tình trạng"] == "Hoàn thành đúng hạn"
    assert by_name["Văn bản / minh chứng"] == "15/KH-STP ngày 20/01/2023"
    assert by_name["Người cập nhật"] == "Anh Minh"
    assert "| Hoàn thành đúng hạn | 1 |" in text and f"| {STP} | 2 | 1 | 1 | 0 | 50% |" in text


async def test_chart_is_a_real_picture(world: object, db: Database) -> None:
    async with db.uow() as uow:
        png = await build.picture(uow.session, scope(dt.date(2023, 3, 31), None, ZONE))
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 30_000
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width > 1000 and height > 600


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                    reason="LibreOffice is not installed (Debian: libreoffice-calc-nogui)")
async def test_libreoffice_opens_the_workbook(world: object, db: Database,
                                              tmp_path: Path) -> None:
    path = tmp_path / "bao-cao.xlsx"
    async with db.uow() as uow:
        await build.write(uow.session, scope(dt.date(2023, 3, 31), None, ZONE), "xlsx", path,
                          ZONE)
    office = shutil.which("soffice") or shutil.which("libreoffice")
    assert office is not None
    done = await asyncio.to_thread(subprocess.run, [
        office, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
        "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,"
        "false,-1", "--outdir", str(tmp_path), str(path)],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    sheets = {p.name: p.read_text("utf-8") for p in tmp_path.glob("bao-cao*.csv")}
    assert len(sheets) == 6, sheets.keys()  # every sheet converted
    progress = next(text for name, text in sheets.items() if "Ti" in name)
    assert "Hoàn thành đúng hạn" in progress and "15/KH-STP ngày 20/01/2023" in progress


@pytest.mark.parametrize("as_of", [False, True])
async def test_a_deadline_on_a_day_off_is_not_overdue_before_the_next_working_day(
        db: Database, example_path: Path, directory: Directory, as_of: bool) -> None:
    """VII.2 (Sở Khoa học và Công nghệ, Quý III/2023) is due Saturday 30/09/2023: it runs to
    Monday 02/10, as the reminders count it, so it is overdue from Tuesday 03/10 only."""
    from tracking.calendar import WorkCalendar

    await load_example(db, example_path, directory)
    calendar = WorkCalendar.vietnam([2023])

    async def overdue(day: dt.date, with_calendar: bool = True) -> int:
        today = day + dt.timedelta(days=30) if as_of else day
        s = scope(today, day if as_of else None, ZONE,
                  calendar=calendar if with_calendar else None)
        async with db.uow() as uow:
            found = await figures.compute(uow.session, s)
        return next(r.overdue for r in found.scoreboard
                    if r.agency == "Sở Khoa học và Công nghệ")

    friday, monday, tuesday = (dt.date(2023, 9, 29), dt.date(2023, 10, 2),
                               dt.date(2023, 10, 3))
    assert await overdue(monday) == await overdue(friday)
    assert await overdue(tuesday) == await overdue(monday) + 1
    # without a calendar of its own a report still counts Vietnam's working days
    assert await overdue(monday, with_calendar=False) == await overdue(monday)


async def test_csv_cells_that_a_spreadsheet_would_run_are_escaped(
        world: tuple[Handlers, Clock], db: Database, tmp_path: Path) -> None:
    bot, clock = world
    clock.day = dt.date(2023, 3, 1)
    i3 = assignment_code(await assignment_of(db, "I.3", STP))
    hostile = '=HYPERLINK("http://example.invalid/12/KH-STP","Bấm vào đây")'
    replies = await bot.handle(Incoming("telegram", "tp", f"{i3} xong {hostile}"))
    assert "chờ Sở Nội vụ xác nhận" in replies[0].text
    path = tmp_path / "bc.csv"
    async with db.uow() as uow:
        await build.write(uow.session, scope(dt.date(2023, 3, 1), None, ZONE), "csv", path,
                          ZONE)
    import csv

    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    cells = [cell for row in rows for cell in row]
    assert "'" + hostile in cells and hostile not in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@")]


async def test_the_workbook_opens_in_libreoffice_and_prints_one_page_wide(
        world: object, db: Database, tmp_path: Path) -> None:
    """Rendered by LibreOffice headless: the first page of Tiến độ is A4 landscape and holds
    every column, from STT to the last note (one page wide); a PNG of it is drawn too."""
    import shutil
    import subprocess

    import pdfplumber

    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice is not installed (.ci/run installs it)")
    path = tmp_path / "bao-cao.xlsx"
    async with db.uow() as uow:
        await build.write(uow.session, scope(dt.date(2023, 3, 31), None, ZONE), "xlsx", path,
                          ZONE)
    await asyncio.to_thread(subprocess.run, [
        office, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
        "--norestore", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180, env={
            "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"})
    with pdfplumber.open(tmp_path / "bao-cao.pdf") as pdf:
        first = next(page for page in pdf.pages if "STT" in (page.extract_text() or ""))
        assert first.width > first.height and abs(first.width - 842) < 5  # A4 landscape
        text = first.extract_text() or ""
        first.to_image(resolution=60).save(tmp_path / "trang-1.png")  # the page, drawn
    assert "STT" in text and "Nội dung" in text and "Lý do vướng mắc" in text, text[:500]
    assert "Tiến độ thực hiện" in text  # the title row prints on top
    png = (tmp_path / "trang-1.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width > height  # the landscape page, drawn


async def test_the_charts_legend_sits_beside_the_bars(world: object, db: Database) -> None:
    """The legend never covers the longest bar: it is drawn right of the plot area."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from reports import chart, figures

    async with db.uow() as uow:
        summary = (await figures.compute(uow.session, scope(dt.date(2023, 3, 31), None,
                                                            ZONE))).summary
    figure, axis = plt.subplots(figsize=(11, 5))
    try:
        chart._sections(axis, summary)
        figure.tight_layout()
        figure.canvas.draw()
        legend = axis.get_legend()
        assert legend is not None
        assert legend.get_window_extent().x0 >= axis.get_window_extent().x1
    finally:
        plt.close(figure)
