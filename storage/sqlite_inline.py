"""SQLite run on the event loop's own thread, behind SQLAlchemy's aiosqlite dialect.

aiosqlite runs every call on a helper thread: a statement costs four thread hand-offs (cursor,
execute, fetch, close), about 0.2 ms of CPU — several times what SQLite needs to run a
statement of the answer path, and most of an answer's database cost. Here each call runs
where it is awaited, through the standard `sqlite3` module, so SQLAlchemy keeps its dialect
(types, pool, SQL) and only the thread hops go.

Why it is safe here: SQLite has one writer per database and units of work already queue for
it in the loop (storage.uow._Turns); the statements this program runs on a live bot take
microseconds to a few milliseconds. The cost: a statement that waits for another process's
write lock (e.g. `nhacviec import` while the bot runs) holds the loop until the lock is free
or `busy_timeout` ends. Deployments with several processes use PostgreSQL (README).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any


class Cursor:
    """The subset of `aiosqlite.Cursor` SQLAlchemy's adapter uses, without the thread."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = ()) -> Cursor:
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> Cursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class _Now:
    """Stands in for aiosqlite's request queue, which SQLAlchemy uses to set the isolation
    level: the function runs at once and its future is resolved."""

    def put_nowait(self, item: tuple[Any, Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as exc:  # handed to the awaiting caller, as aiosqlite does
            future.set_exception(exc)


class Connection:
    """The subset of `aiosqlite.Connection` SQLAlchemy's adapter uses."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        self._connection: sqlite3.Connection | None = connection
        self._tx = _Now()

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> Cursor:
        return Cursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Cursor:
        return Cursor(self._conn.execute(sql, parameters))

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    def stop(self) -> None:
        """Terminate (SQLAlchemy's pool on a dead connection): close without waiting."""
        if self._connection is not None:
            self._connection = None
            self._conn.close()


def creator(database: str) -> Callable[[], Any]:
    """The `async_creator` for `create_async_engine`: a new inline connection to `database`.
    `check_same_thread=False` only because the pool may close a connection from the thread
    that collects garbage at exit; all statements run on the loop's thread."""

    async def connect() -> Connection:
        if database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        return Connection(sqlite3.connect(database, check_same_thread=False))

    return connect
