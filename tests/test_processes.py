"""Real `nhacviec run` processes against the fake Telegram server: SIGKILL and two instances."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fakes.telegram import FakeTelegram, Fault
from plan.agencies import Directory
from storage.models import Contact, OutboxMessage, SweepRun
from storage.uow import Database
from tests.conftest import PG_URL
from tests.engine_helpers import contact, load_example
from tests.process_helpers import start, stop, wait_for

pytestmark = pytest.mark.slow
KHCN = "Sở Khoa học và Công nghệ"
CHATS = 24








async def enroll(db: Database, example_path: Path, directory: Directory) -> None:
    await load_example(db, example_path, directory)
    for n in range(CHATS):
        await contact(db, KHCN, str(5000 + n), channel="telegram")


def delivered(fake: FakeTelegram) -> Counter[int]:
    return Counter(int(m["chat_id"]) for m in fake.sent())


async def test_sigkill_mid_dispatch_loses_nothing_and_repeats_only_in_flight(
        db: Database, db_url: str, telegram: tuple[FakeTelegram, str], example_path: Path,
        directory: Directory, tmp_path: Path) -> None:
    fake = telegram[0]
    await enroll(db, example_path, directory)
    fake.arm(Fault("sendMessage", times=10_000, status=200, delay=0.4))  # slow, successful sends
    log = tmp_path / "run.log"
    first = start(db_url, telegram, log)
    try:
        await wait_for(lambda: len(delivered(fake)) >= 3)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop(first)
    async with db.uow() as uow:
        in_flight = set((await uow.session.execute(
            select(Contact.chat_id).join(OutboxMessage, OutboxMessage.contact_id == Contact.id)
            .where(OutboxMessage.state == "sending"))).scalars())
    assert in_flight, "the kill should have caught messages in flight"
    second = start(db_url, telegram, log)
    try:
        await wait_for(lambda: len(delivered(fake)) == CHATS, seconds=60)
        async def all_sent() -> bool:
            async with db.uow() as uow:
                return (await uow.session.execute(select(func.count()).select_from(
                    OutboxMessage).where(OutboxMessage.state != "sent"))).scalar_one() == 0
        deadline = time.monotonic() + 20
        while not await all_sent():
            assert time.monotonic() < deadline
            await asyncio.sleep(0.2)
    finally:
        stop(second)
    counts = delivered(fake)
    repeated = {str(chat) for chat, n in counts.items() if n > 1}
    assert set(counts) == {5000 + n for n in range(CHATS)}  # nobody lost
    assert max(counts.values()) <= 2 and repeated <= in_flight  # repeats only for in-flight rows
    # warned only where a send was under way: not for every row the batch had claimed
    assert len(repeated) <= log.read_text().count("may be sent twice") <= len(in_flight)


@pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not set")
async def test_two_processes_on_postgresql_sweep_once_and_send_each_reminder_once(
        db_url: str, telegram: tuple[FakeTelegram, str], example_path: Path,
        directory: Directory, tmp_path: Path) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("this test is about PostgreSQL")
    from storage.migrate import upgrade

    await asyncio.to_thread(upgrade, db_url)
    db = Database.from_url(db_url)
    try:
        fake = telegram[0]
        await enroll(db, example_path, directory)
        fake.arm(Fault("sendMessage", times=10_000, status=200, delay=0.05))
        processes = [start(db_url, telegram, tmp_path / f"run{n}.log") for n in range(2)]
        try:
            await wait_for(lambda: len(delivered(fake)) == CHATS, seconds=60)
            await asyncio.sleep(2.0)  # give a duplicate every chance to show up
            assert [p.poll() for p in processes] == [None, None]  # both ran throughout
        finally:
            for process in processes:
                stop(process)
        assert set(delivered(fake).values()) == {1}
        async with db.uow() as uow:
            runs = (await uow.session.execute(select(func.count()).select_from(SweepRun))
                    ).scalar_one()
            states = set((await uow.session.execute(select(OutboxMessage.state))).scalars())
        assert runs == 1 and states == {"sent"}
    finally:
        await db.dispose()


async def test_run_answers_on_telegram_and_zalo_at_once(
        db: Database, db_url: str, telegram: tuple[FakeTelegram, str], example_path: Path,
        directory: Directory, tmp_path: Path) -> None:
    from fakes.server import BackgroundServer
    from fakes.zalo import FakeZalo, create_app
    from storage import invites

    await load_example(db, example_path, directory)
    fake_tg = telegram[0]
    fake_zalo = FakeZalo()
    with BackgroundServer(create_app(fake_zalo)) as zalo_server:
        codes = []
        async with db.uow() as uow:
            for _ in range(2):
                code, _ = await invites.create(uow.session, KHCN, "focal", "t",
                                               dt.timedelta(days=7), dt.datetime.now(dt.UTC))
                codes.append(code)
            await uow.commit()
        env = {"NHACVIEC_ZALO_BOT_TOKEN": fake_zalo.token,
               "NHACVIEC_ZALO_API_BASE_URL": zalo_server.url}
        process = start(db_url, telegram, tmp_path / "run.log", **env)
        try:
            fake_tg.user_message(1001, f"/START {codes[0].upper()}")  # typed in capitals
            fake_zalo.text("z-lan", f"/start {codes[1]}")
            await wait_for(lambda: any("đầu mối của" in t for t in fake_tg.replies_to(1001)))
            await wait_for(lambda: any("đầu mối của" in t for t in fake_zalo.sent("z-lan")))
        finally:
            stop(process)
        assert process.returncode == 0  # SIGTERM: a clean stop
    log = (tmp_path / "run.log").read_text()
    assert fake_tg.token not in log and fake_zalo.token not in log
    # invite codes are secrets too: in no log line (any case), no stored row, no backup
    assert all(code not in log.lower() for code in codes)
    backup = tmp_path / "sao-luu.json.gz"
    from typer.testing import CliRunner

    from cli.main import app

    done = await asyncio.to_thread(CliRunner().invoke, app, ["backup", "-o", str(backup)],
                                   env={"NHACVIEC_DATABASE_URL": db_url})
    assert done.exit_code == 0, done.output
    import gzip

    kept = gzip.decompress(backup.read_bytes()).decode().lower()
    assert "đầu mối" in kept or "contacts" in kept  # the backup holds the enrolment …
    assert all(code not in kept for code in codes)  # … and never the code that made it
    assert fake_tg.token not in kept and fake_zalo.token not in kept


async def test_sigterm_finishes_the_send_in_flight_and_stops_within_10_s(
        db: Database, db_url: str, telegram: tuple[FakeTelegram, str], example_path: Path,
        directory: Directory, tmp_path: Path) -> None:
    fake = telegram[0]
    await enroll(db, example_path, directory)
    fake.arm(Fault("sendMessage", times=10_000, status=200, delay=3.0))  # each send takes 3 s
    process = start(db_url, telegram, tmp_path / "run.log",
                    NHACVIEC_TELEGRAM_RATE_PER_SECOND="2")
    try:
        await wait_for(lambda: any(c.method == "sendmessage" for c in fake.calls)
                       or fake.faults[0].times < 10_000, seconds=30)
        await asyncio.sleep(0.5)  # a send is now waiting on the slow server
        asked = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=12)
        took = time.monotonic() - asked
    finally:
        stop(process)
    assert process.returncode == 0 and took < 10, took
    async with db.uow() as uow:
        sent = (await uow.session.execute(select(func.count()).select_from(OutboxMessage)
                                          .where(OutboxMessage.state == "sent"))).scalar_one()
    assert sent >= 1  # the send under way when the signal came was finished and recorded
    log = (tmp_path / "run.log").read_text()
    assert "finishing sends in flight" in log and "stopped" in log


async def test_second_sigterm_exits_at_once(
        db: Database, db_url: str, telegram: tuple[FakeTelegram, str], example_path: Path,
        directory: Directory, tmp_path: Path) -> None:
    fake = telegram[0]
    await enroll(db, example_path, directory)
    fake.arm(Fault("sendMessage", times=10_000, status=200, delay=30.0))  # stuck sends
    process = start(db_url, telegram, tmp_path / "run.log")
    try:
        await wait_for(lambda: fake.faults and fake.faults[0].times < 10_000, seconds=30)
        process.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.5)
        asked = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=5)
        assert time.monotonic() - asked < 2
    finally:
        stop(process)
    assert process.returncode != 0


@pytest.mark.parametrize("mode", ["monitoring", "webhook"])
async def test_one_sigterm_stops_gracefully_with_the_web_server_on(
        db: Database, db_url: str, telegram: tuple[FakeTelegram, str], example_path: Path,
        directory: Directory, tmp_path: Path, mode: str) -> None:
    """uvicorn saw the signal too and raised it again: one SIGTERM counted as two, and the
    process exited with 1 after 0.18 s ("second stop signal")."""
    once_on_postgresql(db_url)
    await enroll(db, example_path, directory)
    port = free_port()
    extra = {"NHACVIEC_HTTP_ENABLED": "true", "NHACVIEC_WEBHOOK_LISTEN": f"127.0.0.1:{port}"}
    if mode == "webhook":
        extra |= {"NHACVIEC_WEBHOOK_URL": "https://bot.example.org",
                  "NHACVIEC_WEBHOOK_SECRET": "s3cret-s3cret-s3cret"}
    process = start(db_url, telegram, tmp_path / "run.log", **extra)
    try:
        await wait_for(lambda: _healthy(port), seconds=30)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
    finally:
        stop(process)
    log = (tmp_path / "run.log").read_text()
    assert process.returncode == 0, log[-2000:]
    assert "second stop signal" not in log and "stopped" in log


def _healthy(port: int) -> bool:
    import httpx

    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("fault", ["502", "refused"])
async def test_a_platform_down_at_start_up_is_retried_and_run_keeps_going(
        db: Database, db_url: str, telegram: tuple[FakeTelegram, str], example_path: Path,
        directory: Directory, tmp_path: Path, fault: str) -> None:
    """A 502 from the Bot API at start-up killed `run` with a 150-line traceback, and a
    refused connection was reported as a database fault. Now both are the platform's
    outage: said so in Vietnamese, retried, and the bot answers once it is back."""
    from storage import invites

    once_on_postgresql(db_url)
    await load_example(db, example_path, directory)
    fake, url = telegram
    async with db.uow() as uow:
        code, _ = await invites.create(uow.session, KHCN, "focal", "t", dt.timedelta(days=7),
                                       dt.datetime.now(dt.UTC))
        await uow.commit()
    if fault == "502":
        fake.arm(Fault("getMe", times=3, status=502, description="Bad Gateway"))
        down = url
    else:
        down = f"http://127.0.0.1:{free_port()}/bot"  # nothing listens there
    process = start(db_url, (fake, down), tmp_path / "run.log")
    try:
        log = tmp_path / "run.log"
        await wait_for(lambda: "nền tảng telegram chưa trả lời khi khởi động" in log.read_text(),
                       seconds=30)
        assert process.poll() is None  # still running
        if fault == "refused":
            text = log.read_text()
            assert "bị từ chối" in text and "cơ sở dữ liệu" not in text
            return
        fake.user_message(1001, f"/start {code}")
        await wait_for(lambda: any("đầu mối của" in t for t in fake.replies_to(1001)),
                       seconds=30)
    finally:
        stop(process)
    assert process.returncode == 0


def once_on_postgresql(db_url: str) -> None:
    """A process test whose subject is not the database runs once: on PostgreSQL when CI
    has it, on SQLite otherwise (it keeps `make test` near its 12 minutes)."""
    if db_url.startswith("sqlite") and PG_URL:
        pytest.skip("runs once, on PostgreSQL, where TEST_DATABASE_URL is set")


class _Silent:
    """A portal that takes the connection and never answers: the handling hangs on it."""

    def __init__(self) -> None:
        import socket
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.requests = 0
        self.held: list[object] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            connection.recv(4096)
            self.requests += 1
            self.held.append(connection)  # never answered, never closed


async def test_an_update_that_kills_the_bot_three_times_is_set_aside(
        db: Database, db_url: str, telegram: tuple[FakeTelegram, str], example_path: Path,
        directory: Directory, tmp_path: Path) -> None:
    """A poison update was read again at every restart (an attempt was counted only when it
    failed with an error, never when the process died), and no other chat got an answer.
    Now each attempt is counted before it is handled: after three deaths it is set aside,
    its sender gets one apology, the coordinators are told, and the next start goes on."""
    import os

    once_on_postgresql(db_url)
    await enroll(db, example_path, directory)
    await contact(db, None, "9001", role="coordinator", channel="telegram")
    fake = telegram[0]
    portal = _Silent()
    extra = {"NHACVIEC_ADMIN_IDS": "telegram:9001"}
    fake.user_message(9001, f"/nhapkehoach http://127.0.0.1:{portal.port}/ke-hoach.docx")
    for attempt in range(1, 4):
        process = start(db_url, telegram, tmp_path / "run.log", **extra)
        try:
            await wait_for(lambda n=attempt: portal.requests >= n, seconds=40)
        finally:
            os.kill(process.pid, signal.SIGKILL)  # the OOM killer, say
            process.wait(timeout=10)
    process = start(db_url, telegram, tmp_path / "run.log", **extra)
    try:
        await wait_for(lambda: any("Xin lỗi, bot gặp sự cố" in t
                                   for t in fake.replies_to(9001)), seconds=40)
        await wait_for(lambda: any("để riêng" in t for t in fake.replies_to(9001)), seconds=30)
        fake.user_message(1001, "/nhiemvu")  # everyone else is answered
        await wait_for(lambda: fake.replies_to(1001), seconds=20)
    finally:
        stop(process)
    assert portal.requests == 3  # never read a fourth time
    from typer.testing import CliRunner

    from cli.main import app

    listed = await asyncio.to_thread(CliRunner().invoke, app, ["inbox"],
                                     env={"NHACVIEC_DATABASE_URL": db_url})
    assert "nhapkehoach" in listed.output and "3 lần" in listed.output
