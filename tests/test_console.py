"""A conversation on the console channel reads like a dialog."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from bot.console import run_console
from bot.handlers import Handlers
from plan.agencies import Directory
from plan.parse import parse_plan
from plan.readers import read_rows
from storage.importer import import_plan
from storage.uow import Database


async def dialog(db: Database, lines: list[str], agency: str | None = None) -> str:
    feed = iter(lines)

    def read() -> str:
        try:
            return next(feed)
        except StopIteration:
            raise EOFError from None

    out = io.StringIO()
    await run_console(Handlers(db, lambda: dt.date(2023, 3, 30)), agency, "chào", read, out)
    return out.getvalue()


async def loaded(db: Database, example_path: Path, directory: Directory) -> Database:
    draft = parse_plan(read_rows(example_path.name, example_path.read_bytes()), directory)
    async with db.uow() as uow:
        await import_plan(uow.session, draft, directory, "example")
        await uow.commit()
    return db


async def test_empty_database_tells_how_to_import(db: Database) -> None:
    assert "nhacviec import" in await dialog(db, ["/kehoach"])


async def test_focal_point_sees_own_open_tasks(db: Database, example_path: Path,
                                               directory: Directory) -> None:
    text = await dialog(await loaded(db, example_path, directory), ["/nhiemvu"],
                        agency="Sở Khoa học và Công nghệ")
    assert "Sở Khoa học và Công nghệ —" in text
    assert "• VII.1" in text and "Hạn: 31/03/2023 (còn 1 ngày)" in text
    assert "Hạn: 30/09/2023 (còn 184 ngày)" in text


async def test_agency_search_tolerates_missing_diacritics(db: Database, example_path: Path,
                                                          directory: Directory) -> None:
    text = await dialog(await loaded(db, example_path, directory),
                        ["/coquan tu phap", "/nhiemvu so tai chinh", "/nhiemvu Sở Ma Thuật"])
    assert "• Sở Tư pháp" in text
    assert "Sở Tài chính — " in text and "V.4" in text and "chưa có ngày cố định" in text
    assert "Không tìm thấy cơ quan «Sở Ma Thuật»" in text


async def test_unknown_text_gets_help_never_silence(db: Database) -> None:
    text = await dialog(db, ["abc", "/trogiup", "", "/thoat", "/kehoach"])
    assert text.count("bot>") == 2
    assert "Gõ /trogiup" in text and "/nhiemvu [tên cơ quan]" in text
