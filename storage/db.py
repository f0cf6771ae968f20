"""Engine construction from a plain database URL; the async driver is chosen here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage import sqlite_inline


def async_url(url: str) -> str:
    """`sqlite:///x.db` → aiosqlite, `postgresql://…` → asyncpg (other PG drivers too)."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif parsed.drivername in {"postgresql", "postgresql+psycopg2", "postgresql+psycopg"}:
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(async_url(url)).get_backend_name() == "sqlite"


def make_engine(url: str, sqlite_busy_ms: int = 5000, **kwargs: Any) -> AsyncEngine:
    """Build the engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    target = async_url(url)
    parsed = make_url(target)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        # Statements run on the loop's thread, not aiosqlite's (storage.sqlite_inline); the
        # file's folder is made when a connection opens, not when an engine is built
        engine = create_async_engine(
            target, async_creator=sqlite_inline.creator(database or ":memory:"), **kwargs)

        def pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(sqlite_busy_ms)}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        event.listen(engine.sync_engine, "connect", pragmas)
        return engine
    # No pre-ping: it costs a round trip per transaction, a fifth of a webhook's database
    # time. After a server restart the first statement on each stale connection fails and
    # SQLAlchemy drops the pool; that one failure is retried like any outage (the inbox, the
    # outbox, the sweep), or answered 503 so the platform delivers the update again.
    return create_async_engine(target, **kwargs)


def sqlite_exists(url: str) -> bool:
    """Whether a SQLite URL names a file that is already there (read-only commands must not
    create one)."""
    database = make_url(async_url(url)).database
    return bool(database) and database != ":memory:" and Path(str(database)).is_file()
