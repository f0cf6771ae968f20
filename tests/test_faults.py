"""The operator's bad day, with real processes: `nhacviec run` against the fake Telegram
server and a throwaway PostgreSQL cluster the tests kill and start again.

For each fault: every answer is stored exactly once, every reminder is delivered, and a
repeat happens only where the README says it can (and is logged).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from fakes.server import free_port
from fakes.telegram import FakeTelegram, Fault
from plan.agencies import Directory
from storage.db import async_url
from storage.migrate import upgrade
from storage.models import InboxUpdate, OutboxMessage, StatusReport, SweepRun
from storage.uow import Database
from tests.engine_helpers import assignment_of, contact, load_example
from tests.pg_cluster import Cluster, new_cluster
from tests.process_helpers import start, stop, wait_for
from words.codes import assignment_code

pytestmark = pytest.mark.slow
KHCN = "Sở Khoa học và Công nghệ"
FOCAL = [1001, 1002, 1003]
SECRET = "fault-secret-1"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    made = new_cluster()
    try:
        yield made
    finally:
        made.remove()


@pytest.fixture
async def pg(cluster: Cluster, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A fresh database in the throwaway cluster, migrated."""
    name = f"t{abs(hash(request.node.name)) % 10**8}"
    admin = create_async_engine(async_url(cluster.url), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    url = cluster.url.rsplit("/", 1)[0] + f"/{name}"
    await asyncio.to_thread(upgrade, url)
    yield url


async def prepared(url: str, example_path: Path, directory: Directory) -> tuple[Database, str]:
    db = Database.from_url(url)
    await load_example(db, example_path, directory)
    for chat in FOCAL:
        await contact(db, KHCN, str(chat), channel="telegram")
    return db, assignment_code(await assignment_of(db, "VII.2", KHCN))








async def count(db: Database, model: type) -> int:
    async with db.uow() as uow:
        return int((await uow.session.execute(select(func.count()).select_from(model)))
                   .scalar_one())


def acknowledged(fake: FakeTelegram, chat: int) -> int:
    return sum(1 for t in fake.replies_to(chat) if t.startswith("Đã ghi nhận"))


async def test_database_down_20_s_while_polling_loses_no_answer_and_repeats_none(
        pg: str, cluster: Cluster, telegram: tuple[FakeTelegram, str], example_path: Path,
        directory: Directory, tmp_path: Path) -> None:
    db, code = await prepared(pg, example_path, directory)
    fake = telegram[0]
    log = tmp_path / "run.log"
    process = start(pg, telegram, log)
    try:
        fake.user_message(1001, f"{code} dang 10%")
        await wait_for(lambda: acknowledged(fake, 1001) == 1)
        await db.dispose()
        cluster.kill()
        try:
            for n, chat in enumerate(FOCAL):  # answers sent while the database is down
                fake.user_message(chat, f"{code} dang {20 + n}%")
            await asyncio.sleep(20)
            assert all(acknowledged(fake, chat) == (1 if chat == 1001 else 0) for chat in FOCAL)
            assert len(fake.updates) == 3  # none confirmed to Telegram: none stored
        finally:
            cluster.start()
        await wait_for(lambda: all(acknowledged(fake, chat) == (2 if chat == 1001 else 1)
                                   for chat in FOCAL), seconds=90)
        await asyncio.sleep(2)  # a repeat would show up now
    finally:
        stop(process)
    assert process.returncode == 0
    assert await count(db, StatusReport) == 4  # each answer exactly once
    assert [acknowledged(fake, chat) for chat in FOCAL] == [2, 1, 1]
    assert "could not store Telegram update" in log.read_text()
    await db.dispose()


async def test_database_down_at_the_webhook_answers_503_then_each_delivery_once(
        pg: str, cluster: Cluster, telegram: tuple[FakeTelegram, str], example_path: Path,
        directory: Directory, tmp_path: Path) -> None:
    db, code = await prepared(pg, example_path, directory)
    fake = telegram[0]
    port = free_port()
    process = start(pg, telegram, tmp_path / "run.log", NHACVIEC_WEBHOOK_SECRET=SECRET,
                    NHACVIEC_WEBHOOK_URL=f"http://127.0.0.1:{port}",
                    NHACVIEC_WEBHOOK_LISTEN=f"127.0.0.1:{port}")
    hook = f"http://127.0.0.1:{port}/telegram/webhook"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}

    def update(n: int, chat: int) -> dict[str, object]:
        return {"update_id": 500 + n, "message": {
            "message_id": n, "date": 1700000000, "text": f"{code} dang {30 + n}%",
            "chat": {"id": chat, "type": "private"},
            "from": {"id": chat, "is_bot": False, "first_name": "Lan"}}}

    async def deliver(http: httpx.AsyncClient, body: dict[str, object]) -> list[int]:
        """What Telegram does: resend until the webhook answers 200."""
        statuses: list[int] = []
        while not statuses or statuses[-1] != 200:
            try:
                statuses.append((await http.post(hook, json=body, headers=headers)).status_code)
            except httpx.HTTPError:
                statuses.append(0)
            if statuses[-1] != 200:
                await asyncio.sleep(1)
        return statuses

    try:
        async with httpx.AsyncClient(timeout=30) as http:
            async def listening() -> bool:
                try:
                    return (await http.get(f"http://127.0.0.1:{port}/healthz")).is_success
                except httpx.HTTPError:
                    return False

            await wait_for(listening)
            assert fake.webhook_url
            assert await deliver(http, update(0, 1001)) == [200]
            await db.dispose()
            cluster.kill()
            sending = [asyncio.create_task(deliver(http, update(n, chat)))
                       for n, chat in enumerate(FOCAL, start=1)]
            await asyncio.sleep(20)
            cluster.start()
            results = await asyncio.gather(*sending)
            assert all(503 in r for r in results)  # refused while the database was down
            for n, chat in enumerate(FOCAL, start=1):  # Telegram's own repeats: no effect
                assert await deliver(http, update(n, chat)) == [200]
        await wait_for(lambda: all(acknowledged(fake, chat) == (2 if chat == 1001 else 1)
                                   for chat in FOCAL), seconds=60)
        await asyncio.sleep(2)
    finally:
        stop(process)
    assert await count(db, StatusReport) == 4
    assert [acknowledged(fake, chat) for chat in FOCAL] == [2, 1, 1]
    await db.dispose()


