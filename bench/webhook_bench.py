"""Webhook answers: button presses (Telegram) and text answers (Zalo) posted to the webhook
server at a fixed rate (open loop), stored in the inbox, handled by the worker and replied to
through python-telegram-bot and the Zalo client on the fake servers. Prints the webhook's
p50/p99 response time, the p50/p99 from stored to handled, and CPU ms per answer (the server's,
and the load generator's per request, which shares the machine).

The first `--warmup` updates (default 500, at the same rate) are sent but not counted: they pay
for first connections and SQLAlchemy's statement compilation, once per process lifetime.
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
import time
from typing import Any

import aiohttp
import uvicorn
from sqlalchemy import select

from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.handlers import Handlers
from bot.receiving import freeze_startup, platforms, receiving
from bot.web import create_app
from cli.common import run_async
from config.directories import load_directory
from config.settings import DIRECTORIES_DIR, EXAMPLE_PLAN
from fakes.server import free_port
from plan.parse import parse_plan
from plan.readers import read_rows
from storage.contacts import add_contact
from storage.importer import import_plan
from storage.migrate import upgrade
from storage.models import Agency, Assignment, InboxUpdate
from storage.uow import Database
from words.messages import assignment_code

SECRET = "bench-secret-123"


async def prepare(db: Database) -> list[tuple[str, int]]:
    """Import the example plan; one Telegram and one Zalo contact per lead agency."""
    directory = load_directory(DIRECTORIES_DIR / "kien-giang-2023.yaml")
    draft = parse_plan(read_rows(EXAMPLE_PLAN.name, EXAMPLE_PLAN.read_bytes()), directory)
    now = dt.datetime.now(dt.UTC)
    async with db.uow() as uow:
        await import_plan(uow.session, draft, directory, "bench")
        rows = (await uow.session.execute(
            select(Agency.name, Assignment.id, Assignment.agency_id).join(
                Assignment, Assignment.agency_id == Agency.id)
            .where(Assignment.role == "lead", Agency.kind != "group"))).all()
        agencies = sorted({(r.name, r.agency_id) for r in rows})
        for index, (name, _) in enumerate(agencies):
            await add_contact(uow.session, name, "telegram", str(5000 + index), "", "focal", now)
            await add_contact(uow.session, name, "zalo", f"z{index}", "", "focal", now)
        await uow.commit()
    chat_of = {agency_id: index for index, (_, agency_id) in enumerate(agencies)}
    return [(str(chat_of[r.agency_id]), r.id) for r in rows]


def telegram_update(n: int, chat: int, data: str, query_id: str) -> dict[str, Any]:
    user = {"id": chat, "is_bot": False, "first_name": "A"}
    return {"update_id": n, "callback_query": {
        "id": query_id, "from": user, "chat_instance": "1", "data": data,
        "message": {"message_id": 1, "date": 1, "chat": {"id": chat, "type": "private"}}}}


async def run(url: str, total: int, rate: float, warmup: int = 500) -> dict[str, float]:
    tg_port, zalo_port = free_port(), free_port()
    tg_token, zalo_token = "123456:BENCH-token", "987:bench-zalo"
    fakes = [subprocess.Popen([sys.executable, "-m", "fakes", "telegram", "--port", str(tg_port),
                               "--token", tg_token, "--no-rate-limits", "--any-callback"]),
             subprocess.Popen([sys.executable, "-m", "fakes", "zalo", "--port", str(zalo_port),
                               "--token", zalo_token])]
    try:
        await wait_listening(tg_port)
        await wait_listening(zalo_port)
        db = Database.from_url(url)
        targets = await prepare(db)
        handlers = Handlers(db, lambda: dt.date(2023, 9, 25))
        telegram = TelegramChannel(tg_token, f"http://127.0.0.1:{tg_port}/bot")
        await telegram.start()
        zalo = ZaloChannel(zalo_token, f"http://127.0.0.1:{zalo_port}")
        inbound, _ = platforms(telegram, zalo, polling=False)
        receiving_context = receiving(db, handlers, inbound, {}, "bench")
        receiver = await receiving_context.__aenter__()
        web = create_app(handlers, SECRET, receiver)
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(web, host="127.0.0.1", port=port,
                                               log_level="warning", lifespan="off"))
        serving = asyncio.create_task(server.serve())  # same loop as the engine, as in `run`
        while not server.started:
            await asyncio.sleep(0.01)
        freeze_startup()  # as `nhacviec run` does once started
        cpu_before, times_before = time.process_time(), os.times()
        latencies, load_cpu_ms = await _load(f"http://127.0.0.1:{port}", targets, total, rate,
                                             warmup)
        await receiver.settled(timeout=600)
        cpu_ms = (time.process_time() - cpu_before) / (total + warmup) * 1000
        sys_ms = (os.times().system - times_before.system) / (total + warmup) * 1000
        handled = await _handled_latencies(db, warmup)
        server.should_exit = True
        await serving
        await receiving_context.__aexit__(None, None, None)
        await telegram.close()
        await zalo.close()
        await db.dispose()
    finally:
        for process in fakes:
            process.terminate()
            process.wait(timeout=10)
    errors = sum(1 for x in latencies if x < 0)
    latencies = sorted(abs(x) for x in latencies)
    return {"p50_ms": statistics.median(latencies) * 1000,
            "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
            "max_ms": latencies[-1] * 1000, "count": len(latencies), "errors": errors,
            "cpu_ms": cpu_ms, "sys_ms": sys_ms, "load_cpu_ms": load_cpu_ms,
            "handled_p50_ms": statistics.median(handled) * 1000,
            "handled_p99_ms": handled[int(len(handled) * 0.99) - 1] * 1000}


async def _handled_latencies(db: Database, warmup: int) -> list[float]:
    """Stored → handled (the answer committed), per update after the warm-up: what the
    user waits for, less the reply's own trip."""
    async with db.uow() as uow:
        rows = (await uow.session.execute(
            select(InboxUpdate.received_at, InboxUpdate.handled_at)
            .order_by(InboxUpdate.id).offset(warmup))).all()
    return sorted((h - r).total_seconds() for r, h in rows if h is not None)


