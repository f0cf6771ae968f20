"""The database handle and unit of work: commit explicitly, roll back by default."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
from collections.abc import AsyncIterator
from types import TracebackType

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import make_engine, sqlite_exists
from storage.migrate import current_revision, head_revision
from storage.models import CodeScheme
from tracking.calendar import WorkCalendar
from tracking.status import DUE_SOON_WORKING_DAYS
from words import codes


class NotMigratedError(RuntimeError):
    """The database schema is older than this program; the message says what to run."""


@functools.cache
def default_calendar() -> WorkCalendar:
    """Vietnam's public holidays around this year; the composition root adds the days off
    and make-up working days a province announces (settings)."""
    year = dt.date.today().year
    return WorkCalendar.vietnam(range(year - 4, year + 5))


def calendar_of(session: AsyncSession) -> WorkCalendar:
    """The working-day calendar of the database a session belongs to: what storage needs to
    score a completion against the legal deadline (tracking.status)."""
    calendar = session.info.get("calendar")
    return calendar if isinstance(calendar, WorkCalendar) else default_calendar()


class Database:
    """Engine plus session factory, built once in the composition root. Its sessions carry
    the working-day calendar (`calendar_of`)."""

    def __init__(self, engine: AsyncEngine, calendar: WorkCalendar | None = None) -> None:
        self.engine = engine
        self.calendar = calendar or default_calendar()
        self.due_soon_days = DUE_SOON_WORKING_DAYS  # tracking.status: "sắp đến hạn"
        self.sessions = async_sessionmaker(engine, expire_on_commit=False,
                                           info={"calendar": self.calendar})
        # SQLite has one writer. Units of work queue here, in the event loop, instead of
        # spinning in SQLite's busy handler and failing with "database is locked" under load.
        self.turns = _Turns() if engine.dialect.name == "sqlite" else None

    @classmethod
    def from_url(cls, url: str, calendar: WorkCalendar | None = None) -> Database:
        return cls(make_engine(url), calendar)

    def use_calendar(self, calendar: WorkCalendar,
                     due_soon_days: int = DUE_SOON_WORKING_DAYS) -> None:
        """The calendar (extra days off) and the due-soon threshold from settings, for
        every session opened after."""
        self.calendar, self.due_soon_days = calendar, due_soon_days
        self.sessions.configure(info={"calendar": calendar})

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self.turns)

    @contextlib.asynccontextmanager
    async def single(self) -> AsyncIterator[AsyncConnection]:
        """For one write statement that stands alone (the inbox's store): on PostgreSQL it
        commits by itself, one round trip instead of three (BEGIN, the statement, COMMIT);
        on SQLite it is a short transaction in the writer's turn."""
        if self.turns is None:
            async with self.engine.connect() as connection:
                yield await connection.execution_options(isolation_level="AUTOCOMMIT")
            return
        await self.turns.acquire()
        try:
            async with self.engine.begin() as connection:
                yield connection
        finally:
            self.turns.release()

    async def check_migrated(self) -> None:
        """Refuse to work on a schema that is missing or behind the code. A SQLite file that
        is not there is refused before connecting, which would create it: a command that
        only reads never leaves an empty database behind."""
        url = self.engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
                and not sqlite_exists(url.render_as_string(hide_password=False)):
            raise NotMigratedError(f"chưa có cơ sở dữ liệu «{url.database}»; hãy chạy: "
                                   "nhacviec db upgrade (hoặc kiểm tra NHACVIEC_DATABASE_URL)")
        current = await current_revision(self.engine)
        head = head_revision()
        if current != head:
            state = "chưa có bảng nào" if current is None else f"đang ở phiên bản {current}"
            raise NotMigratedError(f"cơ sở dữ liệu {state}, cần phiên bản {head}; "
                                   "hãy chạy: nhacviec db upgrade")
        await self.load_codes()

    async def load_codes(self) -> None:
        """The `#mã` scheme this database's codes were handed out under (words.codes)."""
        async with self.engine.connect() as connection:
            found = (await connection.execute(
                select(CodeScheme.legacy_max))).scalar_one_or_none()
        codes.use(codes.CodeScheme(int(found or 0)))

    async def dispose(self) -> None:
        await self.engine.dispose()


class _Turns:
    """SQLite's single writer, as an asyncio lock that refuses re-entry from the same task:
    a unit of work opened inside another would otherwise wait for itself forever."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None

    async def acquire(self) -> None:
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            raise RuntimeError("a unit of work was opened inside another one (SQLite would "
                               "deadlock); pass the open unit of work down instead")
        await self._lock.acquire()
        self._owner = task

    def release(self) -> None:
        self._owner = None
        self._lock.release()


class UnitOfWork:
    """`async with db.uow() as uow: ...; await uow.commit()` — anything else rolls back."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession],
                 turns: _Turns | None = None) -> None:
        self._sessions = sessions
        self._turns = turns

    async def __aenter__(self) -> UnitOfWork:
        if self._turns is not None:
            await self._turns.acquire()
        self.session = self._sessions()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        session = self.session
        try:
            if not (session.new or session.dirty or session.deleted):
                session.expunge_all()  # nothing to undo: objects that were read stay readable
            await session.rollback()
            await session.close()
        finally:
            if self._turns is not None:
                self._turns.release()

    async def commit(self) -> None:
        await self.session.commit()
