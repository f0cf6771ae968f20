"""`nhacviec run`: the long-running bot — daily sweep (APScheduler), dispatcher, console chat."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal
from typing import Annotated

import typer
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.channels.base import ChannelError
from bot.console import PROMPT, run_console
from cli.bootstrap import App, build
from cli.common import fail, settings, with_app
from cli.receiving import receiving
from storage import queries
from storage.contacts import ContactError, console_contact

log = logging.getLogger("nhacviec.run")


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run_command(
        agency: Annotated[str | None, typer.Option(
            "--as", help="Trên console: nói chuyện với tư cách đầu mối của cơ quan này")] = None,
        console: Annotated[bool | None, typer.Option(
            "--console/--no-console", help="Mở console (mặc định: khi chưa có token)")] = None,
    ) -> None:
        """Chạy bot: đợt nhắc hằng ngày, gửi tin, và console khi chưa cấu hình token."""
        loaded = settings()
        built = build(loaded)
        wanted = console if console is not None else not (loaded.telegram_bot_token
                                                          or loaded.zalo_bot_token)
        try:
            with_app(lambda a: serve(a, wanted, agency), app=built)
        except ChannelError as exc:
            fail(f"không kết nối được nền tảng chat: {exc}")
        except ContactError as exc:
            fail(str(exc))


async def serve(app: App, console: bool, agency: str | None) -> None:
    for channel in app.channels.values():
        await channel.start()
    sweeper, dispatcher = app.sweeper(), app.dispatcher()

    async def sweep() -> None:
        try:
            await sweeper.run(app.today())
            await dispatcher.tick()
        except Exception:  # the scheduler is a clock: log, and try again next time
            log.exception("sweep failed")

    async def dispatch() -> None:
        try:
            await dispatcher.tick()
        except Exception:
            log.exception("dispatch failed")

    s = app.settings
    scheduler = AsyncIOScheduler(timezone=s.zone)
    scheduler.add_job(sweep, CronTrigger(hour=s.remind_at.hour, minute=s.remind_at.minute,
                                         timezone=s.zone), id="sweep", coalesce=True,
                      max_instances=1, misfire_grace_time=6 * 3600)
    scheduler.add_job(dispatch, IntervalTrigger(seconds=s.dispatch_interval_seconds),
                      id="dispatch", coalesce=True, max_instances=1)
    scheduler.start()
    if s.today or dt.datetime.now(s.zone).time() >= s.remind_at:
        await sweep()  # catch up a day whose reminder time has already passed
    try:
        async with receiving(app):
            if console:
                async with app.db.uow() as uow:
                    chat_id = await console_contact(uow.session, agency, dt.datetime.now(dt.UTC))
                    await uow.commit()
                await run_console(app.handlers, chat_id, await _banner(app),
                                  read=lambda: input(PROMPT))
            else:
                await _until_signalled()
    finally:
        scheduler.shutdown(wait=False)
        for channel in app.channels.values():
            with contextlib.suppress(Exception):
                await channel.close()


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    log.info("nhacviec is running; SIGTERM or Ctrl-C stops it")
    await stop.wait()


async def _banner(app: App) -> str:
    async with app.db.uow() as uow:
        rows = await queries.plans(uow.session)
    loaded = "; ".join(f"{r.code}: {r.tasks} nhiệm vụ" for r in rows) or "chưa có kế hoạch"
    return (f"Nhắc việc CCHC — console. Kế hoạch: {loaded}. Hôm nay {app.today():%d/%m/%Y}.\n"
            "Gõ /trogiup để xem lệnh, /thoat để thoát.")
