"""Backups restore every row: plans, contacts, answers, outbox — on either backend."""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.handlers import Handlers
from bot.types import Incoming
from cli.main import app
from plan.agencies import Directory
from storage import backup
from storage.backup import BackupError
from storage.db import make_engine
from storage.models import Base
from storage.uow import Database
from tests.engine_helpers import assignment_of, contact, load_example, sweeper
from words.messages import assignment_code

DAY = dt.date(2023, 9, 25)


async def fill(db: Database, example_path: Path, directory: Directory) -> None:
    await load_example(db, example_path, directory)
    await contact(db, "Sở Tư pháp", "tp", channel="telegram", name="Anh Minh")
    bot = Handlers(db, lambda: DAY)
    code = assignment_code(await assignment_of(db, "I.2", "Sở Tư pháp"))
    for text in (f"{code} dang 50% có dự thảo", f"{code} xong 15/KH-STP ngày 20/01/2023"):
        await bot.handle(Incoming("telegram", "tp", text))
    await sweeper(db).run(dt.date(2023, 9, 20))  # a check-in day: reminders for everyone


async def dump(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, with times made comparable across backends."""
    engine = make_engine(url)
    out: dict[str, list[dict[str, Any]]] = {}
    try:
        async with engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                rows = await connection.execute(select(table).order_by(*table.primary_key))
                out[table.name] = [{k: _same(v) for k, v in row._mapping.items()} for row in rows]
    finally:
        await engine.dispose()
    return out


def _same(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    return value


async def test_json_backup_restores_every_row_elsewhere(
        db: Database, db_url: str, example_path: Path, directory: Directory,
        tmp_path: Path) -> None:
    await fill(db, example_path, directory)
    file = tmp_path / "nhacviec.json.gz"
    counts = await backup.backup(db_url, file)
    assert counts["status_reports"] == 2 and counts["outbox"] > 0 and counts["contacts"] == 1
    elsewhere = f"sqlite:///{tmp_path / 'restored.db'}"  # a new, empty database
    assert await backup.restore(elsewhere, file) == counts
    original, restored = await dump(db_url), await dump(elsewhere)
    assert restored == original
    assert sum(len(rows) for rows in original.values()) > 1000


async def test_sqlite_file_backup_and_refusals(db: Database, db_url: str, example_path: Path,
                                               directory: Directory, tmp_path: Path) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("the .db format is SQLite's")
    await fill(db, example_path, directory)
    copy = tmp_path / "copy.db"
    counts = await backup.backup(db_url, copy)
    target = f"sqlite:///{tmp_path / 'again.db'}"
    assert await backup.restore(target, copy) == counts
    assert await dump(target) == await dump(db_url)
    with pytest.raises(BackupError, match="không ghi đè"):
        await backup.restore(target, copy)  # not empty any more
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(gzip.compress(b'{"format": "other"}\n'))
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    with pytest.raises(BackupError, match="không phải tệp sao lưu"):
        await backup.restore(empty, broken)
    with pytest.raises(BackupError, match="không rõ định dạng"):
        await backup.backup(db_url, tmp_path / "x.zip")


def test_cli_backup_rotates_and_restore_needs_force(tmp_path: Path, example_path: Path) -> None:
    runner = CliRunner()
    env = {"NHACVIEC_DATABASE_URL": f"sqlite:///{tmp_path / 'main.db'}",
           "NHACVIEC_BACKUP_DIR": str(tmp_path / "backups"), "NHACVIEC_BACKUP_KEEP": "2"}
    assert runner.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    assert runner.invoke(app, ["import", str(example_path)], env=env).exit_code == 0
    made = []
    for _ in range(3):
        done = runner.invoke(app, ["backup", "--rotate"], env=env)
        assert done.exit_code == 0 and "32 nhiệm vụ" in done.output, done.output
        made.append(done.output)
        import time

        time.sleep(1.1)  # names carry the second
    assert len(list((tmp_path / "backups").glob("nhacviec-*.db"))) == 2
    assert "Đã xóa 1 bản cũ" in made[-1]
    newest = sorted((tmp_path / "backups").glob("nhacviec-*.db"))[-1]
    refused = runner.invoke(app, ["restore", str(newest)], env=env)
    assert refused.exit_code == 2 and "--force" in refused.output
    forced = runner.invoke(app, ["restore", str(newest), "--force"], env=env)
    assert forced.exit_code == 0 and "32 nhiệm vụ" in forced.output
    missing = runner.invoke(app, ["restore", str(tmp_path / "nope.json.gz")], env=env)
    assert missing.exit_code == 2 and "không có tệp" in missing.output


@pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is not installed")
async def test_pg_dump_backup_restores_over_the_same_database_when_forced(
        db: Database, db_url: str, example_path: Path, directory: Directory,
        tmp_path: Path) -> None:
    if db_url.startswith("sqlite"):
        pytest.skip("pg_dump is PostgreSQL's")
    await fill(db, example_path, directory)
    before = await dump(db_url)
    file = tmp_path / "nhacviec.dump"
    counts = await backup.backup(db_url, file)
    with pytest.raises(BackupError, match="--force"):
        await backup.restore(db_url, file)
    assert await backup.restore(db_url, file, force=True) == counts
    assert await dump(db_url) == before


async def test_nightly_backup_keeps_the_newest_and_never_raises(
        db: Database, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cli.running import nightly_backup
    from config.settings import Settings

    s = Settings(database_url=db_url, backup_dir=tmp_path / "backups", backup_keep=1,
                 backup_at=dt.time(2, 30))
    first = await nightly_backup(s)
    import asyncio

    await asyncio.sleep(1.1)  # file names carry the second
    second = await nightly_backup(s)
    assert first and second and not first.exists() and second.exists()
    broken = Settings(database_url=f"sqlite:///{tmp_path / 'missing' / 'x.db'}",
                      backup_dir=tmp_path / "b2")
    monkeypatch.chdir(tmp_path)
    assert await nightly_backup(broken) is None  # logged, not raised: the bot keeps running
