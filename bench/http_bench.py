"""CPU per request to the fake Telegram server: python-telegram-bot's `send_message` on our
aiohttp request class against PTB's own httpx one, and a bare POST through each client —
why the replies go out over aiohttp (`bot/channels/http.py`).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import aiohttp
import httpx
from telegram import Bot
from telegram.request import BaseRequest, HTTPXRequest

from bench.webhook_bench import wait_listening
from bot.channels.http import AiohttpRequest
from cli.common import run_async
from fakes.server import free_port

TOKEN = "123456:BENCH-token"
TEXT = "Đã ghi nhận VII.2: đang thực hiện, 50 %. " * 4


async def _cpu_ms(call: Callable[[], Awaitable[object]], count: int) -> float:
    for _ in range(100):  # connections and first-call costs
        await call()
    started = time.process_time()
    for _ in range(count):
        await call()
    return (time.process_time() - started) / count * 1000


async def _ptb(base: str, request: BaseRequest, count: int) -> float:
    bot = Bot(TOKEN, base_url=f"{base}/bot", request=request)
    await bot.initialize()
    try:
        return await _cpu_ms(lambda: bot.send_message(5000, TEXT), count)
    finally:
        await bot.shutdown()


async def run(count: int) -> dict[str, float]:
    port = free_port()
    fake = subprocess.Popen([sys.executable, "-m", "fakes", "telegram", "--port", str(port),
                             "--token", TOKEN, "--no-rate-limits"])
    try:
        await wait_listening(port)
        base = f"http://127.0.0.1:{port}"
        url, body = f"{base}/bot{TOKEN}/sendMessage", {"chat_id": 5000, "text": TEXT}
        results = {"ptb_aiohttp_ms": await _ptb(base, AiohttpRequest(), count),
                   "ptb_httpx_ms": await _ptb(base, HTTPXRequest(connection_pool_size=64),
                                              count)}
        async with aiohttp.ClientSession() as session:
            async def post_aiohttp() -> None:
                async with session.post(url, json=body) as response:
                    await response.read()

            results["aiohttp_ms"] = await _cpu_ms(post_aiohttp, count)
        async with httpx.AsyncClient() as client:
            results["httpx_ms"] = await _cpu_ms(lambda: client.post(url, json=body), count)
        return results
    finally:
        fake.terminate()
        fake.wait(timeout=10)


def main() -> None:
    count = int(sys.argv[sys.argv.index("--requests") + 1]) if "--requests" in sys.argv else 2000
    print(json.dumps(run_async(run(count))))


if __name__ == "__main__":
    main()
