"""Helpers shared by the CLI commands: settings, one-shot async jobs, Vietnamese errors."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

import typer

from cli.bootstrap import App, build
from cli.logs import setup
from config.settings import Settings, SettingsError, load_settings
from storage.uow import NotMigratedError

T = TypeVar("T")


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"Lỗi: {message}", err=True)
    raise typer.Exit(code)


def date_option(value: str | None, option: str) -> dt.date | None:
    """Parse a YYYY-MM-DD option or stop with a Vietnamese error naming it."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{option} «{value}» không đúng dạng YYYY-MM-DD")


def settings() -> Settings:
    try:
        loaded = load_settings()
    except SettingsError as exc:
        fail(str(exc))
    secrets = [token.get_secret_value() for token in (loaded.telegram_bot_token,
                                                      loaded.zalo_bot_token) if token]
    setup(loaded.log_level, loaded.log_format, secrets)
    return loaded


def with_app(work: Callable[[App], Awaitable[T]], migrated: bool = True,
             app: App | None = None) -> T:
    """Run one async job against a freshly built app; always close the database."""
    built = app or build(settings())

    async def main() -> T:
        try:
            if migrated:
                await built.db.check_migrated()
            return await work(built)
        finally:
            await built.db.dispose()

    try:
        return asyncio.run(main())
    except NotMigratedError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"không kết nối được cơ sở dữ liệu: {exc}")
