"""A whole province, not a pilot: a 2026 plan of a merged province fanned out to its 102
communes, onboarded in one step, escalated as one line per task, never misrouted to the
demo's agencies."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from bot.channels.recording import RecordingChannel
from bot.channels.telegram import TelegramChannel
from bot.handlers import Handlers
from cli.main import app
from fakes.telegram import FakeTelegram
from scheduler.policy import ReminderPolicy
from scheduler.sweep import Sweeper
from storage.models import Agency, Contact
from storage.uow import Database
from tests.engine_helpers import contact, dispatcher
from tests.receiving_helpers import polling, until
from tracking.calendar import WorkCalendar

PLAN = Path(__file__).parent / "samples" / "province-2026.txt"
CAL = WorkCalendar.vietnam(range(2025, 2028))
runner = CliRunner()


def nhacviec(db_url: str, *args: str, **env: str) -> Result:
    return runner.invoke(app, list(args), env={"NHACVIEC_DATABASE_URL": db_url,
                                               "NHACVIEC_TODAY": "2026-01-26", **env})


@dataclass
class Done:
    exit_code: int
    output: str


async def command(db_url: str, *args: str, **env: str) -> Done:
    """The real `nhacviec` in its own process, as the IT officer runs it beside a running
    bot (a test's event loop cannot host the CLI's own)."""
    environment = {**os.environ, "NHACVIEC_DATABASE_URL": db_url,
                   "NHACVIEC_TODAY": "2026-01-26", **env}
    done = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "cli.main", *args],
                                   capture_output=True, text=True, env=environment,
                                   cwd=Path(__file__).parent.parent, timeout=120)
    return Done(done.returncode, done.stdout + done.stderr)


@pytest.fixture
async def province(db_url: str, db: Database) -> str:
    """The database of a province whose 2026 plan was imported (its directory chosen from
    the issuer: an-giang-2025, built from the 2025 commune list)."""
    result = await command(db_url, "import", str(PLAN))
    assert result.exit_code == 0, result.output
    assert "an-giang-2025" in result.output
    return db_url


@pytest.fixture
async def telegram_bot(db: Database, telegram: tuple[FakeTelegram, str]
                       ) -> AsyncIterator[FakeTelegram]:
    fake, url = telegram
    channel = TelegramChannel(fake.token, url)
    await channel.start()
    try:
        async with polling(Handlers(db, lambda: dt.date(2026, 1, 26)), telegram=channel):
            yield fake
    finally:
        await channel.close()


async def test_invite_all_writes_one_row_per_lead_agency_and_every_code_enrols_it(
        province: str, db: Database, telegram_bot: FakeTelegram,
        telegram: tuple[FakeTelegram, str], tmp_path: Path) -> None:
    fake, url = telegram
    sheet = tmp_path / "moi.xlsx"
    result = await command(province, "invite", "--all", "-o", str(sheet),
                      NHACVIEC_TELEGRAM_BOT_TOKEN=fake.token,
                      NHACVIEC_TELEGRAM_API_BASE_URL=url)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(sheet)
    rows = [row for row in book["Mã mời"].iter_rows(min_row=3, values_only=True) if row[0]]
    agencies = [row[1] for row in rows]
    assert len(agencies) == len(set(agencies)) == 118  # 14 provincial bodies + 102 communes …
    assert {"UBND phường Long Xuyên", "UBND đặc khu Phú Quốc", "Sở Tư pháp"} <= set(agencies)
    assert "Sở Nội vụ" in agencies  # it leads tasks of its own (IV.1, V.1 …)
    assert "Đã tạo 118 mã mời" in result.output
    for _, _agency, code, _qr, link, zalo, _ in rows[:3]:
        assert link.replace("\n", "") == f"https://t.me/nhacviec_test_bot?start={code}"
        assert zalo == f"/start {code}"
        assert not set(code) & set("01ilo")  # no look-alikes on a printed sheet
    assert len(book["Mã mời"]._images) == 118  # a QR code per row

    again = await command(province, "invite", "--all")
    assert "118 cơ quan đã có mã mời còn hạn" in again.output

    for chat, (_, _agency, code, *_rest) in enumerate(rows, 3001):
        fake.user_message(chat, f"/start {code}", name=f"Đầu mối {chat}")
    await until(lambda: all(fake.replies_to(chat) for chat in range(3001, 3001 + len(rows))),
                seconds=60)
    async with db.uow() as uow:
        bound = dict((await uow.session.execute(
            select(Contact.chat_id, Agency.name).join(Agency, Agency.id == Contact.agency_id)
            .where(Agency.directory == "an-giang-2025"))).all())
    assert bound == {str(chat): row[1] for chat, row in enumerate(rows, 3001)}
    done = await command(province, "invite", "--all")
    assert "Mọi cơ quan chủ trì đã có đầu mối" in done.output


async def test_an_escalation_names_a_commune_led_task_once_with_its_counts(
        province: str, db: Database) -> None:
    coordinator = await contact(db, None, "9001", role="coordinator")
    assert coordinator
    # III.3 (due 31/12/2026) is led by the 102 communes; on 11/01/2027 it has been overdue
    # for the escalation's 7 days for every one of them
    day = dt.date(2027, 1, 7)
    now = dt.datetime(2027, 1, 7, 1, 0, tzinfo=dt.UTC)
    await Sweeper(db, CAL, ReminderPolicy(), "test", now=lambda: now).run(day)
    channel = RecordingChannel()
    await dispatcher(db, channel, day, [now]).drain()
    [text] = [text for chat, text in channel.sent if chat == "9001"]
    assert text.count("III.3") == 2  # the line and its "/chitiet III.3"
    line = next(row for row in text.splitlines() if row.startswith("• III.3"))
    assert "0/102 cơ quan đã hoàn thành, 102 quá hạn" in line
    assert "và 99 cơ quan khác. Chi tiết: /chitiet III.3" in line
    assert len(text) < 4096  # one Telegram message


async def test_the_demo_gives_way_and_a_name_binds_to_the_real_plans_agency(
        db_url: str, db: Database, telegram_bot: FakeTelegram,
        telegram: tuple[FakeTelegram, str]) -> None:
    for args in (("demo",), ("import", str(PLAN))):
        result = await command(db_url, *args)
        assert result.exit_code == 0, result.output
    assert "Đã gỡ kế hoạch ví dụ DEMO-272/KH-UBND" in result.output
    plans = (await command(db_url, "plans")).output
    assert "DEMO" not in plans and "41/KH-UBND" in plans

    invite = await command(db_url, "invite", "Sở Tư pháp")
    assert invite.exit_code == 0, invite.output
    code = invite.output.split("/start ")[1].split()[0]
    fake, _ = telegram
    fake.user_message(4001, f"/start {code}", name="Chị Hoa")
    await until(lambda: fake.replies_to(4001))
    fake.user_message(4001, "/nhiemvu")
    tasks = await until(lambda: next((t for t in fake.replies_to(4001) if "II.1" in t), None))
    assert "Rà soát, hệ thống hóa văn bản" in tasks and "2023" not in tasks
    async with db.uow() as uow:
        directory = (await uow.session.execute(
            select(Agency.directory).join(Contact, Contact.agency_id == Agency.id)
            .where(Contact.chat_id == "4001"))).scalar_one()
    assert directory == "an-giang-2025"


def test_a_name_in_two_active_plans_directories_is_asked_about_not_guessed(
        db_url: str, example_path: Path) -> None:
    for args in (("db", "upgrade"), ("import", str(example_path), "--code", "272/KH-UBND"),
                 ("import", str(PLAN))):
        result = nhacviec(db_url, *args)
        assert result.exit_code == 0, result.output
    asked = nhacviec(db_url, "invite", "Sở Tư pháp")
    assert asked.exit_code == 2
    assert "1) Sở Tư pháp @kien-giang-2023; 2) Sở Tư pháp @an-giang-2025" in asked.output
    chosen = nhacviec(db_url, "invite", "Sở Tư pháp @an-giang-2025")
    assert chosen.exit_code == 0 and "Mã mời cho Sở Tư pháp" in chosen.output
    added = nhacviec(db_url, "contacts", "add", "Sở Tư pháp", "--chat-id", "77")
    assert added.exit_code == 2 and "@an-giang-2025" in added.output


def test_two_plans_of_two_directories_report_side_by_side(db_url: str, example_path: Path
                                                          ) -> None:
    """An old plan of a merged province beside the new province's plan: both name "Sở Tư
    pháp" (two directories). The report crashed (TypeError comparing their counts)."""
    for args in (("db", "upgrade"), ("import", str(example_path), "--code", "272/KH-UBND"),
                 ("import", str(PLAN))):
        result = nhacviec(db_url, *args)
        assert result.exit_code == 0, result.output
    report = nhacviec(db_url, "report", "--format", "md")
    assert report.exit_code == 0, report.output
    assert "Sở Tư pháp (kien-giang-2023)" in report.output
    assert "Sở Tư pháp (an-giang-2025)" in report.output
    assert "và 1" in report.output.split("chưa có đầu mối: ")[1]  # counted, not 200 names


