"""Fixtures that start the project's fake Bot API servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakes.server import BackgroundServer
from fakes.telegram import FakeTelegram, create_app


@pytest.fixture
def telegram() -> Iterator[tuple[FakeTelegram, str]]:
    """A fresh fake Telegram; yields the fake and the base URL python-telegram-bot needs."""
    fake = FakeTelegram()
    with BackgroundServer(create_app(fake)) as server:
        yield fake, f"{server.url}/bot"
