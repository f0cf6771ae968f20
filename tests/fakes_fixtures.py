"""Fixtures that start the project's fake Bot API servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakes import zalo as fake_zalo
from fakes.server import BackgroundServer
from fakes.telegram import FakeTelegram, create_app
from fakes.zalo import FakeZalo


@pytest.fixture
def telegram() -> Iterator[tuple[FakeTelegram, str]]:
    """A fresh fake Telegram; yields the fake and the base URL python-telegram-bot needs."""
    fake = FakeTelegram()
    with BackgroundServer(create_app(fake)) as server:
        yield fake, f"{server.url}/bot"


@pytest.fixture
def zalo() -> Iterator[tuple[FakeZalo, str]]:
    """A fresh fake Zalo Bot API; yields the fake and its base URL."""
    fake = FakeZalo()
    with BackgroundServer(fake_zalo.create_app(fake)) as server:
        yield fake, server.url
