"""`nhacviec run`: the long-running bot — daily sweep (APScheduler), dispatcher, console chat."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import signal
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.channels.base import Permanent
from cli.common import fail, settings, with_app
from cli.faults import platform as platform_fault

if TYPE_CHECKING:  # loaded by the commands that use them: `--help` stays quick
    from cli.bootstrap import App
    from config.settings import Settings

log = logging.getLogger("nhacviec.run")
IN_FLIGHT_GRACE = 7.0  # seconds; with closing the rest, a stop takes well under 10 s
SWEEP_RETRY_FIRST = 15.0  # seconds; a failed sweep is retried, doubling, until it runs
SWEEP_RETRY_CAP = 600.0


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run_command(
        agency: Annotated[str | None, typer.Option(
            "--as", help="Trên console: nói chuyện với tư cách đầu mối của cơ quan này")] = None,
        console: Annotated[bool | None, typer.Option(
            "--console/--no-console", help="Mở console (mặc định: khi chưa có token)")] = None,
    ) -> None:
        """Chạy bot: đợt nhắc hằng ngày, gửi tin, và console khi chưa cấu hình token."""
        from bot.channels.base import ChannelError
        from cli.bootstrap import build
        from storage.contacts import ContactError

        loaded = settings()
        built = build(loaded)
        wanted = console if console is not None else not (loaded.telegram_bot_token
                                                          or loaded.zalo_bot_token)
        if wanted:
            from cli.logs import quiet_console

            quiet_console("log_level" in loaded.model_fields_set)
        try:
            with_app(lambda a: serve(a, wanted, agency), app=built)
        except ChannelError as exc:
            fail(f"không kết nối được nền tảng chat: {exc}")
        except ContactError as exc:
            fail(str(exc))


async def serve(app: App, console: bool, agency: str | None) -> None:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.date import DateTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    from bot.console import PROMPT, run_console
    from cli.receiving import receiving
    from storage import tallies
    from storage.contacts import console_contact

    if console:
        await _demo_clock(app)
    stop = None if console else _stop_on_signals()  # before any work: a stop is never lost
    for name, channel in app.channels.items():
        if not await start_platform(name, channel.start, stop):
            return  # stopped while the platform was still down
    sweeper, dispatcher = app.sweeper(), app.dispatcher()
    busy: set[asyncio.Task[object]] = set()  # jobs a shutdown lets finish

    failures = 0

    async def sweep() -> None:
        nonlocal failures
        with _tracked(busy):
            try:
                if (await sweeper.run(app.today())).ran:
                    await tallies.reconcile(app.db)
                failures = 0
                await dispatcher.tick()
            except Exception:  # the database is down, most likely: try again soon; the
                # sweep_runs row keeps it once per day across processes
                failures += 1
                delay = min(SWEEP_RETRY_CAP, SWEEP_RETRY_FIRST * 2 ** (failures - 1))
                log.exception("sweep failed; retrying in %.0f s", delay)
                scheduler.add_job(sweep, DateTrigger(dt.datetime.now(s.zone)
                                                     + dt.timedelta(seconds=delay)),
                                  id="sweep-retry", replace_existing=True,
                                  misfire_grace_time=None)

    async def dispatch() -> None:
        with _tracked(busy):
            try:
                await dispatcher.send_due()  # full batches back to back, at the rate limit
            except Exception:
                log.exception("dispatch failed")

    s = app.settings
    scheduler = AsyncIOScheduler(timezone=s.zone)
    scheduler.add_job(sweep, CronTrigger(hour=s.remind_at.hour, minute=s.remind_at.minute,
                                         second=s.remind_at.second, timezone=s.zone),
                      id="sweep", coalesce=True,
                      max_instances=1, misfire_grace_time=6 * 3600)
    scheduler.add_job(dispatch, IntervalTrigger(seconds=s.dispatch_interval_seconds),
                      id="dispatch", coalesce=True, max_instances=1)
    if s.backup_at is not None:
        async def backup_job() -> None:
            with _tracked(busy):
                await nightly_backup(s)

        scheduler.add_job(backup_job, CronTrigger(hour=s.backup_at.hour,
                                                      minute=s.backup_at.minute, timezone=s.zone),
                          id="backup", coalesce=True, max_instances=1,
                          misfire_grace_time=6 * 3600)
    scheduler.start()
    if s.today or dt.datetime.now(s.zone).time() >= s.remind_at:
        # Catch up a day whose reminder time has already passed: on the console first, in
        # the service as a job (so a stop signal lets it finish like any other).
        if console:
            await sweep()
        else:
            scheduler.add_job(sweep, id="catch-up")
    try:
        async with receiving(app):
            if console:
                async with app.db.uow() as uow:
                    chat_id = await console_contact(uow.session, agency, dt.datetime.now(dt.UTC))
                    await uow.commit()
                await run_console(app.handlers, chat_id, await _banner(app),
                                  read=lambda: input(PROMPT))
            elif stop is not None:
                await stop.wait()
                log.info("stop signal received: finishing sends in flight (at most %.0f s)",
                         IN_FLIGHT_GRACE)
    finally:
        scheduler.pause()  # no new jobs; sends already under way may finish
        if busy:
            log.info("stopping: waiting for %d job(s) in flight", len(busy))
            await asyncio.wait(busy, timeout=IN_FLIGHT_GRACE)
        scheduler.shutdown(wait=False)  # cancels what is still running: claimed rows go
        # back to the queue when their lease ends
        for channel in app.channels.values():
            with contextlib.suppress(Exception):
                await channel.close()
        log.info("stopped")


@contextlib.contextmanager
def _tracked(busy: set[asyncio.Task[object]]) -> Iterator[None]:
    task = asyncio.current_task()
    if task is not None:
        busy.add(task)
    try:
        yield
    finally:
        if task is not None:
            busy.discard(task)


async def nightly_backup(s: Settings) -> Path | None:
    """The scheduled backup: rotate in the backup folder; a failure is logged, never raised
    (the bot keeps running and the next night tries again)."""
    from cli.backups import make_backup

    try:
        target, counts, removed = await make_backup(s, None, rotate=True)
    except Exception:
        log.exception("backup failed")
        return None
    log.info("backup %s: %d rows, %d old backup(s) removed", target, sum(counts.values()),
             len(removed))
    return target


PLATFORM_RETRY_CAP = 60.0


async def start_platform(name: str, start: Callable[[], Awaitable[None]],
                         stop: asyncio.Event | None) -> bool:
    """A chat platform down at start-up (5xx, a timeout, connection refused) is an outage
    like any other: said in Vietnamese as the platform's, retried with back-off (1 s doubling
    to a minute) until it answers or a stop signal comes (False). A refused token is not an
    outage: it stops `run` with one line (ChannelError)."""
    delay = 1.0
    while True:
        try:
            await start()
            return True
        except Permanent:
            raise
        except Exception as exc:  # Transient, RateLimited, an HTTP error, a refused socket
            log.warning("nền tảng %s chưa trả lời khi khởi động (%s); thử lại sau %.0f giây",
                        name, platform_fault(exc), delay)
        if stop is None:
            await asyncio.sleep(delay)
        else:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            if stop.is_set():
                return False
        delay = min(delay * 2, PLATFORM_RETRY_CAP)


def _stop_on_signals() -> asyncio.Event:
    """The first SIGTERM/Ctrl-C stops gracefully; a second one exits at once."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def signalled() -> None:
        if stop.is_set():
            log.warning("second stop signal: exiting now")
            os._exit(1)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, signalled)
    log.info("nhacviec is running; SIGTERM or Ctrl-C stops it")
    return stop