async def test_the_sweep_is_retried_when_the_database_is_down_at_remind_time(
        pg: str, cluster: Cluster, telegram: tuple[FakeTelegram, str], example_path: Path,
        directory: Directory, tmp_path: Path) -> None:
    db, _ = await prepared(pg, example_path, directory)
    await db.dispose()
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    now = dt.datetime.now(zone)
    remind = (now + dt.timedelta(seconds=18)).replace(microsecond=0)
    log = tmp_path / "run.log"
    process = start(pg, telegram, log, NHACVIEC_REMIND_AT=f"{remind:%H:%M:%S}",
                    NHACVIEC_TODAY="")  # the real clock: the sweep waits for its time
    try:
        await wait_for(lambda: "nhacviec is running" in log.read_text())
        await asyncio.sleep(max(0.0, (remind - dt.datetime.now(zone)).total_seconds() - 6))
        cluster.kill()  # down from 6 s before the day's sweep to 14 s after (its first retry
        # is 15 s after the failure)
        try:
            await asyncio.sleep(20)
            assert process.poll() is None
            assert "sweep failed; retrying" in log.read_text()
        finally:
            cluster.start()
        db = Database.from_url(pg)

        async def swept() -> bool:
            async with db.uow() as uow:
                return bool((await uow.session.execute(select(SweepRun.finished_at).where(
                    SweepRun.run_date == remind.date()))).scalar_one_or_none())

        await wait_for(swept, seconds=90)
    finally:
        stop(process)
    assert await count(db, SweepRun) == 1  # once, on the day it was due
    await db.dispose()


async def test_a_platform_outage_of_30_scaled_minutes_delivers_everything_afterwards(
        pg: str, telegram: tuple[FakeTelegram, str], example_path: Path, directory: Directory,
        tmp_path: Path) -> None:
    db, _ = await prepared(pg, example_path, directory)
    fake = telegram[0]
    outage = Fault("sendMessage", times=10**9, status=502, description="Bad Gateway")
    fake.arm(outage)
    # Time scaled 90:1: 20 s stand for 30 minutes; retries from 0.2 s capped at 1 s for
    # 18 s capped at 90 s.
    process = start(pg, telegram, tmp_path / "run.log")
    try:
        await asyncio.sleep(20)
        assert fake.sent() == []
        outage.times = 0  # the platform is back
        await wait_for(lambda: len({m["chat_id"] for m in fake.sent()}) == len(FOCAL))
        await asyncio.sleep(2)
    finally:
        stop(process)
    async with db.uow() as uow:
        states = Counter((await uow.session.execute(select(OutboxMessage.state))).scalars())
    assert set(states) == {"sent"}  # nothing dead
    assert set(Counter(int(m["chat_id"]) for m in fake.sent()).values()) == {1}
    await db.dispose()


async def test_a_slow_platform_gets_each_reminder_once(
        pg: str, telegram: tuple[FakeTelegram, str], example_path: Path, directory: Directory,
        tmp_path: Path) -> None:
    db, _ = await prepared(pg, example_path, directory)
    fake = telegram[0]
    fake.arm(Fault("sendMessage", times=10**6, status=200, delay=3.0))  # slower than the lease
    process = start(pg, telegram, tmp_path / "run.log", NHACVIEC_SEND_LEASE_SECONDS="1")
    try:
        await wait_for(lambda: len({m["chat_id"] for m in fake.sent()}) == len(FOCAL))
        await asyncio.sleep(8)  # a reclaimed send would repeat now
    finally:
        stop(process)
    assert set(Counter(int(m["chat_id"]) for m in fake.sent()).values()) == {1}
    await db.dispose()


