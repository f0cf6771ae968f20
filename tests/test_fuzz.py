"""Fuzzing the edges: incoming payloads and free text never raise and store nothing invalid."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.channels.zalo import incoming
from bot.handlers import Handlers
from bot.types import Incoming
from plan.agencies import Directory
from storage.models import StatusReport
from storage.uow import Database
from tests.engine_helpers import contact, load_example
from tests.receiving_helpers import webhooks

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)
UPDATE_KEYS = st.fixed_dictionaries({}, optional={
    "event_name": st.sampled_from(["message.text.received", "message.image.received",
                                   "message.sticker.received", "x"]) | st.text(max_size=10),
    "message": st.dictionaries(st.sampled_from(["chat", "from", "text", "photo", "message_id",
                                                "caption"]), JSON, max_size=5) | JSON,
    "result": JSON})


@given(UPDATE_KEYS | JSON)
def test_any_zalo_payload_translates_or_is_ignored(payload: Any) -> None:
    if isinstance(payload, dict):
        result = incoming(payload)
        assert result is None or isinstance(result, Incoming)


async def count(db: Database) -> int:
    async with db.uow() as uow:
        return int((await uow.session.execute(
            select(func.count()).select_from(StatusReport))).scalar_one())


async def test_free_text_and_forged_buttons_never_raise_or_store(
        db: Database, example_path: Path, directory: Directory) -> None:
    await load_example(db, example_path, directory)
    await contact(db, "Báo Kiên Giang", "77", channel="zalo")  # leads nothing: nothing to answer
    handlers = Handlers(db, lambda: dt.date(2023, 9, 29))
    loop = asyncio.get_running_loop()

    @settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(text=st.text(max_size=300), button=st.none() | st.text(max_size=70))
    def check(text: str, button: str | None) -> None:
        replies = asyncio.run_coroutine_threadsafe(
            handlers.handle(Incoming("zalo", "77", text, "X", button=button)), loop).result(30)
        assert replies and all(r.text for r in replies)

    await asyncio.to_thread(check)
    assert await count(db) == 0


async def test_webhook_bodies_of_any_shape_get_4xx_or_200_never_500(
        db: Database, example_path: Path, directory: Directory) -> None:
    await load_example(db, example_path, directory)
    from bot.channels.zalo import ZaloChannel

    channel = ZaloChannel("1:x", "http://127.0.0.1:9")  # replies fail fast: nobody listens
    hooks = webhooks(Handlers(db, lambda: dt.date(2023, 9, 29)), "secret-123",
                     zalo_channel=channel)
    http, receiver = await hooks.__aenter__()
    loop = asyncio.get_running_loop()

    @settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(body=st.binary(max_size=200) | JSON.map(lambda v: __import__("json").dumps(v).encode()))
    def check(body: bytes) -> None:
        response = asyncio.run_coroutine_threadsafe(http.post(
            "/zalo/webhook", content=body, headers={"X-Bot-Api-Secret-Token": "secret-123"}),
            loop).result(30)
        assert response.status_code in {200, 400}

    await asyncio.to_thread(check)
    await receiver.settled()
    await hooks.__aexit__(None, None, None)
    await channel.close()
    assert await count(db) == 0