async def _demo_clock(app: App) -> None:
    """While the bundled example is the only plan, the console lives on its demo day (in
    the plan year), unless NHACVIEC_TODAY says otherwise."""
    from cli.demo import DEMO_CODE, DEMO_TODAY
    from storage import queries

    if app.settings.today is not None:
        return
    async with app.db.uow() as uow:
        codes = [r.code for r in await queries.plans(uow.session)]
    if codes == [DEMO_CODE]:
        app.settings = app.settings.model_copy(update={"today": DEMO_TODAY})
        typer.echo(f"Chạy thử với kế hoạch ví dụ {DEMO_CODE}: đồng hồ đặt ở ngày "
                   f"{DEMO_TODAY:%d/%m/%Y} (trong năm kế hoạch). Kế hoạch thật: nhacviec "
                   "import <tệp> vào một cơ sở dữ liệu khác.")


async def _banner(app: App) -> str:
    from storage import queries

    async with app.db.uow() as uow:
        rows = await queries.plans(uow.session)
    loaded = "; ".join(f"{r.code}: {r.tasks} nhiệm vụ" for r in rows) or "chưa có kế hoạch"
    return (f"Nhắc việc CCHC — console. Kế hoạch: {loaded}. "
            f"Hôm nay {app.today():%d/%m/%Y}.\nGõ /trogiup để xem lệnh, /thoat để thoát.")
