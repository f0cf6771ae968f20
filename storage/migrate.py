"""Schema migrations (Alembic) driven from code, so no alembic.ini has to be found on disk."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to `revision`. Synchronous: call it outside a running event loop."""
    command.upgrade(alembic_config(url), revision)


def upgrade_from(url: str) -> tuple[str | None, str | None]:
    """Upgrade to head; (the revision before, head), so the CLI can say what it did.
    Synchronous, like `upgrade`."""
    import asyncio

    found = asyncio.run(revision_of(url))
    upgrade(url)
    return found, head_revision()


def downgrade(url: str, revision: str) -> None:
    """Step an (empty) schema back, so an older backup can be loaded before upgrading."""
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


async def revision_of(url: str) -> str | None:
    """The revision stored at `url`, on an engine of its own."""
    from storage.db import make_engine

    engine = make_engine(url)
    try:
        return await current_revision(engine)
    finally:
        await engine.dispose()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision stored in the database, None for an empty one."""
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision())
