"""Backups that restore: every table, every row.

Formats: `.json.gz` (portable, any backend to any backend: one JSON object per line, tables in
foreign-key order, the schema revision in the header), `.db` (SQLite's online backup API: a
consistent copy while the bot runs) and `.dump` (PostgreSQL's pg_dump custom format, when
pg_dump is installed). A restore goes into an empty database only, unless forced.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import gzip
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import Date, DateTime, LargeBinary

from storage.db import async_url, is_sqlite, make_engine, sqlite_exists
from storage.migrate import downgrade, head_revision, revision_of, upgrade
from storage.models import Base

FORMAT = "nhacviec-backup"
VERSION = 1


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why, in Vietnamese."""


def default_suffix(url: str) -> str:
    if is_sqlite(url):
        return ".db"
    return ".dump" if shutil.which("pg_dump") else ".json.gz"


async def backup(url: str, target: Path) -> dict[str, int]:
    """Write a backup to `target` (format from its suffix); returns rows per table."""
    if is_sqlite(url) and not sqlite_exists(url):  # reading it would create an empty one
        raise BackupError(f"chưa có cơ sở dữ liệu «{_sqlite_path(url)}» để sao lưu; kiểm tra "
                          "NHACVIEC_DATABASE_URL (hoặc tạo bằng nhacviec db upgrade)")
    partial = target.with_name(f".{target.name}.partial")
    _remove_stale_partials(target.parent)
    try:
        if target.name.endswith(".json.gz"):
            counts = await _export_json(url, partial)
        elif target.suffix == ".db":
            if not is_sqlite(url):
                raise BackupError("tệp .db chỉ dùng cho SQLite; với PostgreSQL hãy dùng "
                                  ".dump hoặc .json.gz")
            counts = await _sqlite_copy(_sqlite_path(url), partial)
        elif target.suffix == ".dump":
            if is_sqlite(url) or not shutil.which("pg_dump"):
                raise BackupError("tệp .dump cần PostgreSQL và chương trình pg_dump; hãy dùng "
                                  ".json.gz")
            await asyncio.to_thread(_pg, ["pg_dump", "--format=custom", "--no-owner",
                                          "--file", str(partial)], url)
            counts = await row_counts(url)
        else:
            raise BackupError(f"không rõ định dạng của «{target.name}»: dùng .json.gz, .db "
                              "(SQLite) hoặc .dump (PostgreSQL)")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return counts


STALE_PARTIAL = dt.timedelta(hours=1)


def _remove_stale_partials(folder: Path) -> None:
    """A backup killed mid-write leaves its hidden `.partial`; the next backup removes it
    (one younger than an hour may be another backup still writing)."""
    if not folder.is_dir():
        return
    now = dt.datetime.now().timestamp()
    for stale in folder.glob(".*.partial"):
        try:
            if now - stale.stat().st_mtime > STALE_PARTIAL.total_seconds():
                stale.unlink()
        except OSError:
            continue


async def restore(url: str, source: Path, force: bool = False) -> dict[str, int]:
    """Load a backup into the database at `url`, which must be empty unless `force`. A
    SQLite database that did not exist before is removed again when the restore fails:
    a failed restore leaves nothing behind."""
    if not source.is_file():
        raise BackupError(f"không có tệp «{source}»")
    if not (is_sqlite(url) and not sqlite_exists(url)):
        return await _restore(url, source, force)
    target = _sqlite_path(url)
    made = [folder for folder in (target.parent, *target.parent.parents)
            if not folder.exists()]
    # Built beside the target under another name and renamed only when complete: a restore
    # killed anywhere (its migration included) leaves no half-built database, and the next
    # restore clears what the killed one left.
    building = target.with_name(f".{target.name}.restoring")
    _remove_sqlite(building)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        counts = await _restore(f"sqlite:///{building}", source, force)
        with contextlib.closing(sqlite3.connect(building)) as done:  # all in the main file
            done.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        os.replace(building, target)
        _remove_sqlite(building)  # an emptied -wal / -shm of the built file
        return counts
    except BaseException:
        _remove_sqlite(building)
        for folder in made:  # innermost first
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def _remove_sqlite(path: Path) -> None:
    for leftover in (path, *(path.with_name(path.name + end)
                             for end in ("-wal", "-shm", "-journal"))):
        leftover.unlink(missing_ok=True)


