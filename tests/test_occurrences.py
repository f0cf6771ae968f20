"""Recurring duties are owed period by period: each occurrence has its own due date,
reminders, answers and score; done opens the next, a missed one makes way for the next."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.handlers import Handlers
from cli.main import app
from reports import figures
from reports.state import scope
from scheduler.policy import ReminderPolicy
from scheduler.sweep import Sweeper
from storage.models import Assignment, StatusReport, Task
from storage.uow import Database
from tests.engine_helpers import assignment_of, contact
from tests.test_conversation import Chat
from tracking.calendar import WorkCalendar
from tracking.occurrences import Recurrence
from words.messages import assignment_code

D = dt.date
SAMPLE = Path(__file__).parent / "samples" / "pipe-table-2026.md"  # An Giang, 2026
VP, SNV = "Văn phòng UBND tỉnh", "Sở Nội vụ"
ZONE = dt.timezone(dt.timedelta(hours=7))
runner = CliRunner()


MONTHLY_20 = Recurrence("monthly", ((0, 20),))


@pytest.mark.parametrize(("recurrence", "today", "first", "second"), [
    (MONTHLY_20, D(2026, 2, 5), D(2026, 2, 20), D(2026, 3, 20)),
    (MONTHLY_20, D(2026, 2, 21), D(2026, 3, 20), D(2026, 4, 20)),
    (Recurrence("monthly"), D(2026, 2, 5), D(2026, 2, 28), D(2026, 3, 31)),
    (Recurrence("quarterly", ((3, 20),)), D(2026, 2, 5), D(2026, 3, 20), D(2026, 6, 20)),
    (Recurrence("yearly", ((11, 15),)), D(2026, 2, 5), D(2026, 11, 15), D(2027, 11, 15)),
    (Recurrence("twice_yearly", ((6, 1), (11, 15))), D(2026, 2, 5), D(2026, 6, 1),
     D(2026, 11, 15)),
    (Recurrence("half_yearly"), D(2026, 7, 1), D(2026, 12, 31), D(2027, 6, 30)),
])
def test_each_period_is_an_occurrence_with_its_own_day(
        recurrence: Recurrence, today: dt.date, first: dt.date, second: dt.date) -> None:
    assert recurrence.first_due(None, today) == first
    assert recurrence.next_due(first) == second


def test_an_occurrence_stays_until_the_next_ones_reminders_begin() -> None:
    assert MONTHLY_20.current_on(D(2026, 2, 20), D(2026, 3, 5), 14) == D(2026, 2, 20)
    assert MONTHLY_20.current_on(D(2026, 2, 20), D(2026, 3, 6), 14) == D(2026, 3, 20)
    assert MONTHLY_20.missed_between(D(2026, 2, 20), D(2026, 4, 10), 14) == [
        D(2026, 2, 20), D(2026, 3, 20)]
    assert Recurrence("continuous").first_due(None, D(2026, 2, 5)) is None
    assert MONTHLY_20.first_due(D(2026, 7, 1), D(2026, 2, 5)) == D(2026, 7, 20)


def _cli(db_url: str, *args: str, today: str) -> str:
    done = runner.invoke(app, list(args), env={"NHACVIEC_DATABASE_URL": db_url,
                                               "NHACVIEC_TODAY": today})
    assert done.exit_code == 0, done.output
    return done.output


@pytest.fixture
def imported(db_url: str) -> str:
    _cli(db_url, "db", "upgrade", today="2026-02-05")
    _cli(db_url, "import", str(SAMPLE), today="2026-02-05")
    return db_url


async def test_dry_run_shows_each_occurrence_on_its_own_days(imported: str, db: Database
                                                             ) -> None:
    await contact(db, VP, "vp")
    await contact(db, SNV, "snv-focal")
    out = await asyncio.to_thread(_cli, imported, "remind", "--dry-run", "--today",
                                  "2026-02-05", "--until", "2026-12-31", "--json",
                                  today="2026-02-05")
    rows = json.loads(out[out.index("["):])
    monthly = {(r["date"], r["stage"], r["due_date"]) for r in rows if r["task"] == "II.1"}
    dues = {due for _, _, due in monthly}
    assert {"2026-02-20", "2026-03-20", "2026-04-20", "2026-12-20"} <= dues
    assert ("2026-03-06", "before", "2026-03-20") in monthly  # 14 days before, its own due
    assert ("2026-03-20", "due", "2026-03-20") in monthly
    yearly = {(r["date"], r["stage"]) for r in rows if r["task"] == "III.2"}
    assert ("2026-11-13", "due") in yearly or ("2026-11-15", "due") in yearly  # Sun → Fri
    ongoing = {r["stage"] for r in rows if r["task"] == "III.1"}  # "Từ 01/7/2026"
    assert ongoing == {"checkin"}


async def test_done_opens_the_next_and_a_missed_one_is_scored_overdue(
        imported: str, db: Database) -> None:
    await contact(db, VP, "vp", channel="telegram")
    await contact(db, None, "hoa", role="coordinator", channel="telegram")
    clock = [D(2026, 2, 18)]
    bot = Handlers(db, lambda: clock[0], lambda: dt.datetime.combine(
        clock[0], dt.time(9), ZONE).astimezone(dt.UTC))
    vp, hoa = Chat(bot, "vp"), Chat(bot, "hoa")
    duty = await assignment_of(db, "II.1", VP)
    code = assignment_code(duty)

    async def row() -> Assignment:
        async with db.uow() as uow:
            return (await uow.session.execute(
                select(Assignment).where(Assignment.id == duty))).scalar_one()

    assert (await row()).cycle_due == D(2026, 2, 20)
    assert "chờ Sở Nội vụ xác nhận" in await vp.say(f"{code} xong Quyết định 12/QĐ-UBND")
    clock[0] = D(2026, 2, 23)
    assert "Đã xác nhận hoàn thành II.1" in await hoa.say(f"/xacnhan {code} dat")
    current = await row()
    assert (current.cycle_due, current.status) == (D(2026, 3, 20), "chua_thuc_hien")
    assert "Hạn: 20/03/2026" in await vp.say("/nhiemvu")
    # March is never reported: on 06/04 (14 days before 20/04) it is closed as missed
    sweeper = Sweeper(db, WorkCalendar.vietnam([2026]), ReminderPolicy(), "test")
    await sweeper.run(D(2026, 4, 3))
    assert (await row()).cycle_due == D(2026, 3, 20)  # still owed, reminded as overdue
    await sweeper.run(D(2026, 4, 6))
    assert (await row()).cycle_due == D(2026, 4, 20)
    async with db.uow() as uow:
        notes = [n for n, in (await uow.session.execute(
            select(StatusReport.note).where(StatusReport.assignment_id == duty)
            .order_by(StatusReport.id))).all()]
        found = await figures.compute(uow.session, scope(D(2026, 4, 6), None, ZONE))
    assert "Kỳ hạn 20/02/2026 đã xong; kỳ mới hạn 20/03/2026" in notes
    assert "Kỳ hạn 20/03/2026 không có báo cáo hoàn thành; kỳ mới hạn 20/04/2026" in notes
    board = next(r for r in found.scoreboard if r.agency == VP)
    assert (board.on_time, board.overdue) >= (1, 1)  # February on time, March missed
    async with db.uow() as uow:
        kind = (await uow.session.execute(select(Task.deadline_kind).where(
            Task.ref == "II.1"))).scalar_one()
    assert kind == "recurring"
