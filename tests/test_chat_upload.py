"""A plan loaded from the chat, through the fake Telegram (a document) and the fake Zalo (a
link, since Zalo bots cannot receive files): preview → save → /kehoach lists it; cancel;
focal points refused; oversized and malformed files answered clearly with nothing stored."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.handlers import Handlers
from fakes.server import BackgroundServer
from fakes.telegram import FakeTelegram
from fakes.zalo import FakeZalo
from plan.agencies import Directory
from storage.models import Contact, Plan, PlanUpload, Task
from storage.uow import Database
from tests import sample_docs
from tests.engine_helpers import assignment_of, contact, load_example
from tests.receiving_helpers import polling, until
from words.messages import assignment_code

KHCN = "Sở Khoa học và Công nghệ"
DAY = dt.date(2026, 3, 2)
COORDINATOR, FOCAL = 9001, 1001


def said(texts: Callable[[], list[str]], containing: str) -> Callable[[], str | None]:
    return lambda: next((t for t in reversed(texts()) if containing in t), None)


async def plan_codes(db: Database) -> list[str]:
    async with db.uow() as uow:
        return sorted((await uow.session.execute(select(Plan.code))).scalars())


async def uploads_kept(db: Database) -> int:
    async with db.uow() as uow:
        return int((await uow.session.execute(
            select(func.count()).select_from(PlanUpload))).scalar_one())


@pytest.fixture
async def telegram_bot(db: Database, telegram: tuple[FakeTelegram, str], example_path: Path,
                       directory: Directory) -> AsyncIterator[FakeTelegram]:
    await load_example(db, example_path, directory)
    await contact(db, KHCN, str(FOCAL), channel="telegram")
    fake, url = telegram
    handlers = Handlers(db, lambda: DAY, admin_ids={f"telegram:{COORDINATOR}"})
    channel = TelegramChannel(fake.token, url)
    await channel.start()
    try:
        async with polling(handlers, telegram=channel):
            yield fake
    finally:
        await channel.close()


def buttons_of(fake: FakeTelegram, chat: int) -> list[tuple[str, str]]:
    last = next(m for m in reversed(fake.sent(chat)) if m.get("reply_markup"))
    return [(b["text"], b["callback_data"]) for row in last["reply_markup"]["inline_keyboard"]
            for b in row]


async def test_a_coordinator_loads_a_docx_plan_from_telegram(
        telegram_bot: FakeTelegram, db: Database) -> None:
    fake = telegram_bot
    replies = lambda: fake.replies_to(COORDINATOR)  # noqa: E731
    fake.user_message(COORDINATOR, document=("ke-hoach-77.docx",
                                             sample_docs.docx_parts_and_spans()))
    preview = await until(said(replies, "Bản xem trước tệp số"))
    assert "Kế hoạch 77/KH-UBND ngày 02/02/2026" in preview
    assert "Nhiệm vụ theo mục:" in preview and "Tổng: 7 nhiệm vụ" in preview
    assert "chưa lưu gì" in preview
    assert "77/KH-UBND" not in await plan_codes(db)  # a preview stores no plan
    (save_label, save), (drop_label, _) = buttons_of(fake, COORDINATOR)
    assert (save_label, drop_label) == ("Lưu kế hoạch", "Hủy")

    fake.button_press(COORDINATOR, save)
    saved = await until(said(replies, "Đã lưu kế hoạch 77/KH-UBND"))
    assert "thêm 7" in saved
    assert "77/KH-UBND" in await plan_codes(db)
    fake.user_message(COORDINATOR, "/kehoach")
    listed = await until(said(replies, "Các kế hoạch:"))
    assert "77/KH-UBND (02/02/2026)" in listed and "7 nhiệm vụ" in listed

    fake.button_press(COORDINATOR, save)  # pressed again: nothing imported twice
    again = await until(said(replies, "đã được lưu trước đó"))
    assert "ke-hoach-77.docx" in again
    async with db.uow() as uow:
        tasks = (await uow.session.execute(select(func.count()).select_from(Task).join(
            Plan, Plan.id == Task.plan_id).where(Plan.code == "77/KH-UBND"))).scalar_one()
    assert tasks == 7


async def test_cancel_keeps_nothing_and_huy_does_not_unlink_the_coordinator(
        telegram_bot: FakeTelegram, db: Database) -> None:
    fake = telegram_bot
    replies = lambda: fake.replies_to(COORDINATOR)  # noqa: E731
    before = await plan_codes(db)
    fake.user_message(COORDINATOR, document=("kh.docx", sample_docs.docx_parts_and_spans()))
    await until(said(replies, "Bản xem trước tệp số"))
    fake.user_message(COORDINATOR, "/huy")
    assert await until(said(replies, "Đã hủy tệp «kh.docx»; không lưu gì."))
    assert await plan_codes(db) == before
    async with db.uow() as uow:
        linked = (await uow.session.execute(select(Contact.unlinked_at).where(
            Contact.chat_id == str(COORDINATOR)))).scalar_one()
    assert linked is None  # /huy cancelled the file, it did not unlink the coordinator
    fake.user_message(COORDINATOR, "/luu")
    assert await until(said(replies, "Không có tệp kế hoạch nào đang chờ lưu"))


async def test_a_focal_point_cannot_load_a_plan(
        telegram_bot: FakeTelegram, db: Database) -> None:
    fake = telegram_bot
    before = await plan_codes(db)
    fake.user_message(FOCAL, "/nhapkehoach https://example.org/kh.docx")
    assert await until(said(lambda: fake.replies_to(FOCAL), "Chỉ cán bộ Sở Nội vụ"))
    fake.button_press(FOCAL, "u:s:1")
    await until(lambda: len([t for t in fake.replies_to(FOCAL) if "Chỉ cán bộ" in t]) == 2)
    assert await plan_codes(db) == before and await uploads_kept(db) == 0


async def test_an_oversized_or_malformed_file_is_refused_clearly_and_nothing_is_stored(
        telegram_bot: FakeTelegram, db: Database) -> None:
    fake = telegram_bot
    replies = lambda: fake.replies_to(COORDINATOR)  # noqa: E731
    before = await plan_codes(db)
    fake.user_message(COORDINATOR, document=("hong.docx", b"PK\x03\x04 not really a zip"))
    broken = await until(said(replies, "Không đọc được tệp «hong.docx»"))
    assert broken.endswith("Không lưu gì.")
    fake.push({"message": {  # Telegram says how big a file is; the bot does not fetch it
        "message_id": 77, "date": int(time.time()),
        "from": {"id": COORDINATOR, "is_bot": False, "first_name": "B"},
        "chat": {"id": COORDINATOR, "type": "private"},
        "document": {"file_id": "BQAC-big", "file_unique_id": "ubig", "file_name": "lon.xlsx",
                     "file_size": 35 * 1024 * 1024}}})
    big = await until(said(replies, "Không tải được tệp «lon.xlsx»"))
    assert "lớn hơn 20 MB" in big
    assert await plan_codes(db) == before and await uploads_kept(db) == 0


@contextlib.contextmanager
def link_server(files: dict[str, bytes], delay: float = 0.0) -> Iterator[str]:
    async def serve(request: Request) -> Response:
        name = request.path_params["name"]
        await asyncio.sleep(delay)  # a slow province portal
        return Response(files[name]) if name in files else Response(status_code=404)

    with BackgroundServer(Starlette(routes=[Route("/files/{name}", serve)])) as server:
        yield f"{server.url}/files"


async def test_a_coordinator_loads_a_plan_on_zalo_by_link(
        db: Database, zalo: tuple[FakeZalo, str]) -> None:
    fake, url = zalo
    handlers = Handlers(db, lambda: DAY, admin_ids={"zalo:zc1"})
    channel = ZaloChannel(fake.token, url, poll_seconds=1)
    replies = lambda: fake.sent("zc1")  # noqa: E731
    with link_server({"kh77.docx": sample_docs.docx_parts_and_spans()}) as files:
        async with polling(handlers, zalo_channel=channel):
            fake.text("zc1", f"/nhapkehoach {files}/missing.docx")
            assert "mã 404" in await until(said(replies, "Không tải được tệp «missing.docx»"))
            fake.text("zc1", f"/nhapkehoach {files}/kh77.docx")
            preview = await until(said(replies, "gõ /luu"))
            assert "Kế hoạch 77/KH-UBND" in "\n".join(replies())
            assert "/huy" in preview
            fake.text("zc1", "/luu")
            assert "thêm 7" in await until(said(replies, "Đã lưu kế hoạch 77/KH-UBND"))
            fake.text("zc1", "/kehoach")
            assert "77/KH-UBND" in await until(said(replies, "Các kế hoạch:"))
    await channel.close()
    assert await plan_codes(db) == ["77/KH-UBND"]


async def test_zalo_says_to_send_a_link_when_a_file_cannot_be_had(
        db: Database, zalo: tuple[FakeZalo, str]) -> None:
    fake, url = zalo
    handlers = Handlers(db, lambda: DAY, admin_ids={"zalo:zc1"})
    channel = ZaloChannel(fake.token, url, poll_seconds=1)
    async with polling(handlers, zalo_channel=channel):
        fake.text("zc1", "/luu")  # an admin's very first message, before they are enrolled
        assert await until(said(lambda: fake.sent("zc1"), "Không có tệp kế hoạch nào"))
        fake.text("zc1", "/nhapkehoach")
        assert "/nhapkehoach <đường link tới tệp>" in await until(
            said(lambda: fake.sent("zc1"), "Gửi tệp kế hoạch"))
        fake.text("zc1", "/nhapkehoach ftp://x/kh.docx")
        assert await until(said(lambda: fake.sent("zc1"), "phải bắt đầu bằng http://"))
    await channel.close()
    assert await uploads_kept(db) == 0


def reissued(example_path: Path) -> tuple[bytes, bytes]:
    """The example re-issued with a task inserted at I.1 (the rest of section I renumbered),
    then that file with one renumbered task reworded by half: a match to ask about."""
    lines = example_path.read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("1,"))
    end = next(n for n in range(start, len(lines)) if not lines[n].split(",", 1)[0].isdigit())
    for n in range(start, end):
        number, rest = lines[n].split(",", 1)
        lines[n] = f"{int(number) + 1},{rest}"
    lines.insert(start, "1,Khảo sát mức độ hài lòng của người dân đối với dịch vụ công,"
                        "Báo cáo,Sở Tư pháp,,Tháng 6/2023,")
    half = list(lines)
    number, rest = half[start + 1].split(",", 1)
    half[start + 1] = (f"{number},Kế hoạch rà soát văn bản và tổ chức kiểm tra chuyên đề về "
                       "công tác cải cách hành chính," + rest.split(",", 1)[1])
    return "\n".join(lines).encode(), "\n".join(half).encode()


async def test_uncertain_matches_are_saved_only_when_the_coordinator_accepts_them(
        telegram_bot: FakeTelegram, db: Database, example_path: Path) -> None:
    fake = telegram_bot
    replies = lambda: fake.replies_to(COORDINATOR)  # noqa: E731
    shifted, half = reissued(example_path)
    fake.user_message(COORDINATOR, document=("ban-hanh-lai.csv", shifted))
    assert "I.1 → I.2" in await until(said(replies, "Bản xem trước tệp số"))
    fake.user_message(COORDINATOR, "/luu")
    assert "thêm 1," in await until(said(replies, "Đã lưu kế hoạch"))

    fake.user_message(COORDINATOR, document=("sua-nhieu.csv", half))
    preview = await until(said(replies, "chapnhan"))
    assert "chưa chắc là nhiệm vụ đã lưu" in "\n".join(replies()[-2:])
    (label, accept), _ = buttons_of(fake, COORDINATOR)
    assert label == "Lưu, giữ các cặp trên" and accept.startswith("u:a:")
    fake.user_message(COORDINATOR, "/luu")  # a plain save is refused: nothing written
    await until(lambda: sum("chapnhan" in t for t in replies()) == 2)
    assert sum("Đã lưu kế hoạch" in t for t in replies()) == 1
    fake.button_press(COORDINATOR, accept)
    assert "thay đổi 1" in await until(lambda: next(
        (t for t in replies()[-1:] if "Đã lưu kế hoạch" in t), None))
    assert "/luu" in preview


async def test_a_slow_plan_download_does_not_hold_other_chats_answers(
        db: Database, zalo: tuple[FakeZalo, str], example_path: Path,
        directory: Directory) -> None:
    await load_example(db, example_path, directory)
    await contact(db, KHCN, "lan", channel="zalo")
    code = assignment_code(await assignment_of(db, "VII.2", KHCN))
    fake, url = zalo
    handlers = Handlers(db, lambda: DAY, admin_ids={"zalo:zc1"})
    channel = ZaloChannel(fake.token, url, poll_seconds=1)
    with link_server({"kh77.docx": sample_docs.docx_parts_and_spans()}, delay=4) as files:
        async with polling(handlers, zalo_channel=channel):
            fake.text("zc1", f"/nhapkehoach {files}/kh77.docx")
            await asyncio.sleep(0.5)  # the download has started
            fake.text("lan", f"{code} dang 40%")
            await until(said(lambda: fake.sent("lan"), "Đã ghi nhận"), seconds=3)
            assert not said(lambda: fake.sent("zc1"), "Bản xem trước")()  # still downloading
            await until(said(lambda: fake.sent("zc1"), "Bản xem trước"))
    await channel.close()


async def test_a_pdf_that_inflates_is_refused_within_the_limit_while_others_are_answered(
        telegram_bot: FakeTelegram, db: Database) -> None:
    """A 20 kB PDF whose page inflates to megabytes of text grew the bot to 1.5 GB and
    answered nobody; now a worker reads it under the limits and the bot goes on."""
    from tests.pdf_bomb import inflating_pdf

    fake = telegram_bot
    before = await plan_codes(db)
    started = time.monotonic()
    fake.user_message(COORDINATOR, document=("ke-hoach.pdf", inflating_pdf(5)))
    await asyncio.sleep(0.5)  # the worker is reading it
    fake.user_message(FOCAL, "/nhiemvu")
    await until(lambda: fake.replies_to(FOCAL), seconds=5)
    assert not said(lambda: fake.replies_to(COORDINATOR), "ke-hoach.pdf")()  # still reading
    refused = await until(said(lambda: fake.replies_to(COORDINATOR),
                               "Không đọc được tệp «ke-hoach.pdf»"), seconds=30)
    assert "NHACVIEC_PARSE_MEMORY_MB" in refused or "NHACVIEC_PARSE_SECONDS" in refused
    assert time.monotonic() - started < 25
    assert await plan_codes(db) == before and await uploads_kept(db) == 0
