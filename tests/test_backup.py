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


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_sqlite_json_backup_taken_while_answers_arrive_is_a_snapshot_that_restores(
        db: Database, db_url: str, example_path: Path, directory: Directory,
        tmp_path: Path) -> None:
    import asyncio
    import sqlite3
    import threading

    await fill(db, example_path, directory)
    path = db_url.removeprefix("sqlite:///")
    assignment = await assignment_of(db, "I.2", "Sở Tư pháp")
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        """Another process answering: a new contact, then an answer that refers to it."""
        connection = sqlite3.connect(path, timeout=30)
        connection.execute("PRAGMA foreign_keys=ON")
        n = 0
        while not stop.is_set():
            n += 1
            with connection:
                contact_id = connection.execute(
                    "INSERT INTO contacts (agency_id, channel, chat_id, display_name, role, "
                    "reachable, linked_at) SELECT agency_id, 'zalo', ?, 'X', 'focal', 1, "
                    "'2023-09-25 01:00:00' FROM assignments WHERE id = ?",
                    (f"w{n}", assignment)).lastrowid
                connection.execute(
                    "INSERT INTO status_reports (assignment_id, contact_id, agency_id, channel, "
                    "status, created_at, answered_on) SELECT id, ?, agency_id, 'zalo', "
                    "'in_progress', '2023-09-25 01:00:00', '2023-09-25' FROM assignments "
                    "WHERE id = ?", (contact_id, assignment))
            written.append(n)
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        targets = []
        for n in range(3):
            target = tmp_path / f"live-{n}.json.gz"
            await backup.backup(db_url, target)
            targets.append(target)
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        thread.join()
    assert len(written) > 50  # the writer really was busy during the backups
    for n, target in enumerate(targets):  # each restores: no answer without its contact
        counts = await backup.restore(f"sqlite:///{tmp_path / f'copy-{n}.db'}", target)
        assert counts["status_reports"] >= 2 and counts["contacts"] >= 1
    assert not list(tmp_path.glob("*.snapshot.db*")) and not list(tmp_path.glob(".*.partial"))


async def test_a_backup_whose_rows_do_not_fit_is_refused_in_one_line_and_restores_nothing(
        db: Database, db_url: str, example_path: Path, directory: Directory,
        tmp_path: Path) -> None:
    await fill(db, example_path, directory)
    good = tmp_path / "good.json.gz"
    await backup.backup(db_url, good)
    lines = gzip.decompress(good.read_bytes()).decode().splitlines()
    broken = [line for line in lines if '"t": "contacts"' not in line]  # answers lose their
    bad = tmp_path / "bad.json.gz"  # contacts, as a backup that was not a snapshot would
    bad.write_bytes(gzip.compress("\n".join(broken).encode()))
    import asyncio

    result = await asyncio.to_thread(CliRunner().invoke, app, ["restore", str(bad)], env={
        "NHACVIEC_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"})
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.startswith("Lỗi: tệp sao lưu «bad.json.gz» hỏng hoặc không nhất quán")
    assert "không khôi phục gì" in line and "Traceback" not in result.output
    assert not (tmp_path / "fresh.db").exists()  # the new database is gone with the failure


def test_a_partial_left_by_a_killed_backup_is_removed_by_the_next(tmp_path: Path) -> None:
    import os
    import time

    stale = tmp_path / ".nhacviec-20260101-020000.json.gz.partial"
    stale.write_bytes(b"half a backup")
    hour_ago = time.time() - 3700
    os.utime(stale, (hour_ago, hour_ago))
    fresh = tmp_path / ".other.json.gz.partial"  # another backup still writing
    fresh.write_bytes(b"in progress")
    backup._remove_stale_partials(tmp_path)
    assert not stale.exists() and fresh.exists()


@pytest.mark.parametrize("name", ["bad.json.gz", "bad.db"])
def test_a_failed_restore_into_a_new_database_leaves_nothing_behind(tmp_path: Path,
                                                                    name: str) -> None:
    import gzip

    from typer.testing import CliRunner

    from cli.main import app

    bad = tmp_path / name
    bad.write_bytes(gzip.compress(b"garbage") if name.endswith(".gz") else b"garbage")
    target = tmp_path / "new" / "deeper" / "nhacviec.db"
    result = CliRunner().invoke(app, ["restore", str(bad)],
                                env={"NHACVIEC_DATABASE_URL": f"sqlite:///{target}"})
    assert result.exit_code == 2 and result.output.startswith("Lỗi: "), result.output
    assert result.output.count("\n") == 1
    assert not (tmp_path / "new").exists()


async def test_a_restore_killed_mid_way_leaves_nothing_and_the_rerun_restores(
        db: Database, db_url: str, example_path: Path, directory: Directory,
        tmp_path: Path) -> None:
    """A restore killed during its migration left a half-built file that the rerun could
    not handle (a 438-line traceback). It is now built under another name and renamed only
    when complete."""
    import os
    import signal
    import subprocess
    import sys
    import time

    await fill(db, example_path, directory)
    saved = tmp_path / "sao-luu.json.gz"
    await backup.backup(db_url, saved)
    target = tmp_path / "moi" / "nhacviec.db"
    building = target.with_name(f".{target.name}.restoring")
    env = {**os.environ, "NHACVIEC_DATABASE_URL": f"sqlite:///{target}"}
    root = Path(__file__).resolve().parent.parent
    killed = subprocess.Popen([sys.executable, "-m", "cli.main", "restore", str(saved)],
                              env=env, cwd=root, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not building.exists() and killed.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert building.exists(), "the restore should have been caught while building"
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait(timeout=10)
    assert not target.exists()  # nothing half-built where the database belongs
    again = subprocess.run([sys.executable, "-m", "cli.main", "restore", str(saved)], env=env,
                           cwd=root, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert target.exists() and not building.exists()
    assert await dump(f"sqlite:///{target}") == await dump(db_url)
