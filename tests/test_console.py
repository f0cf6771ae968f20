"""A conversation on the console channel reads like a dialog."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from bot.console import run_console
from bot.handlers import Handlers
from plan.agencies import Directory
from storage.contacts import console_contact
from storage.uow import Database
from tests.engine_helpers import load_example

TODAY = dt.date(2023, 3, 30)


async def dialog(db: Database, lines: list[str], agency: str | None = None) -> str:
    feed = iter(lines)

    def read() -> str:
        try:
            return next(feed)
        except StopIteration:
            raise EOFError from None

    async with db.uow() as uow:
        chat_id = await console_contact(uow.session, agency, dt.datetime.now(dt.UTC))
        await uow.commit()
    out = io.StringIO()
    await run_console(Handlers(db, lambda: TODAY), chat_id, "chào", read, out)
    return out.getvalue()


async def test_empty_database_tells_how_to_import(db: Database) -> None:
    assert "nhacviec import" in await dialog(db, ["/kehoach"])


async def test_focal_point_sees_own_open_tasks_with_codes(db: Database, example_path: Path,
                                                          directory: Directory) -> None:
    await load_example(db, example_path, directory)
    text = await dialog(db, ["/nhiemvu"], agency="Sở Khoa học và Công nghệ")
    assert "Sở Khoa học và Công nghệ — " in text
    assert " VII.1 " in text and "Hạn: 31/03/2023 (còn 1 ngày)" in text
    assert "Hạn: 30/09/2023 (còn 184 ngày)" in text
    assert "(trên Telegram có nút: #" in text and " VII.1 " in text


async def test_coordinator_searches_agencies_without_diacritics(db: Database, example_path: Path,
                                                                directory: Directory) -> None:
    await load_example(db, example_path, directory)
    text = await dialog(db, ["/coquan tu phap", "/nhiemvu so tai chinh", "/nhiemvu Sở Ma Thuật"])
    assert "• Sở Tư pháp" in text
    assert "Sở Tài chính — " in text and "V.4" in text and "chưa có ngày cố định" in text
    assert "Không tìm thấy cơ quan «Sở Ma Thuật»" in text


async def test_unknown_text_gets_help_never_silence(db: Database) -> None:
    text = await dialog(db, ["abc", "/trogiup", "", "/thoat", "/kehoach"])
    assert text.count("bot>") == 2
    assert "Chưa hiểu tin nhắn này" in text and "<mã> xong" in text and "/nhiemvu" in text


async def test_report_file_is_saved_where_the_console_runs(
        db: Database, example_path: Path, directory: Directory, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    await load_example(db, example_path, directory)
    monkeypatch.chdir(tmp_path)
    text = await dialog(db, ["/xuatbaocao", "/bieudo"])
    assert f"(đã lưu tệp: {tmp_path / 'bao-cao-cchc-2023-03-30.xlsx'})" in text
    assert (tmp_path / "bieu-do-2023-03-30.png").read_bytes().startswith(b"\x89PNG")


async def test_the_console_coordinator_who_tries_a_focal_invite_stays_a_coordinator(
        db: Database, example_path: Path, directory: Directory) -> None:
    """Typing the code of an agency's invite made the console's coordinator that agency's
    focal point, and every coordinator command was refused after."""
    await load_example(db, example_path, directory)
    text = await dialog(db, ["/moi Sở Tư pháp", "/tonghop"])
    code = text.split("/start ")[1].split()[0]
    text = await dialog(db, [f"/start {code}", "/tonghop"])
    assert "vẫn giữ vai trò đó" in text and "Tổng hợp đến hết ngày" in text
    # the code is still good for the person it was meant for
    focal = Handlers(db, lambda: TODAY)
    from bot.types import Incoming

    [welcome, *_] = await focal.handle(Incoming("telegram", "55", f"/start {code}", "Hoa"))
    assert "đầu mối của Sở Tư pháp" in welcome.text
