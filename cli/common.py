"""Helpers shared by the CLI commands: settings, one-shot async jobs, Vietnamese errors."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import typer

from cli.logs import redact, setup

if TYPE_CHECKING:  # the heavy stack loads when a command runs, not for `--help`
    from cli.bootstrap import App
    from config.settings import Settings

T = TypeVar("T")


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"Lỗi: {redact(message)}", err=True)
    raise typer.Exit(code)


def date_option(value: str | None, option: str) -> dt.date | None:
    """Parse a dd/mm/yyyy (or YYYY-MM-DD) option or stop with a Vietnamese error naming it."""
    from config.settings import parse_day

    if value is None:
        return None
    try:
        return parse_day(value)
    except ValueError as exc:
        fail(f"{option}: {exc}")


def settings() -> Settings:
    import os

    from config.settings import SettingsError, load_settings, unknown_names

    for warning in unknown_names(os.environ):
        typer.echo(warning, err=True)
    try:
        loaded = load_settings()
    except SettingsError as exc:
        fail(str(exc))
    secrets = [token.get_secret_value() for token in (loaded.telegram_bot_token,
                                                      loaded.zalo_bot_token,
                                                      loaded.webhook_secret) if token]
    setup(loaded.log_level, loaded.log_format, secrets, loaded.zone)
    return loaded


def run_async(job: Coroutine[Any, Any, T]) -> T:
    """Run a job on uvloop where it is installed: the event loop itself is a large share of
    the webhook's per-update CPU (bench/webhook_bench.py), and uvloop cuts it by about a third.
    A database fault a person can fix (cli.faults) ends as one `Lỗi:` line, exit 2."""
    try:
        import uvloop
    except ImportError:  # Windows: the standard loop works, only slower
        uvloop = None  # type: ignore[assignment]
    try:
        if uvloop is None:
            return asyncio.run(job)
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(job)
    except Exception as exc:
        from cli.faults import explain

        said = explain(exc)
        if said is None:
            raise
        fail(said)


def with_app(work: Callable[[App], Awaitable[T]], migrated: bool = True,
             app: App | None = None) -> T:
    """Run one async job against a freshly built app; always close the database."""
    from cli.bootstrap import build
    from storage.uow import NotMigratedError

    built = app or build(settings())

    async def main() -> T:
        try:
            if migrated:
                await built.db.check_migrated()
            return await work(built)
        finally:
            await built.db.dispose()

    try:
        return run_async(main())
    except NotMigratedError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"không kết nối được cơ sở dữ liệu: {exc}")