async def test_the_summary_counts_tasks_and_assignments_of_a_section_apart(
        province: str, db: Database) -> None:
    """A section of 5 tasks, three of them led by every department and commune, read "0/144"
    (assignments only) before."""
    from bot.types import Incoming

    bot = Handlers(db, lambda: dt.date(2026, 3, 2), admin_ids={"telegram:9001"})
    [reply] = await bot.handle(Incoming("telegram", "9001", "/tonghop", "Sở Nội vụ"))
    line = next(row for row in reply.text.splitlines() if "CÔNG TÁC CHỈ ĐẠO" in row)
    assert ": 0/5 nhiệm vụ · 0/" in line and " phân công" in line
    sections = [row for row in reply.text.splitlines() if row.startswith("• ") and "nhiệm vụ ·"
                in row]
    assert len(sections) == 7


def test_contacts_import_links_a_provinces_list_or_stores_nothing(
        province_sync: str, tmp_path: Path) -> None:
    import openpyxl

    def sheet(rows: list[list[object]]) -> Path:
        book = openpyxl.Workbook()
        book.active.append(["DANH SÁCH ĐẦU MỐI CCHC"])
        book.active.append(["STT", "Cơ quan", "Họ tên", "Nền tảng", "Mã chat", "Số điện thoại"])
        for row in rows:
            book.active.append(row)
        path = tmp_path / "dau-moi.xlsx"
        book.save(path)
        return path

    good = [[1, "Sở Tư pháp", "Nguyễn Thị Hoa", "Telegram", 700001, ""],
            [2, "UBND phường Long Xuyên", "Trần Văn Bình", "Zalo", "z-binh", ""],
            [3, "UBND xã Mỹ Hòa Hưng", "Lê Thị Cúc", "zalo", "", "0912 345 678"]]
    bad = [*good, [4, "Sở Ma Thuật", "Ai đó", "telegram", 700004, ""],
           [5, "Sở Tài chính", "Phạm An", "viber", 700005, ""],
           [6, "Sở Y tế", "Võ Hạnh", "telegram", "abc", ""]]
    refused = nhacviec(province_sync, "contacts", "import", str(sheet(bad)))
    assert refused.exit_code == 2
    for problem in ("dòng 6: không có cơ quan «Sở Ma Thuật»", "dòng 7: nền tảng «viber»",
                    "dòng 8: mã chat Telegram «abc» phải là số", "3 dòng sai: không liên kết ai"):
        assert problem in refused.output, refused.output
    assert "Chưa có liên hệ nào." in nhacviec(province_sync, "contacts").output

    tried = nhacviec(province_sync, "contacts", "import", str(sheet(good)), "--dry-run")
    assert tried.exit_code == 0 and "Sẽ liên kết 3 đầu mối" in tried.output
    assert "Chưa có liên hệ nào." in nhacviec(province_sync, "contacts").output

    done = nhacviec(province_sync, "contacts", "import", str(sheet(good)))
    assert done.exit_code == 0 and "Đã liên kết 3 đầu mối" in done.output, done.output
    assert "gửi «/start " in done.output  # the phone-only row: an invite to send
    listed = nhacviec(province_sync, "contacts").output
    assert "Sở Tư pháp\ttelegram:700001\tNguyễn Thị Hoa" in listed
    assert "UBND phường Long Xuyên\tzalo:z-binh\tTrần Văn Bình" in listed
    again = nhacviec(province_sync, "contacts", "import", str(sheet(good)))
    assert again.exit_code == 2 and "đã được liên kết" in again.output


