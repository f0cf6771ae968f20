"""The whole loop on Telegram: python-telegram-bot's Application, polling the fake Bot API."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.channels.telegram import TelegramChannel
from bot.handlers import Handlers
from fakes.telegram import FakeTelegram
from plan.agencies import Directory
from scheduler.dispatch import Dispatcher, RateLimits
from storage import invites
from storage.models import StatusReport
from storage.uow import Database
from tests.engine_helpers import load_example, sweeper
from tests.receiving_helpers import polling, until, webhooks

KHCN = "Sở Khoa học và Công nghệ"
DAY = dt.date(2023, 9, 29)


def last_reply(fake: FakeTelegram, chat: int, containing: str) -> Callable[[], str | None]:
    return lambda: next((t for t in reversed(fake.replies_to(chat)) if containing in t), None)


@pytest.fixture
async def running(db: Database, telegram: tuple[FakeTelegram, str], example_path: Path,
                  directory: Directory) -> AsyncIterator[Handlers]:
    await load_example(db, example_path, directory)
    fake, url = telegram
    handlers = Handlers(db, lambda: DAY, admin_ids={"telegram:9001"})
    channel = TelegramChannel(fake.token, url)
    await channel.start()
    try:
        async with polling(handlers, telegram=channel):
            yield handlers
    finally:
        await channel.close()


async def test_enroll_remind_answer_with_evidence_and_summary(
        running: Handlers, db: Database, telegram: tuple[FakeTelegram, str]) -> None:
    fake, url = telegram
    async with db.uow() as uow:
        code, _ = await invites.create(uow.session, KHCN, "focal", "test", dt.timedelta(days=7),
                                       dt.datetime.now(dt.UTC))
        await uow.commit()
    fake.user_message(1001, f"/start {code}", name="Lan")
    welcome = await until(last_reply(fake, 1001, "đầu mối của"))
    assert KHCN in welcome

    await sweeper(db).run(DAY)
    channel = TelegramChannel(fake.token, url)
    await channel.start()
    await Dispatcher(db, {"telegram": channel}, {"telegram": RateLimits(30, 1)}, lambda: DAY,
                     "test").drain(patience=5)  # the welcome used the chat's burst: 429 first
    await channel.close()
    reminder = next(m for m in fake.sent(1001) if m["text"].startswith("Nhắc việc CCHC"))
    assert "VII.2" in reminder["text"] and "Đến hạn: hạn 30/09/2023" in reminder["text"]
    keyboard = reminder["reply_markup"]["inline_keyboard"]
    labels = [[b["text"] for b in row] for row in keyboard]  # one assignment: its answers
    assert labels == [["Đang thực hiện", "Đã hoàn thành"], ["Gặp vướng mắc", "Xin gia hạn"],
                      ["Khác…"]]
    done = keyboard[0][1]["callback_data"]

    fake.button_press(1001, done)
    assert "đã báo hoàn thành, chờ Sở Nội vụ xác nhận" in await until(
        last_reply(fake, 1001, "Đã ghi nhận VII.2"))
    assert any(c.method == "answercallbackquery" and c.status == 200 for c in fake.calls)
    fake.user_message(1001, "15/QĐ-SKHCN ngày 22/09/2023")
    await until(last_reply(fake, 1001, "Đã lưu số, ngày văn bản"))
    fake.user_message(1001, "bản ký", document=("qd-15.pdf", b"%PDF-1.4 ..."))
    await until(last_reply(fake, 1001, "Đã lưu tệp minh chứng"))
    async with db.uow() as uow:
        files = [f for f in (await uow.session.execute(select(StatusReport.file))).scalars() if f]
    assert files[0]["name"] == "qd-15.pdf" and files[0]["url"] == "documents/qd-15.pdf"
    assert fake.token not in str(files)  # the download URL (with the token) is never stored

    fake.user_message(9001, "/tonghop")
    summary = await until(last_reply(fake, 9001, "Tổng hợp đến"))
    assert "• Chờ xác nhận: 1" in summary  # the assigning office has the last word


async def test_stranger_is_refused_and_nothing_is_stored(
        running: Handlers, db: Database, telegram: tuple[FakeTelegram, str]) -> None:
    fake, _ = telegram
    fake.user_message(666, "/tonghop")
    assert await until(last_reply(fake, 666, "chưa được đăng ký"))
    fake.button_press(666, "d:1")
    await until(lambda: len(fake.replies_to(666)) == 2)
    async with db.uow() as uow:
        assert not (await uow.session.execute(select(StatusReport.id))).first()


@contextlib.asynccontextmanager
async def webhook_client(db: Database, telegram: tuple[FakeTelegram, str]
                         ) -> AsyncIterator[Any]:
    """An HTTP client on the webhook app (secret s3cret_TOKEN-1), with python-telegram-bot's
    Bot talking to the fake server; `http.settled()` waits for the replies."""
    fake, url = telegram
    handlers = Handlers(db, lambda: DAY, admin_ids={"telegram:9001"})
    channel = TelegramChannel(fake.token, url)
    await channel.start()
    try:
        async with webhooks(handlers, "s3cret_TOKEN-1", telegram=channel) as (http, receiver):
            http.settled = receiver.settled  # type: ignore[attr-defined]
            yield http
    finally:
        await channel.close()


async def test_telegram_webhook_checks_the_secret_before_anything(
        db: Database, telegram: tuple[FakeTelegram, str], example_path: Path,
        directory: Directory) -> None:
    await load_example(db, example_path, directory)
    fake, _ = telegram
    update = {"update_id": 1, "message": {
        "message_id": 5, "date": 1700000000, "text": "/tonghop",
        "entities": [{"type": "bot_command", "offset": 0, "length": 8}],
        "chat": {"id": 9001, "type": "private"},
        "from": {"id": 9001, "is_bot": False, "first_name": "Minh"}}}
    async with webhook_client(db, telegram) as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
            forged = await http.post("/telegram/webhook", json=update, headers=headers)
            assert forged.status_code == 403
        assert fake.sent(9001) == []
        ok = await http.post("/telegram/webhook", json=update,
                             headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret_TOKEN-1"})
        assert ok.status_code == 200
        await http.settled()
    assert "Tổng hợp đến" in fake.sent(9001)[0]["text"]


async def test_coordinator_gets_the_workbook_and_the_chart_as_files(
        running: Handlers, telegram: tuple[FakeTelegram, str], tmp_path: Path) -> None:
    fake, _ = telegram
    fake.user_message(9001, "/xuatbaocao")  # 9001 is the bootstrap admin
    await until(lambda: [u for u in fake.uploads if u[1] == "document"], seconds=30)
    chat, _, name, data, caption = next(u for u in fake.uploads if u[1] == "document")
    assert (chat, name) == (9001, "bao-cao-cchc-2023-09-29.xlsx")
    assert "29/09/2023" in caption
    (tmp_path / name).write_bytes(data)
    from openpyxl import load_workbook

    assert load_workbook(tmp_path / name).sheetnames == [
        "Tổng hợp", "Tiến độ", "Chi tiết nhiệm vụ", "Theo cơ quan", "Xếp hạng cơ quan",
        "Lịch sử"]
    fake.user_message(9001, "/bieudo 31/03/2023")
    photo = await until(lambda: [u for u in fake.uploads if u[1] == "photo"], seconds=30)
    assert photo[0][3].startswith(b"\x89PNG") and "31/03/2023" in photo[0][4]
    fake.user_message(9001, "/xuatbaocao 31-03-2023")
    assert "dd/mm/yyyy" in await until(last_reply(fake, 9001, "không đúng dạng"))
    fake.user_message(1234, "/xuatbaocao")  # a stranger gets nothing but a refusal
    await until(last_reply(fake, 1234, "chưa được đăng ký"))
    assert all(u[0] != 1234 for u in fake.uploads)


async def test_telegram_webhook_refuses_non_updates_and_oversized_bodies_with_4xx(
        db: Database, telegram: tuple[FakeTelegram, str], example_path: Path,
        directory: Directory) -> None:
    from bot.web import MAX_BODY

    await load_example(db, example_path, directory)
    fake, _ = telegram
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret_TOKEN-1"}
    async with webhook_client(db, telegram) as http:
        for body in ({"hello": "world"}, {"update_id": "seven"},
                     {"update_id": 3, "message": {"text": "no chat, no date"}}):
            refused = await http.post("/telegram/webhook", json=body, headers=headers)
            assert refused.status_code == 400, body
        huge = b'{"update_id": 1, "pad": "' + b"x" * (MAX_BODY + 10) + b'"}'
        too_big = await http.post("/telegram/webhook", content=huge,
                                  headers={**headers, "content-type": "application/json"})
        assert too_big.status_code == 413
    assert fake.sent(9001) == []
