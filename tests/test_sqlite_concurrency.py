"""SQLite under concurrent answers: transactions queue for the write lock instead of failing."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from sqlalchemy import func, select

from bot.handlers import Handlers
from bot.types import Incoming
from plan.agencies import Directory
from storage.db import make_engine
from storage.migrate import upgrade
from storage.models import Assignment, StatusReport
from storage.uow import Database
from tests.engine_helpers import contact, load_example
from words.messages import assignment_code


async def test_two_hundred_simultaneous_answers_are_all_stored(tmp_path: Path, example_path: Path,
                                                         directory: Directory) -> None:
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    await asyncio.to_thread(upgrade, url)
    db = Database.from_url(url)
    try:
        await load_example(db, example_path, directory)
        await contact(db, None, "c", role="coordinator", channel="zalo")
        async with db.uow() as uow:
            ids = list((await uow.session.execute(
                select(Assignment.id).where(Assignment.role == "lead").limit(200))).scalars())
        handlers = Handlers(db, lambda: dt.date(2023, 9, 29))
        replies = await asyncio.gather(*(
            handlers.handle(Incoming("zalo", "c", f"{assignment_code(i)} dang 50%"))
            for i in ids))
        assert all("Đã ghi nhận" in r[0].text for r in replies)
        async with db.uow() as uow:
            stored = (await uow.session.execute(select(func.count()).select_from(StatusReport))
                      ).scalar_one()
        assert stored == len(ids) == 200
    finally:
        await db.dispose()


async def test_writers_queue_instead_of_failing_when_the_lock_is_held_long(
        tmp_path: Path) -> None:
    """Under load a unit of work holds SQLite's write lock across many event-loop turns; the
    others must wait their turn, not fail with "database is locked" after the busy timeout."""
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'queue.db'}"
    await asyncio.to_thread(upgrade, url)
    db = Database(make_engine(url, sqlite_busy_ms=100))
    try:
        async def slow_writer(n: int) -> None:
            async with db.uow() as uow:
                await uow.session.execute(text(
                    "INSERT INTO enroll_attempts (channel, chat_id, at) VALUES ('t', :n, :at)"),
                    {"n": str(n), "at": dt.datetime.now(dt.UTC)})
                await asyncio.sleep(0.05)  # a busy loop serving other requests meanwhile
                await uow.commit()

        await asyncio.gather(*(slow_writer(n) for n in range(10)))
        async with db.uow() as uow:
            stored = (await uow.session.execute(text("SELECT count(*) FROM enroll_attempts"))
                      ).scalar_one()
        assert stored == 10
    finally:
        await db.dispose()


async def test_sqlite_statements_run_on_the_loop_thread_and_keep_transactions(
        tmp_path: Path) -> None:
    """The inline driver (storage.sqlite_inline): no helper thread per connection, a failed
    statement rolls its unit of work back, and a committed one is there after a restart."""
    import threading

    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    url = f"sqlite:///{tmp_path / 'inline.db'}"
    await asyncio.to_thread(upgrade, url)
    before = threading.active_count()
    db = Database.from_url(url)
    insert = text("INSERT INTO enroll_attempts (id, channel, chat_id, at) "
                  "VALUES (:id, 't', 'c', :at)")
    at = dt.datetime.now(dt.UTC)
    try:
        async with db.uow() as uow:
            await uow.session.execute(insert, {"id": 1, "at": at})
            await uow.commit()
        assert threading.active_count() == before  # aiosqlite would start a thread here
        async with db.uow() as uow:  # the second row is lost with the failing third
            await uow.session.execute(insert, {"id": 2, "at": at})
            try:
                await uow.session.execute(insert, {"id": 1, "at": at})
            except IntegrityError:
                pass
            else:
                raise AssertionError("a duplicate key was accepted")
        async with db.single() as connection:
            await connection.execute(insert, {"id": 3, "at": at})
    finally:
        await db.dispose()
    again = Database.from_url(url)
    try:
        async with again.uow() as uow:
            ids = list((await uow.session.execute(
                text("SELECT id FROM enroll_attempts ORDER BY id"))).scalars())
        assert ids == [1, 3]
    finally:
        await again.dispose()