@pytest.fixture
def province_sync(db_url: str) -> str:
    for args in (("db", "upgrade"), ("import", str(PLAN))):
        result = nhacviec(db_url, *args)
        assert result.exit_code == 0, result.output
    return db_url


async def test_the_workbook_shows_the_current_occurrence_the_new_lead_and_real_history(
        province: str, db: Database, tmp_path: Path) -> None:
    """A monthly duty done and confirmed showed the closed occurrence's 100 % and document
    beside "Trong hạn"; a reassigned task showed the plan's lead; Lịch sử was mostly the
    automatic rolls of recurring duties."""
    import openpyxl

    from reports import build
    from reports.state import scope
    from tests.engine_helpers import assignment_of
    from tests.test_conversation import Chat
    from words.messages import assignment_code

    day = dt.date(2026, 1, 26)
    bot = Handlers(db, lambda: day, admin_ids={"telegram:9001"})
    await contact(db, "Sở Tài chính", "501", channel="telegram")
    await contact(db, "Sở Tư pháp", "502", channel="telegram")
    vi2 = assignment_code(await assignment_of(db, "VI.2", "Sở Tài chính"))  # monthly, 20th
    finance, snv = Chat(bot, "501"), Chat(bot, "9001")
    assert "chờ Sở Nội vụ xác nhận" in await finance.say(f"{vi2} xong 03/BC-STC")
    assert "Đã xác nhận" in await snv.say(f"/xacnhan {vi2} dat")
    ii1 = assignment_code(await assignment_of(db, "II.1", "Sở Tư pháp"))
    moved = await snv.say(f"/giaolai {ii1} Văn phòng UBND tỉnh")
    assert "Văn phòng UBND tỉnh" in moved, moved
    path = tmp_path / "bc.xlsx"
    async with db.uow() as uow:
        await build.write(uow.session, scope(day, None, dt.timezone(dt.timedelta(hours=7))),
                          "xlsx", path, dt.timezone(dt.timedelta(hours=7)))
    book = openpyxl.load_workbook(path)
    rows = {row[0]: row for row in book["Tiến độ"].iter_rows(min_row=3, values_only=True)
            if row[0]}
    assert rows["VI.2"][8].startswith("Trong hạn") and rows["VI.2"][9] is None
    assert rows["VI.2"][10] is None  # the closed occurrence's document is in Lịch sử
    assert rows["II.1"][3].startswith("Văn phòng UBND tỉnh (Sở Nội vụ giao lại")
    history = [row for row in book["Lịch sử"].iter_rows(min_row=3, values_only=True) if row[0]]
    assert {row[3] for row in history} == {"VI.2", "II.1"}
    assert any(row[10] == "03/BC-STC" for row in history)
    assert all(row[5] for row in history)  # every row is somebody's answer or decision