async def _restore(url: str, source: Path, force: bool) -> dict[str, int]:
    fresh = is_sqlite(url) and not sqlite_exists(url)
    existing = 0 if fresh else (
        sum((await row_counts(url)).values()) if await revision_of(url) else 0)
    if existing and not force:
        raise BackupError(f"cơ sở dữ liệu đích đang có {existing} dòng dữ liệu; không ghi đè. "
                          "Hãy khôi phục vào một cơ sở dữ liệu trống, hoặc thêm --force "
                          "nếu chắc chắn muốn thay toàn bộ")
    if source.name.endswith(".json.gz"):
        await _import_json(url, source, replace=bool(existing))
    elif source.suffix == ".db":
        if not is_sqlite(url):
            raise BackupError("tệp .db chỉ khôi phục vào SQLite; hãy sao lưu lại dạng .json.gz "
                              "để chuyển sang PostgreSQL")
        await _sqlite_copy(source, _sqlite_path(url))
        await asyncio.to_thread(upgrade, url)
    elif source.suffix == ".dump":
        if is_sqlite(url) or not shutil.which("pg_restore"):
            raise BackupError("tệp .dump cần PostgreSQL và chương trình pg_restore")
        await asyncio.to_thread(_pg, ["pg_restore", "--no-owner", "--clean", "--if-exists",
                                      "--single-transaction", str(source)], url, True)
        await asyncio.to_thread(upgrade, url)
    else:
        raise BackupError(f"không rõ định dạng của «{source.name}»")
    return await row_counts(url)


async def row_counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return {table.name: int((await connection.execute(
                select(func.count()).select_from(table))).scalar_one())
                for table in Base.metadata.sorted_tables}
    finally:
        await engine.dispose()


async def _export_json(url: str, target: Path) -> dict[str, int]:
    """PostgreSQL exports inside one REPEATABLE READ transaction. SQLite's driver opens no
    transaction for reads, so a running bot could add rows between two tables: it exports
    from an online-backup copy instead, which is one consistent snapshot."""
    if is_sqlite(url):
        snapshot = target.with_name(f"{target.name}.snapshot.db")
        try:
            await asyncio.to_thread(_online_backup, _sqlite_path(url), snapshot)
            return await _export_rows(f"sqlite:///{snapshot}", target)
        finally:
            for leftover in (snapshot, Path(f"{snapshot}-wal"), Path(f"{snapshot}-shm")):
                leftover.unlink(missing_ok=True)
    return await _export_rows(url, target)


async def _export_rows(url: str, target: Path) -> dict[str, int]:
    engine = make_engine(url)
    counts: dict[str, int] = {}
    try:
        async with engine.connect() as connection:
            if connection.dialect.name == "postgresql":  # one consistent snapshot
                await connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
            revision = await connection.run_sync(_sync_revision)
            with gzip.open(target, "wt", encoding="utf-8") as out:
                out.write(json.dumps({"format": FORMAT, "version": VERSION,
                                      "revision": revision,
                                      "created_at": dt.datetime.now(dt.UTC).isoformat()}) + "\n")
                for table in Base.metadata.sorted_tables:
                    counts[table.name] = 0
                    rows = await connection.stream(select(table).order_by(*table.primary_key))
                    async for row in rows:
                        out.write(json.dumps({"t": table.name, "r": _encode(row._mapping)},
                                             ensure_ascii=False) + "\n")
                        counts[table.name] += 1
    finally:
        await engine.dispose()
    return counts


def _sync_revision(connection: object) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()  # type: ignore[arg-type]


async def _import_json(url: str, source: Path, replace: bool) -> None:
    lines = _lines(source)
    header = next(lines, None)
    if not header or header.get("format") != FORMAT:
        raise BackupError(f"«{source.name}» không phải tệp sao lưu của nhacviec")
    revision = header.get("revision")
    head = head_revision()
    if revision is not None and revision > (head or ""):
        raise BackupError(f"tệp sao lưu ở phiên bản {revision}, mới hơn chương trình "
                          f"({head}); hãy cập nhật nhacviec trước")
    present = await revision_of(url)
    if revision and present and present > revision:  # empty, but newer: step back first
        await asyncio.to_thread(downgrade, url, revision)
    await asyncio.to_thread(upgrade, url, revision or "head")  # the rows' own schema
    engine = make_engine(url)
    try:
        await _load_rows(engine, lines, replace, source.name)
    finally:
        await engine.dispose()
    await asyncio.to_thread(upgrade, url)


