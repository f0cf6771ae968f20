"""Zalo: our httpx client against the project's fake Zalo Bot API, and the webhook receiver."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.channels.base import Permanent
from bot.channels.zalo import ZaloChannel, incoming
from bot.handlers import Handlers
from fakes.zalo import FakeZalo
from plan.agencies import Directory
from scheduler.dispatch import Dispatcher, RateLimits
from storage import invites
from storage.models import StatusReport
from storage.uow import Database
from tests.engine_helpers import load_example, sweeper
from tests.receiving_helpers import polling, webhooks

KHCN = "Sở Khoa học và Công nghệ"
DAY = dt.date(2023, 9, 29)
SECRET = "webhook-secret-123"


async def client(zalo: tuple[FakeZalo, str], poll_seconds: int = 1) -> ZaloChannel:
    fake, url = zalo
    channel = ZaloChannel(fake.token, url, poll_seconds=poll_seconds)
    await channel.start()
    return channel


async def test_long_text_is_split_at_2000_characters(zalo: tuple[FakeZalo, str]) -> None:
    channel = await client(zalo)
    text = "\n".join(f"dòng {n:03d} " + "x" * 80 for n in range(60))
    await channel.send("abc", text)
    parts = zalo[0].sent("abc")
    assert len(parts) == 3 and all(len(p) <= 2000 for p in parts) and "\n".join(parts) == text
    await channel.close()


async def test_empty_poll_is_not_an_error_and_one_update_comes_per_call(
        zalo: tuple[FakeZalo, str], caplog: pytest.LogCaptureFixture) -> None:
    channel = await client(zalo)
    assert await channel.next_update() is None  # HTTP 200 with error 408 after the timeout
    zalo[0].text("u1", "xin chào")
    zalo[0].text("u1", "lần hai")
    first, second = await channel.next_update(), await channel.next_update()
    assert first and second and first["message"]["text"] == "xin chào"
    assert "WARNING" not in caplog.text
    await channel.close()


async def test_refusals_are_classified(zalo: tuple[FakeZalo, str]) -> None:
    channel = await client(zalo)
    with pytest.raises(Permanent):
        await channel.call("sendMessage", {"chat_id": "u1", "text": ""})
    await channel.close()


def test_updates_in_every_shape_translate() -> None:
    bare = {"event_name": "message.text.received", "message": {
        "message_id": "m1", "date": 1, "chat": {"id": "c1", "chat_type": "PRIVATE"},
        "from": {"id": "c1", "first_name": "Lan"}, "text": "/start abc"}}
    wrapped = {"ok": True, "result": bare}
    assert incoming(bare) == incoming(wrapped)
    got = incoming(bare)
    assert got is not None and (got.chat_id, got.text, got.sender_name) == ("c1", "/start abc",
                                                                             "Lan")
    image = incoming({"event_name": "message.image.received", "message": {
        "message_id": "m2", "chat": {"id": "c1"}, "photo_url": "https://x/y.jpg"}})
    assert image is not None and image.file is not None and image.file.url == "https://x/y.jpg"
    assert incoming({"event_name": "x"}) is None and incoming({"message": {"chat": {}}}) is None


@pytest.fixture
async def enrolled(db: Database, example_path: Path, directory: Directory) -> Handlers:
    await load_example(db, example_path, directory)
    return Handlers(db, lambda: DAY, admin_ids={"zalo:snv"})


async def new_code(db: Database) -> str:
    async with db.uow() as uow:
        code, _ = await invites.create(uow.session, KHCN, "focal", "t", dt.timedelta(days=7),
                                       dt.datetime.now(dt.UTC))
        await uow.commit()
    return code


async def until_sent(fake: FakeZalo, chat: str, containing: str) -> str:
    for _ in range(200):
        found = [t for t in fake.sent(chat) if containing in t]
        if found:
            return found[-1]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no message containing {containing!r}: {fake.sent(chat)}")


async def test_whole_loop_on_zalo_by_text(enrolled: Handlers, db: Database,
                                          zalo: tuple[FakeZalo, str]) -> None:
    fake = zalo[0]
    channel = await client(zalo)
    receiving = polling(enrolled, zalo_channel=channel)
    await receiving.__aenter__()
    try:
        fake.text("lan", f"/start {await new_code(db)}")
        welcome = await until_sent(fake, "lan", "đầu mối của")
        assert "<mã> xong" in welcome  # Zalo has no buttons: the text protocol is shown
        await sweeper(db).run(DAY)
        await Dispatcher(db, {"zalo": channel}, {"zalo": RateLimits(10, 5)}, lambda: DAY,
                         "t").drain()
        reminder = await until_sent(fake, "lan", "Nhắc việc CCHC")
        code = reminder.split("#")[1].split(" ")[0]
        assert "<mã> xong" in reminder
        fake.text("lan", f"{code} xong 15/QĐ-SKHCN ngày 22/09/2023")
        await until_sent(fake, "lan", "Đã ghi nhận VII.2: đã báo hoàn thành, chờ Sở Nội vụ "
                         "xác nhận, văn bản 15/QĐ-SKHCN")
        fake.unsupported("lan")
        await until_sent(fake, "lan", "chỉ đọc được tin nhắn chữ và ảnh")
        fake.text("snv", "/xacnhan")
        assert "VII.2" in await until_sent(fake, "snv", "Đang chờ Sở Nội vụ xử lý")
        fake.text("snv", f"/xacnhan {code} dat")
        await until_sent(fake, "snv", "Đã xác nhận hoàn thành VII.2")
        fake.text("snv", "/tonghop")
        assert "• Hoàn thành đúng hạn: 1" in await until_sent(fake, "snv", "Tổng hợp đến")
        fake.text("snv", "/xuatbaocao")  # Zalo bots cannot upload files: say where to get it
        assert "nhacviec report" in await until_sent(fake, "snv", "Báo cáo tiến độ")
        fake.text("stranger", "/nhiemvu")
        await until_sent(fake, "stranger", "chưa được đăng ký")
    finally:
        await receiving.__aexit__(None, None, None)
        await channel.close()


@pytest.fixture
async def webhook(enrolled: Handlers, zalo: tuple[FakeZalo, str]
                  ) -> AsyncIterator[tuple[httpx.AsyncClient, ZaloChannel]]:
    channel = await client(zalo)
    async with webhooks(enrolled, SECRET, zalo_channel=channel) as (http, receiver):
        http.settled = receiver.settled  # type: ignore[attr-defined]
        yield http, channel
    await channel.close()


async def test_forged_webhook_is_refused_and_changes_nothing(
        webhook: tuple[httpx.AsyncClient, ZaloChannel], db: Database,
        zalo: tuple[FakeZalo, str]) -> None:
    http, _ = webhook
    update = zalo[0]._event("message.text.received", "snv", "X", text="/duyet 1 dongy")
    for headers in ({}, {"X-Bot-Api-Secret-Token": "wrong-secret"},
                    {"X-Telegram-Bot-Api-Secret-Token": SECRET}):
        response = await http.post("/zalo/webhook", json=update, headers=headers)
        assert response.status_code == 403
    assert zalo[0].sent() == []
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    async with db.uow() as uow:
        assert (await uow.session.execute(select(func.count()).select_from(StatusReport))
                ).scalar_one() == 0


async def test_webhook_accepts_both_body_shapes_and_drops_repeats(
        webhook: tuple[httpx.AsyncClient, ZaloChannel], zalo: tuple[FakeZalo, str]) -> None:
    http, _ = webhook
    headers = {"X-Bot-Api-Secret-Token": SECRET}
    bare = zalo[0]._event("message.text.received", "snv", "X", text="/trogiup")
    await http.post("/zalo/webhook", json=bare, headers=headers)
    await http.post("/zalo/webhook", json={"ok": True, "result": bare}, headers=headers)
    other = zalo[0]._event("message.text.received", "snv", "X", text="/quahan")
    await http.post("/zalo/webhook", json={"ok": True, "result": other}, headers=headers)
    await http.settled()  # type: ignore[attr-defined]
    texts = zalo[0].sent("snv")
    assert len(texts) == 2 and "Lệnh cho Sở Nội vụ" in texts[0]
    response = await http.post("/zalo/webhook", content=b"{not json", headers=headers)
    assert response.status_code == 400
