"""Real `nhacviec run` processes for the end-to-end and fault tests."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fakes.telegram import FakeTelegram


def start(db_url: str, telegram: tuple[FakeTelegram, str], log: Path,
          **extra: str) -> subprocess.Popen[bytes]:
    """`nhacviec run --no-console` on the fake Telegram with quick retries and leases; an
    empty value in `extra` leaves that setting unset."""
    fake, url = telegram
    env = {**os.environ, "NHACVIEC_DATABASE_URL": db_url, "NHACVIEC_TODAY": "2023-09-20",
           "NHACVIEC_TELEGRAM_BOT_TOKEN": fake.token, "NHACVIEC_TELEGRAM_API_BASE_URL": url,
           "NHACVIEC_DISPATCH_INTERVAL_SECONDS": "0.2", "NHACVIEC_SEND_LEASE_SECONDS": "2",
           "NHACVIEC_SEND_RETRY_BASE_SECONDS": "0.2", "NHACVIEC_SEND_RETRY_CAP_SECONDS": "1",
           "NHACVIEC_SEND_TIMEOUT_SECONDS": "5", "NHACVIEC_RECEIVE_CLAIM_SECONDS": "3",
           "NHACVIEC_TELEGRAM_RATE_PER_CHAT": "50", "NHACVIEC_LOG_LEVEL": "DEBUG", **extra}
    env = {k: v for k, v in env.items() if v}
    return subprocess.Popen([sys.executable, "-m", "cli.main", "run", "--no-console"], env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


async def wait_for(condition: object, seconds: float = 60.0) -> None:
    """Until `condition()` (plain or a coroutine) is true; AssertionError after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        found = condition()  # type: ignore[operator]
        if asyncio.iscoroutine(found):
            found = await found
        if found:
            return
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.1)