async def _load_rows(engine: Any, lines: Iterator[dict[str, Any]], replace: bool,
                     name: str) -> None:
    """One transaction: a file whose rows do not fit together changes nothing."""
    tables = {table.name: table for table in Base.metadata.sorted_tables}
    current: Table | None = None
    try:
        async with engine.begin() as connection:
            if replace:
                for table in reversed(Base.metadata.sorted_tables):
                    await connection.execute(table.delete())
            batch: list[dict[str, Any]] = []
            for line in lines:
                table = tables.get(line["t"])
                if table is None:
                    raise BackupError(f"tệp sao lưu có bảng lạ «{line['t']}»")
                if current is not None and (table is not current or len(batch) >= 1000):
                    await connection.execute(insert(current), batch)
                    batch = []
                current = table
                batch.append(_decode(table, line["r"]))
            if current is not None and batch:
                await connection.execute(insert(current), batch)
            await _reset_sequences(connection)
    except (DBAPIError, StatementError, KeyError, TypeError, ValueError) as exc:
        where = f" (bảng {current.name})" if current is not None else ""
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
        raise BackupError(f"tệp sao lưu «{name}» hỏng hoặc không nhất quán{where}: {reason}; "
                          "không khôi phục gì") from exc
    async with engine.connect() as connection:  # planner statistics for the new rows
        await connection.execute(text("ANALYZE"))
        await connection.commit()


def _lines(source: Path) -> Iterator[dict[str, Any]]:
    try:
        with gzip.open(source, "rt", encoding="utf-8") as stream:
            for line in stream:
                yield json.loads(line)
    except (OSError, ValueError) as exc:
        raise BackupError(f"không đọc được «{source.name}»: {exc}") from exc


def _encode(row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dt.datetime | dt.date):
            out[key] = value.isoformat()
        elif isinstance(value, bytes):
            out[key] = base64.b64encode(value).decode()
        else:
            out[key] = value
    return out


def _decode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for column in table.columns:
        value = out.get(column.name)
        if value is None:
            continue
        if isinstance(column.type, DateTime):
            parsed = dt.datetime.fromisoformat(value)
            out[column.name] = parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
        elif isinstance(column.type, Date):
            out[column.name] = dt.date.fromisoformat(value)
        elif isinstance(column.type, LargeBinary):
            out[column.name] = base64.b64decode(value)
    return out


async def _reset_sequences(connection: AsyncConnection) -> None:
    """PostgreSQL hands out ids from sequences: move each past the restored ids."""
    if connection.dialect.name != "postgresql":
        return
    for table in Base.metadata.sorted_tables:
        if "id" in table.columns:
            await connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))


def _sqlite_path(url: str) -> Path:
    database = make_url(async_url(url)).database
    if not database or database == ":memory:":
        raise BackupError("cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được")
    return Path(database)


async def _sqlite_copy(source: Path, target: Path) -> dict[str, int]:
    if not source.is_file():
        raise BackupError(f"không có tệp cơ sở dữ liệu «{source}»")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        await asyncio.to_thread(_online_backup, source, target)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"«{source.name}» không phải tệp cơ sở dữ liệu SQLite dùng được "
                          f"({exc})") from exc
    return await row_counts(f"sqlite:///{target}")


def _online_backup(source: Path, target: Path) -> None:
    """SQLite's backup API: a consistent copy even while the bot writes."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _pg(command: list[str], url: str, database_flag: bool = False) -> None:
    parsed = make_url(async_url(url))
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)  # never on the command line
    target = ["--host", parsed.host or "127.0.0.1", "--port", str(parsed.port or 5432),
              "--username", parsed.username or "postgres"]
    name = ["--dbname", parsed.database or ""] if database_flag else [parsed.database or ""]
    done = subprocess.run(command[:1] + target + command[1:] + name, env=env,
                          capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} thất bại: {done.stderr.strip()[:500]}")