async def test_two_pollers_one_receives_and_the_other_takes_over_after_sigkill(
        pg: str, telegram: tuple[FakeTelegram, str], example_path: Path, directory: Directory,
        tmp_path: Path) -> None:
    db, code = await prepared(pg, example_path, directory)
    fake = telegram[0]
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    processes = [start(pg, telegram, logs[0])]
    try:
        await wait_for(lambda: "this process receives" in logs[0].read_text())
        processes.append(start(pg, telegram, logs[1]))
        await wait_for(lambda: "standing by" in logs[1].read_text())
        fake.user_message(1001, f"{code} dang 40%")
        await wait_for(lambda: acknowledged(fake, 1001) == 1)
        conflicts = [c for c in fake.calls if c.method == "getupdates" and c.status == 409]
        assert conflicts == []  # never two pollers at once
        processes[0].send_signal(signal.SIGKILL)
        processes[0].wait(timeout=10)
        killed = time.monotonic()
        fake.user_message(1002, f"{code} dang 50%")
        await wait_for(lambda: acknowledged(fake, 1002) == 1, seconds=60)
        took_over = time.monotonic() - killed
        await asyncio.sleep(2)
    finally:
        for process in processes:
            stop(process)
    assert "this process receives" in logs[1].read_text()
    assert took_over < 30, took_over  # the lease (15 s) ends, the standby takes it
    assert await count(db, StatusReport) == 2
    async with db.uow() as uow:
        states = set((await uow.session.execute(select(InboxUpdate.state))).scalars())
    assert states == {"done"}
    await db.dispose()


async def test_sigkill_of_the_poller_with_answers_in_hand_loses_none(
        pg: str, telegram: tuple[FakeTelegram, str], example_path: Path, directory: Directory,
        tmp_path: Path) -> None:
    db, code = await prepared(pg, example_path, directory)
    fake = telegram[0]
    fake.arm(Fault("sendMessage", times=10**6, status=200, delay=1.0))  # replies in flight
    log = tmp_path / "run.log"
    first = start(pg, telegram, log)
    try:
        await wait_for(lambda: "this process receives" in log.read_text())
        for n in range(6):
            fake.user_message(FOCAL[n % 3], f"{code} dang {60 + n}%")
        await wait_for(lambda: any(c.method == "sendmessage" for c in fake.calls), seconds=30)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop(first)
    second = start(pg, telegram, log)
    try:
        await wait_for(lambda: sum(acknowledged(fake, chat) for chat in FOCAL) >= 6,
                       seconds=90)
        await asyncio.sleep(3)
    finally:
        stop(second)
    assert await count(db, StatusReport) == 6  # every answer stored, none twice
    repeats = sum(acknowledged(fake, chat) for chat in FOCAL) - 6
    assert repeats <= log.read_text().count("one may repeat")  # only where documented
    await db.dispose()


@pytest.mark.parametrize("fault", ["stopped 10 s", "fast restart"])
async def test_zalo_answers_during_a_database_blip_are_stored_once_and_answered(
        pg: str, cluster: Cluster, telegram: tuple[FakeTelegram, str], example_path: Path,
        directory: Directory, tmp_path: Path, fault: str) -> None:
    """6 of 10 Zalo answers sent during an outage or right after a fast restart were lost:
    the lease renewal failed and the poll was cancelled with the update in hand (Zalo hands
    each update out once). The poll now goes on and stores what it took."""
    from fakes import zalo as fake_zalo
    from fakes.server import BackgroundServer

    db, code = await prepared(pg, example_path, directory)
    chats = [f"z{n}" for n in range(10)]
    for chat in chats:
        await contact(db, KHCN, chat, channel="zalo")
    zalo = fake_zalo.FakeZalo()
    with BackgroundServer(fake_zalo.create_app(zalo)) as server:
        process = start(pg, telegram, tmp_path / "run.log", NHACVIEC_ZALO_BOT_TOKEN=zalo.token,
                        NHACVIEC_ZALO_API_BASE_URL=server.url)
        try:
            await wait_for(lambda: "poll:zalo: this process receives" in
                           (tmp_path / "run.log").read_text(), seconds=30)
            await db.dispose()
            cluster.kill()
            try:
                if fault == "stopped 10 s":
                    for n, chat in enumerate(chats):
                        zalo.text(chat, f"{code} dang {n + 10}%")
                        await asyncio.sleep(1)
            finally:
                cluster.start()
            if fault == "fast restart":
                for n, chat in enumerate(chats):
                    zalo.text(chat, f"{code} dang {n + 10}%")
                    await asyncio.sleep(0.05)
            await wait_for(lambda: all(any(t.startswith("Đã ghi nhận") for t in zalo.sent(c))
                                       for c in chats), seconds=120)
            await asyncio.sleep(2)  # a repeat would show up now
        finally:
            stop(process)
    assert await count(db, StatusReport) == len(chats)  # each answer exactly once
    assert all(sum(t.startswith("Đã ghi nhận") for t in zalo.sent(c)) == 1 for c in chats)
    await db.dispose()
