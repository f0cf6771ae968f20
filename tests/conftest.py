"""Shared fixtures: the agency directory, the seed plan, and real databases.

Storage tests run on SQLite always and on PostgreSQL when TEST_DATABASE_URL is set; an
unreachable PostgreSQL then fails the run instead of skipping it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from config.directories import load_directory
from config.settings import DIRECTORIES_DIR, EXAMPLE_PLAN
from plan.agencies import Directory
from storage.db import async_url
from storage.migrate import upgrade
from storage.uow import Database

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seeds" / "000_aaae7c227c4080f6.txt"
PG_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def directory() -> Directory:
    return load_directory(DIRECTORIES_DIR / "kien-giang-2023.yaml")


@pytest.fixture(scope="session")
def seed_path() -> Path:
    if not SEED.is_file():
        pytest.skip(f"the seed plan is not beside this clone (expected {SEED}); CI provides it")
    return SEED


@pytest.fixture(scope="session")
def example_path() -> Path:
    return EXAMPLE_PLAN


def _backends() -> list[object]:
    pg = pytest.param("postgresql", marks=pytest.mark.skipif(
        not PG_URL, reason="TEST_DATABASE_URL is not set"))
    return ["sqlite", pg]


async def reset_postgres(url: str) -> None:
    """Empty the test database; raises (never skips) when the server is unreachable."""
    engine = create_async_engine(async_url(url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


@pytest.fixture(params=_backends())
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'nhacviec.db'}"
    assert PG_URL
    asyncio.run(reset_postgres(PG_URL))
    return PG_URL


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    await asyncio.to_thread(upgrade, db_url)
    database = Database.from_url(db_url)
    try:
        yield database
    finally:
        await database.dispose()


pytest_plugins = ["tests.fakes_fixtures"]
