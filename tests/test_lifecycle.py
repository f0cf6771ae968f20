"""The task's life as focal points and Sở Nội vụ live it in the chat: confirmation and return,
refusal and reassignment, pause and resume, snooze — each step in the history and in the
report, on the real database."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.handlers import Handlers
from cli.main import app
from plan.agencies import Directory
from reports import figures
from reports.state import scope
from scheduler.policy import ReminderPolicy
from scheduler.sweep import Sweeper
from storage.models import Assignment, StatusReport
from storage.uow import Database
from tests.engine_helpers import assignment_of, contact, load_example
from tests.test_conversation import Chat
from tracking.calendar import WorkCalendar
from words.messages import assignment_code

KHCN, STP = "Sở Khoa học và Công nghệ", "Sở Tư pháp"
ZONE = dt.timezone(dt.timedelta(hours=7))
runner = CliRunner()


class Clock:
    def __init__(self, day: dt.date) -> None:
        self.day = day

    def today(self) -> dt.date:
        return self.day

    def now(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(9), ZONE).astimezone(dt.UTC)


@pytest.fixture
async def people(db: Database, example_path: Path, directory: Directory
                 ) -> tuple[Chat, Chat, Chat, Clock]:
    await load_example(db, example_path, directory)
    clock = Clock(dt.date(2023, 9, 25))
    bot = Handlers(db, clock.today, clock.now)
    await contact(db, KHCN, "lan", channel="telegram", name="Chị Lan")
    await contact(db, STP, "minh", channel="telegram", name="Anh Minh")
    await contact(db, None, "hoa", role="coordinator", channel="telegram", name="Chị Hoa")
    return (Chat(bot, "lan"), Chat(bot, "minh"), Chat(bot, "hoa"), clock)


async def _history(db: Database, assignment_id: int) -> list[tuple[str, str | None]]:
    async with db.uow() as uow:
        rows = await uow.session.execute(
            select(StatusReport.status, StatusReport.note)
            .where(StatusReport.assignment_id == assignment_id).order_by(StatusReport.id))
        return [(status, note) for status, note in rows]


async def _row(db: Database, assignment_id: int) -> Assignment:
    async with db.uow() as uow:
        return (await uow.session.execute(
            select(Assignment).where(Assignment.id == assignment_id))).scalar_one()


async def _category(db: Database, day: dt.date, agency: str) -> dict[str, int]:
    async with db.uow() as uow:
        found = await figures.compute(uow.session, scope(day, None, ZONE))
    return dict(next(c for name, c in found.summary.agencies if name == agency))


async def test_return_then_confirm_scores_the_day_it_was_reported(
        people: tuple[Chat, Chat, Chat, Clock], db: Database) -> None:
    lan, _, hoa, clock = people
    vii2 = await assignment_of(db, "VII.2", KHCN)  # due Saturday 30/09/2023
    code = assignment_code(vii2)
    assert "chờ Sở Nội vụ xác nhận" in await lan.say(f"{code} xong 15/QĐ-SKHCN")
    assert "không có báo hoàn thành" not in await hoa.say("/xacnhan")
    back = await hoa.say(f"/xacnhan {code} tralai thiếu phụ lục kèm theo")
    assert "Đã trả lại VII.2" in back
    assert (await _row(db, vii2)).status == "dang_thuc_hien"
    # a return by button asks for the reason first
    clock.day = dt.date(2023, 9, 29)
    await lan.say(f"{code} xong 15/QĐ-SKHCN (bổ sung phụ lục)")
    assert "vì sao trả lại" in await hoa.press(f"cr:{vii2}")
    assert "Đã trả lại" in await hoa.say("chưa có chữ ký")
    clock.day = dt.date(2023, 10, 2)  # Monday: the Saturday deadline runs to today
    await lan.say(f"{code} xong 15/QĐ-SKHCN bản ký")
    clock.day = dt.date(2023, 10, 5)
    assert "Đã xác nhận hoàn thành VII.2" in await hoa.press(f"ca:{vii2}")
    row = await _row(db, vii2)
    assert (row.status, row.done_on) == ("hoan_thanh", dt.date(2023, 10, 2))
    assert (await _category(db, dt.date(2023, 10, 5), KHCN)).get("hoan_thanh_dung_han") == 1
    notes = [note or "" for _, note in await _history(db, vii2)]
    assert any("trả lại: thiếu phụ lục" in n for n in notes)
    assert any("trả lại: chưa có chữ ký" in n for n in notes)
    assert notes[-1] == "Sở Nội vụ xác nhận hoàn thành"


async def test_a_focal_point_cannot_confirm_and_a_plan_can_do_without_confirmation(
        people: tuple[Chat, Chat, Chat, Clock], db: Database, db_url: str) -> None:
    lan, _, _, _ = people
    vii2 = await assignment_of(db, "VII.2", KHCN)
    await lan.say(f"{assignment_code(vii2)} xong")
    assert "dành cho cán bộ Sở Nội vụ" in await lan.press(f"ca:{vii2}")
    assert "dành cho cán bộ Sở Nội vụ" in await lan.say(f"/xacnhan {assignment_code(vii2)} dat")
    assert (await _row(db, vii2)).status == "cho_xac_nhan"
    off = await asyncio.to_thread(runner.invoke, app, ["plans", "confirmation",
                                                       "DEMO-272/KH-UBND", "off"],
                                  env={"NHACVIEC_DATABASE_URL": db_url})
    assert off.exit_code == 0 and "được ghi nhận ngay" in off.output, off.output
    bad = await asyncio.to_thread(runner.invoke, app, ["plans", "confirmation", "DEMO-272/KH-UBND",
                                                       "maybe"], env={"NHACVIEC_DATABASE_URL":
                                                                      db_url})
    assert bad.exit_code == 2 and "dùng on hoặc off" in bad.output
    vii1 = await assignment_of(db, "VII.1", KHCN)
    assert "Đã hoàn thành" in await lan.say(f"{assignment_code(vii1)} xong 3/KH-SKHCN")
    assert (await _row(db, vii1)).status == "hoan_thanh"


async def test_refusal_goes_to_coordinators_who_reassign_it_with_its_history(
        people: tuple[Chat, Chat, Chat, Clock], db: Database) -> None:
    lan, minh, hoa, _ = people
    vii2 = await assignment_of(db, "VII.2", KHCN)
    code = assignment_code(vii2)
    await lan.say(f"{code} dang 20% đã lấy ý kiến")
    await lan.press(f"m:{vii2}")
    labels = [b.label for reply in lan.last for row in reply.buttons for b in row]
    assert "Không thuộc thẩm quyền" in labels and "Nhắc lại sau 3 ngày" in labels
    assert "vì sao" in await lan.press(f"r:{vii2}")
    assert "Đã chuyển đề nghị trả lại VII.2" in await lan.say("việc này do Sở Tư pháp chủ trì")
    assert (await _row(db, vii2)).status == "tu_choi"
    waiting = await hoa.say("/xacnhan")
    assert "đề nghị trả lại" in waiting and "Sở Tư pháp chủ trì" in waiting
    refused = await _category(db, dt.date(2023, 9, 25), KHCN)
    assert sum(refused.values()) >= 1
    assert "Đã giao lại VII.2 từ Sở Khoa học và Công nghệ cho Sở Tư pháp" in await hoa.say(
        f"/giaolai {code} tư pháp")
    row = await _row(db, vii2)
    assert row.status == "dang_thuc_hien" and row.reassigned_from is not None
    # the new agency now has it, with a code its focal point can answer with
    assert f"#{code} VII.2" in await minh.say("/nhiemvu")
    assert "Đang thực hiện" in await minh.say(f"{code} dang 60%")
    assert f"#{code} không thuộc Sở Khoa học và Công nghệ" in await lan.say(f"{code} dang 90%")
    notes = [n or "" for _, n in await _history(db, vii2)]
    assert any("Không thuộc thẩm quyền" in n for n in notes)
    assert any("giao lại từ Sở Khoa học và Công nghệ cho Sở Tư pháp" in n for n in notes)


async def test_keeping_a_refused_assignment_returns_it_to_where_it_was(
        people: tuple[Chat, Chat, Chat, Clock], db: Database) -> None:
    lan, _, hoa, _ = people
    vii2 = await assignment_of(db, "VII.2", KHCN)
    code = assignment_code(vii2)
    await lan.say(f"{code} vuong chờ hướng dẫn")
    await lan.say(f"{code} khong thuoc tham quyen do Bộ KH&CN làm")
    assert "Đã giữ nguyên phân công VII.2" in await hoa.press(f"rk:{vii2}")
    assert (await _row(db, vii2)).status == "vuong_mac"
    assert "không có đề nghị trả lại" in await hoa.press(f"rk:{vii2}")


async def test_pause_stops_reminders_and_overdue_and_resumes_by_itself(
        people: tuple[Chat, Chat, Chat, Clock], db: Database) -> None:
    lan, _, hoa, clock = people
    vii2 = await assignment_of(db, "VII.2", KHCN)  # due 30/09/2023 → Monday 02/10
    assert "phải sau hôm nay" in await hoa.say("/tamdung VII.2 đến 20/09/2023")
    assert "không có thật" in await hoa.say("/tamdung VII.2 đến 31/09/2023")
    said = await hoa.say("/tamdung VII.2 đến 16/10/2023 chờ Bộ hướng dẫn")
    assert "Đã tạm dừng" in said and "16/10/2023" in said
    assert (await _row(db, vii2)).status == "tam_dung"
    calendar = WorkCalendar.vietnam([2023])
    sweeper = Sweeper(db, calendar, ReminderPolicy(), "test")
    preview = await sweeper.preview(dt.date(2023, 9, 25), dt.date(2023, 10, 13))
    assert not [r for r in preview if r.task == "VII.2"]
    assert (await _category(db, dt.date(2023, 10, 10), KHCN)).get("tam_dung", 0) >= 1
    clock.day = dt.date(2023, 10, 16)
    await sweeper.run(clock.day)  # the day's sweep lifts the pause first
    assert (await _row(db, vii2)).status == "chua_thuc_hien"
    assert (await _category(db, dt.date(2023, 10, 16), KHCN)).get("qua_han", 0) >= 1
    assert any("Hết thời gian tạm dừng" in (n or "") for _, n in await _history(db, vii2))
    # an indefinite pause of one assignment, lifted by hand
    assert "cho đến khi có lệnh /tieptuc" in await hoa.say(f"/tamdung {assignment_code(vii2)}")
    assert "Đã cho tiếp tục 1" in await hoa.say(f"/tieptuc {assignment_code(vii2)}")
    assert "dành cho cán bộ Sở Nội vụ" in await lan.say("/tamdung VII.2")


async def test_the_due_soon_threshold_is_a_setting(db: Database, example_path: Path,
                                                   directory: Directory) -> None:
    from cli.bootstrap import build
    from config.settings import load_settings

    await load_example(db, example_path, directory)
    await contact(db, None, "hoa", role="coordinator", channel="telegram")
    settings = load_settings(_env_file=None, database_url="sqlite+aiosqlite://",
                             today=dt.date(2023, 9, 18), due_soon_working_days=10)
    handlers = build(settings, db=db, channels={}).handlers
    soon = await Chat(handlers, "hoa").say("/sapden")
    assert "trong 10 ngày làm việc tới, đến 02/10/2023" in soon and "VII.2" in soon
    db.use_calendar(db.calendar)  # back to the default threshold for the rest of the test


async def test_snooze_moves_the_next_reminder_never_past_the_due_date(
        people: tuple[Chat, Chat, Chat, Clock], db: Database) -> None:
    lan, _, _, clock = people
    clock.day = dt.date(2023, 9, 18)
    vii2 = await assignment_of(db, "VII.2", KHCN)
    code = assignment_code(vii2)
    assert "Bot sẽ nhắc lại VII.2 vào 25/09/2023" in await lan.press(f"z7:{vii2}")
    assert (await _row(db, vii2)).snoozed_until == dt.date(2023, 9, 25)
    assert "sẽ nhắc lại VII.2 vào 21/09/2023" in await lan.say(f"{code} nhac lai sau 3 ngay")
    clock.day = dt.date(2023, 9, 28)
    assert "vào 30/09/2023 (ngày đến hạn)" in await lan.say(f"{code} nhac lai sau 5 ngay")
    clock.day = dt.date(2023, 9, 18)
    await lan.say(f"{code} nhac lai sau 3 ngay")
    assert "Chưa hiểu" in await lan.say(f"{code} nhac lai sau mai")
    calendar = WorkCalendar.vietnam([2023])
    sweeper = Sweeper(db, calendar, ReminderPolicy(days_before=(14, 7, 3, 1)), "test")
    days = {r.date for r in await sweeper.preview(dt.date(2023, 9, 18), dt.date(2023, 9, 29))
            if r.task == "VII.2" and r.agency == KHCN}
    assert dt.date(2023, 9, 21) in days and dt.date(2023, 9, 20) not in days
    clock.day = dt.date(2023, 10, 3)
    assert "không hoãn nhắc được" in await lan.say(f"{code} nhac lai sau 3 ngay")
    assert any("Nhắc lại vào 21/09/2023" in (n or "") for _, n in await _history(db, vii2))


async def test_a_focal_point_away_hands_reminders_to_a_colleague_until_back(
        people: tuple[Chat, Chat, Chat, Clock], db: Database) -> None:
    lan, _, hoa, _ = people
    await contact(db, KHCN, "binh", channel="telegram", name="Anh Bình")
    assert "Cách dùng" in await lan.say("/vangmat 20/09/2023")  # a day already gone
    assert "Cách dùng" in await lan.say("/vangmat 31/09/2023")
    unknown = await lan.say("/vangmat 10/10/2023 Chị Mai")
    assert "Không có đầu mối «Chị Mai»" in unknown and "Anh Bình" in unknown
    said = await lan.say("/vangmat 10/10/2023 binh")
    assert "vắng đến 10/10/2023" in said and "Anh Bình tiếp tục nhận" in said
    assert "dành cho đầu mối" in await hoa.say("/vangmat 10/10/2023")
    sweeper = Sweeper(db, WorkCalendar.vietnam([2023]), ReminderPolicy(), "test")
    rows = [r for r in await sweeper.preview(dt.date(2023, 9, 25), dt.date(2023, 10, 13))
            if r.task == "VII.2" and r.stage != "escalation"]
    before = {r.recipient for r in rows if r.date < dt.date(2023, 10, 10)}
    after = {r.recipient for r in rows if r.date >= dt.date(2023, 10, 10)}
    assert before == {"Anh Bình"} and after == {"Chị Lan", "Anh Bình"}
    assert "đã trở lại" in await lan.say("/vangmat huy")
    rows = await sweeper.preview(dt.date(2023, 9, 29), dt.date(2023, 9, 29))
    assert {r.recipient for r in rows if r.task == "VII.2"} == {"Chị Lan", "Anh Bình"}
