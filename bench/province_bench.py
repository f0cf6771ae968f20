"""A province's scale, measured through the code the product runs.

`--case invite`: `nhacviec invite --all -o moi.xlsx` (a real process, the Telegram fake for
the deep links and QR codes) for a plan whose one task is led by 3,400 agencies (a
national-size directory). `--case escalation`: the coordinator's escalation on the day a task
led by 3,321 communes is 7 days overdue for every one of them — the dispatcher's own path
(the message's items, the task's progress, the text) timed per message, and its length.

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bench.synthetic import GROUP, appendix_csv, directory_data
from bot.channels.recording import RecordingChannel
from fakes.server import BackgroundServer
from fakes.telegram import FakeTelegram, create_app
from scheduler.dispatch import Dispatcher, RateLimits
from scheduler.policy import ReminderPolicy
from scheduler.sweep import Sweeper
from storage.contacts import add_contact
from storage.migrate import upgrade
from storage.uow import Database
from tracking.calendar import WorkCalendar

ROOT = Path(__file__).resolve().parent.parent


def _prepare(folder: Path, url: str, agencies: int) -> dict[str, str]:
    """A directory and a plan whose every third task is led by the whole group."""
    directory = folder / "bench.yaml"
    directory.write_text(yaml.safe_dump(directory_data(agencies, agencies),
                                        allow_unicode=True), encoding="utf-8")
    plan = folder / "plan.csv"
    plan.write_bytes(appendix_csv(6, agencies, group_every=6, sections=1))
    env = {**os.environ, "NHACVIEC_DATABASE_URL": url, "NHACVIEC_TODAY": "2026-01-05",
           "NHACVIEC_AGENCY_DIRECTORY": str(directory)}
    for args in (("db", "upgrade"), ("import", str(plan))):
        subprocess.run([sys.executable, "-m", "cli.main", *args], env=env, check=True,
                       capture_output=True, cwd=ROOT)
    return env


def invite(url: str, agencies: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="nhacviec-bench-"))
    env = _prepare(folder, url, agencies)
    fake = FakeTelegram()
    with BackgroundServer(create_app(fake)) as server:
        env |= {"NHACVIEC_TELEGRAM_BOT_TOKEN": fake.token,
                "NHACVIEC_TELEGRAM_API_BASE_URL": f"{server.url}/bot"}
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "cli.main", "invite", "--all", "-o",
                               str(folder / "moi.xlsx")], env=env, capture_output=True,
                              text=True, cwd=ROOT)
        seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stdout + done.stderr)
    import openpyxl

    sheet = openpyxl.load_workbook(folder / "moi.xlsx", read_only=True)["Mã mời"]
    rows = sum(1 for row in sheet.iter_rows(min_row=3, values_only=True) if row[0])
    return {"invite_s": seconds, "rows": rows,
            "file_mb": (folder / "moi.xlsx").stat().st_size / 1e6}


async def escalation(url: str, agencies: int, repeats: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="nhacviec-bench-"))
    _prepare(folder, url, agencies)
    db = Database.from_url(url)
    now = dt.datetime(2026, 1, 8, 1, tzinfo=dt.UTC)
    async with db.uow() as uow:
        await add_contact(uow.session, None, "recording", "sở-nội-vụ", "", "coordinator", now)
        await uow.commit()
    # the group's task is due "Quý I/2026" (31/03): escalated 7 days later, on 07/04/2026
    day = dt.date(2026, 4, 7)
    calendar = WorkCalendar.vietnam([2026])
    await Sweeper(db, calendar, ReminderPolicy(), "bench", now=lambda: now).run(day)
    timings, length, parts = [], 0, 0
    for _ in range(repeats):
        channel = RecordingChannel()
        dispatcher = Dispatcher(db, {"recording": channel}, {"recording": RateLimits(1000, 1000)},
                                lambda: day, "bench", now=lambda: now)
        async with db.uow() as uow:  # the message back to pending: the same text, again
            from sqlalchemy import update

            from storage.models import OutboxMessage

            await uow.session.execute(update(OutboxMessage).values(
                state="pending", attempts=0, parts_sent=0, next_attempt_at=now))
            await uow.commit()
        started = time.perf_counter()
        await dispatcher.drain()
        timings.append(time.perf_counter() - started)
        texts = [text for chat, text in channel.sent if chat == "sở-nội-vụ"]
        parts, length = len(texts), sum(len(text) for text in texts)
        assert GROUP in "".join(texts) or "cơ quan" in "".join(texts)
    await db.dispose()
    return {"escalation_ms": statistics.median(timings) * 1000, "parts": parts,
            "chars": length}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--case", choices=("invite", "escalation"), required=True)
    parser.add_argument("--agencies", type=int, default=3400)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    upgrade(args.url)
    if args.case == "invite":
        print(json.dumps(invite(args.url, args.agencies)))
    else:
        print(json.dumps(asyncio.run(escalation(args.url, args.agencies, args.repeats))))


if __name__ == "__main__":
    main()