async def wait_listening(port: int) -> None:
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise RuntimeError(f"fake server on port {port} did not start")


async def _load(base: str, targets: list[tuple[str, int]], total: int,
                rate: float, warmup: int) -> tuple[list[float], float]:
    """Run the load generator in its own process, like wrk: it must not steal the server's CPU."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.webhook_bench", "--drive", base, "--updates", str(total),
        "--rate", str(rate), "--warmup", str(warmup), stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE)
    out, _ = await process.communicate(json.dumps(targets).encode())
    result = json.loads(out.decode().strip().splitlines()[-1])
    return list(result["latencies"]), float(result["cpu_ms"])


async def drive(base: str, targets: list[tuple[str, int]], total: int,
                rate: float, warmup: int) -> tuple[list[float], float]:
    """The load generator: aiohttp, because httpx cost 2.5 ms of CPU per request here (more
    than the answer being measured) and, sharing the two cores, slowed the server it drives."""
    latencies: list[float] = []
    connector = aiohttp.TCPConnector(limit=64)
    async with aiohttp.ClientSession(base, connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=30)) as http:
        async def one(n: int) -> None:
            started = time.perf_counter()
            try:
                ok = await send(n)
            except (aiohttp.ClientError, TimeoutError):  # overload: an error at its duration
                ok = False
            if n >= warmup:
                latencies.append((time.perf_counter() - started) * (1 if ok else -1))

        async def send(n: int) -> bool:
            chat, assignment = targets[n % len(targets)]
            if n % 2 == 0:
                body = telegram_update(n + 1, 5000 + int(chat), f"p50:{assignment}", f"q{n}")
                path, header = "/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token"
            else:
                body = {"event_name": "message.text.received", "message": {
                    "message_id": f"m{n}", "date": 1, "text":
                    f"{assignment_code(assignment)} dang 50%",
                    "chat": {"id": f"z{chat}", "chat_type": "PRIVATE"},
                    "from": {"id": f"z{chat}", "display_name": "A"}}}
                path, header = "/zalo/webhook", "X-Bot-Api-Secret-Token"
            async with http.post(path, json=body, headers={header: SECRET}) as response:
                await response.read()
                return response.status == 200

        freeze_startup()  # its own full collections would pause the load, not the server
        tasks = []
        cpu_before, start = time.process_time(), time.perf_counter()
        for n in range(warmup + total):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(n)))
        await asyncio.gather(*tasks)
    return latencies, (time.process_time() - cpu_before) / (warmup + total) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--drive", help="internal: act as the load generator against this URL")
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--warmup", type=int, default=500)
    args = parser.parse_args()
    if args.drive:
        targets = [tuple(t) for t in json.loads(sys.stdin.read())]
        latencies, cpu_ms = asyncio.run(drive(args.drive, targets, args.updates, args.rate,
                                              args.warmup))
        print(json.dumps({"latencies": latencies, "cpu_ms": cpu_ms}))
        return
    upgrade(args.url)
    # The server side runs on the same loop as `nhacviec run` (uvloop where installed).
    print(json.dumps(run_async(run(args.url, args.updates, args.rate, args.warmup))))


if __name__ == "__main__":
    main()
