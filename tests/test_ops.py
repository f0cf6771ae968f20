"""What the IT officer's monitoring sees: /healthz, /readyz and /metrics on the web app."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
from sqlalchemy import update

from bot.handlers import Handlers
from bot.types import Incoming
from bot.web import create_app
from plan.agencies import Directory
from storage.models import SweepRun
from storage.uow import Database
from tests.engine_helpers import contact, load_example, sweeper


def client(db: Database) -> httpx.AsyncClient:
    web = create_app(Handlers(db, lambda: dt.date(2023, 9, 20)), "secret-for-tests")
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://ops")


async def started(db: Database, hours_ago: int) -> None:
    async with db.uow() as uow:
        await uow.session.execute(update(SweepRun).values(
            started_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours_ago)))
        await uow.commit()


async def test_ready_until_the_daily_sweep_is_two_days_stale(db: Database) -> None:
    async with client(db) as http:
        assert (await http.get("/healthz")).json() == {"status": "ok"}
        fresh = await http.get("/readyz")
        assert fresh.status_code == 200 and fresh.json()["checks"]["sweep"] == "chưa chạy lần nào"
        await sweeper(db).run(dt.date(2023, 9, 20))
        await started(db, hours_ago=20)
        assert (await http.get("/readyz")).status_code == 200
        await started(db, hours_ago=72)
        stale = await http.get("/readyz")
        assert stale.status_code == 503 and "72." in stale.json()["checks"]["sweep"]


async def test_not_ready_on_an_unmigrated_database(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        async with client(db) as http:
            response = await http.get("/readyz")
        assert response.status_code == 503 and "nhacviec db upgrade" in response.text
    finally:
        await db.dispose()


async def test_metrics_report_outbox_sweep_and_handler_latency(
        db: Database, example_path: Path, directory: Directory) -> None:
    await load_example(db, example_path, directory)
    await contact(db, "Sở Khoa học và Công nghệ", "khcn")
    await contact(db, "Sở Tư pháp", "tp", channel="telegram")
    await sweeper(db).run(dt.date(2023, 9, 20))
    handlers = Handlers(db, lambda: dt.date(2023, 9, 20))
    await handlers.handle(Incoming("telegram", "tp", "/nhiemvu"))
    async with client(db) as http:
        body = (await http.get("/metrics")).text
    assert 'nhacviec_outbox_messages{channel="recording",state="pending"} 1.0' in body
    assert 'nhacviec_outbox_messages{channel="telegram",state="pending"} 1.0' in body
    assert "nhacviec_last_sweep_timestamp_seconds " in body
    assert 'nhacviec_handler_seconds_count{channel="telegram"}' in body
    oldest = next(line for line in body.splitlines()
                  if line.startswith("nhacviec_outbox_oldest_pending_seconds "))
    assert float(oldest.split()[1]) >= 0