def test_a_report_as_of_an_earlier_day_leaves_out_tasks_added_later(
        province_sync: str, tmp_path: Path) -> None:
    """A task added by a re-import on 02/03/2026 is not in the plan as of 01/03/2026."""
    added = PLAN.read_text(encoding="utf-8") + (
        "8\tLập danh mục dữ liệu dùng chung\tDanh mục\tSở Khoa học và Công nghệ\t\t"
        "Quý II/2026\n")
    later = tmp_path / "plan-v2.txt"
    later.write_text(added, encoding="utf-8")
    again = nhacviec(province_sync, "import", str(later), NHACVIEC_TODAY="2026-03-02")
    assert again.exit_code == 0 and "thêm 1" in again.output, again.output

    def total(day: str) -> int:
        done = nhacviec(province_sync, "report", "--format", "md", "--as-of", day,
                        NHACVIEC_TODAY="2026-03-10")
        assert done.exit_code == 0, done.output
        return int(done.output.split("Tổng số phân công chủ trì: **")[1].split("**")[0])

    assert total("02/03/2026") == total("01/03/2026") + 1


def test_an_invite_is_made_while_telegram_is_unreachable(province_sync: str) -> None:
    """Asking Telegram for the bot's name raised through `invite` when it was down: the
    code is made all the same, the deep link left out, and the warning says why."""
    from fakes.server import free_port

    done = nhacviec(province_sync, "invite", "Sở Tư pháp",
                    NHACVIEC_TELEGRAM_BOT_TOKEN="1:abcdefghijklmnopqrstuvwxyzABCDEFGH",
                    NHACVIEC_TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{free_port()}/bot")
    assert done.exit_code == 0, done.output
    assert "/start " in done.output and "t.me/" not in done.output
    assert "không kết nối được máy chủ của nền tảng" in done.output
