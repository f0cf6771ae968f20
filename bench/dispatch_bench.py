"""Dispatch benchmark: 3,000 reminders to 1,000 chats through python-telegram-bot and the fake
Telegram server enforcing 30 msg/s overall and 1 msg/s per chat (with 429 refusals).

Prints one JSON line: elapsed seconds, achieved rate, 429s, lost and duplicated messages.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import tempfile
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import insert

from bot.channels.telegram import TelegramChannel
from fakes.server import BackgroundServer
from fakes.telegram import FakeTelegram, create_app
from scheduler.dispatch import Dispatcher, RateLimits
from storage.migrate import upgrade
from storage.models import Contact, OutboxMessage, ReminderItem
from storage.uow import Database

DAY = dt.date(2026, 3, 10)


async def fill(db: Database, chats: int, messages: int) -> None:
    now = dt.datetime.now(dt.UTC)
    async with db.uow() as uow:
        s = uow.session
        await s.execute(insert(Contact), [{"id": c + 1, "channel": "telegram",
                                           "chat_id": str(10_000 + c), "display_name": "",
                                           "role": "focal", "reachable": True, "linked_at": now}
                                          for c in range(chats)])
        await s.execute(insert(OutboxMessage), [
            {"id": m + 1, "contact_id": m % chats + 1, "send_on": DAY, "part": m // chats + 1,
             "state": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now}
            for m in range(messages)])
        await s.execute(insert(ReminderItem), [
            {"key": f"bench:{m}", "stage": "notice", "natural_date": DAY, "send_on": DAY,
             "late": False, "note": f"Tin thử số {m + 1}", "message_id": m + 1,
             "contact_id": m % chats + 1, "created_at": now} for m in range(messages)])
        await uow.commit()


async def run(url: str, chats: int, messages: int) -> dict[str, float]:
    fake = FakeTelegram(overall_per_second=30, per_chat_per_second=1, chat_burst=1)
    with BackgroundServer(create_app(fake)) as server:
        db = Database.from_url(url)
        await fill(db, chats, messages)
        channel = TelegramChannel(fake.token, f"{server.url}/bot")
        await channel.start()
        dispatcher = Dispatcher(db, {"telegram": channel}, {"telegram": RateLimits(30, 1)},
                                lambda: DAY, "bench")
        started = time.perf_counter()
        await dispatcher.drain(patience=60)
        elapsed = time.perf_counter() - started
        await channel.close()
        await db.dispose()
    texts = Counter(m["text"].rsplit("\n", 1)[-1] for m in fake.sent())
    sends = [c.at for c in fake.calls if c.method == "sendmessage" and c.status == 200]
    window = max(sends) - min(sends)
    refusals = [c for c in fake.calls if c.status == 429]
    return {"elapsed_s": elapsed, "rate": (len(sends) - 1) / window if window else 0.0,
            "refusals": len(refusals), "lost": messages - len(texts),
            "duplicated": sum(n - 1 for n in texts.values())}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=3000)
    args = parser.parse_args()
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='nhacviec-dispatch-')) / 'd.db'}"
    upgrade(url)
    print(json.dumps(asyncio.run(run(url, args.chats, args.messages))))


if __name__ == "__main__":
    main()
