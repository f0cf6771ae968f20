"""From plan to a Telegram chat: `nhacviec remind` sends through python-telegram-bot to the fake."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from cli.main import app
from fakes.telegram import FakeTelegram
from plan.agencies import Directory
from storage.models import Contact, OutboxMessage
from storage.uow import Database
from tests.engine_helpers import contact, load_example

KHCN = "Sở Khoa học và Công nghệ"


async def remind(db_url: str, telegram: tuple[FakeTelegram, str], day: str) -> str:
    """Run the real CLI (in a thread: it owns its own event loop, as in production)."""
    fake, url = telegram
    result = await asyncio.to_thread(CliRunner().invoke, app, ["remind", "--today", day], env={
        "NHACVIEC_DATABASE_URL": db_url, "NHACVIEC_TELEGRAM_BOT_TOKEN": fake.token,
        "NHACVIEC_TELEGRAM_API_BASE_URL": url, "NHACVIEC_SEND_RETRY_BASE_SECONDS": "0.05"})
    assert result.exit_code == 0, result.output
    return result.output


async def test_reminder_reaches_the_focal_point_on_telegram(
        db: Database, db_url: str, telegram: tuple[FakeTelegram, str], example_path: Path,
        directory: Directory) -> None:
    await load_example(db, example_path, directory)
    await contact(db, KHCN, "1001", channel="telegram", name="Chị Lan")
    output = await remind(db_url, telegram, "2023-09-29")
    assert "Đợt nhắc ngày 29/09/2023: 1 nhắc việc, 1 tin nhắn." in output
    assert "Lần này đã gửi 1 tin. Hộp thư đi không còn tin nào chờ." in output
    [sent] = telegram[0].sent(1001)
    assert sent["text"].startswith("Nhắc việc CCHC — 29/09/2023")
    assert "VII.2" in sent["text"]
    again = await remind(db_url, telegram, "29/09/2023")  # the day as people write it
    assert "Đợt nhắc ngày 29/09/2023 đã chạy trước đó" in again
    assert "Lần này đã gửi 0 tin." in again and len(telegram[0].sent(1001)) == 1
    earlier = await remind(db_url, telegram, "2023-09-27")  # only a later day ran
    assert ("Ngày 27/09/2023 không chạy: các đợt nhắc đã chạy đến ngày 29/09/2023"
            in earlier), earlier
    assert "sent" not in earlier


async def test_blocked_chat_is_marked_unreachable_and_coordinator_told(
        db: Database, db_url: str, telegram: tuple[FakeTelegram, str], example_path: Path,
        directory: Directory) -> None:
    await load_example(db, example_path, directory)
    focal = await contact(db, KHCN, "1001", channel="telegram", name="Chị Lan")
    await contact(db, None, "9001", role="coordinator", channel="telegram", name="Sở Nội vụ")
    telegram[0].blocked.add(1001)
    await remind(db_url, telegram, "2023-09-29")
    async with db.uow() as uow:
        reachable, reason = (await uow.session.execute(
            select(Contact.reachable, Contact.unreachable_reason)
            .where(Contact.id == focal))).one()
        states = list((await uow.session.execute(
            select(OutboxMessage.state).where(OutboxMessage.contact_id == focal))).scalars())
    assert (reachable, states) == (False, ["dead"])
    assert "blocked" in (reason or "")
    sendings = [c for c in telegram[0].calls if c.method == "sendmessage"
                and int(c.params["chat_id"]) == 1001]
    assert len(sendings) == 1  # never retried
    [notice] = telegram[0].sent(9001)
    assert "Không gửi được nhắc việc cho Chị Lan" in notice["text"]


async def test_flood_refusal_is_waited_out_and_sent_once(
        db: Database, db_url: str, telegram: tuple[FakeTelegram, str], example_path: Path,
        directory: Directory) -> None:
    from fakes.telegram import Fault

    await load_example(db, example_path, directory)
    await contact(db, KHCN, "1001", channel="telegram")
    telegram[0].arm(Fault("sendMessage", times=1, retry_after=1))
    await remind(db_url, telegram, "2023-09-29")
    attempts = [c.status for c in telegram[0].calls if c.method == "sendmessage"]
    assert attempts == [429, 200]
    assert len(telegram[0].sent(1001)) == 1


async def test_server_error_is_retried_with_backoff_then_delivered(
        db: Database, db_url: str, telegram: tuple[FakeTelegram, str], example_path: Path,
        directory: Directory) -> None:
    from fakes.telegram import Fault

    await load_example(db, example_path, directory)
    await contact(db, KHCN, "1001", channel="telegram")
    telegram[0].arm(Fault("sendMessage", times=2, status=502, description="Bad Gateway"))
    await remind(db_url, telegram, "2023-09-29")
    attempts = [c.status for c in telegram[0].calls if c.method == "sendmessage"]
    assert attempts == [502, 502, 200]
    assert len(telegram[0].sent(1001)) == 1
