"""Composition root: settings → database → calendar/policy → channels → services.

Tests call `build` with their own database or channels; nothing here runs at import time.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.channels.base import Channel
from bot.channels.console import ConsoleChannel
from bot.handlers import Handlers
from config.settings import Settings
from ingest.bounded import Limits
from scheduler.dispatch import Dispatcher, DispatchSettings, RateLimits
from scheduler.policy import ReminderPolicy
from scheduler.sweep import Sweeper
from storage.uow import Database, UnitOfWork
from tracking.calendar import WorkCalendar


@dataclass
class App:
    settings: Settings
    db: Database
    channels: dict[str, Channel] = field(default_factory=dict)
    owner: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")

    def today(self) -> dt.date:
        """The one clock: NHACVIEC_TODAY when set (demos, tests), else the local date."""
        if self.settings.today:
            return self.settings.today
        return dt.datetime.now(self.settings.zone).date()

    def now(self) -> dt.datetime:
        """The wall clock (UTC), for timestamps: codes' expiry, links, answers."""
        return dt.datetime.now(dt.UTC)

    @property
    def handlers(self) -> Handlers:
        return Handlers(self.db, self.today, admin_ids=self.settings.admin_ids,
                        directory=self.settings.agency_directory,
                        bot_username=self.bot_username, due_today=self.due_today,
                        zone=self.settings.zone, calendar=self.calendar(),
                        parse_limits=Limits(self.settings.parse_seconds,
                                            self.settings.parse_memory_mb))

    def bot_username(self) -> str | None:
        channel = self.channels.get("telegram")
        return getattr(channel, "username", None)

    async def due_today(self, uow: UnitOfWork, day: dt.date) -> dict[int, str]:
        """Assignment id → stage label of reminders owed today (for a new contact's welcome)."""
        from cli.reminding import STAGE_LABELS

        rows = await self.sweeper().owed(uow, day)
        return {assignment: STAGE_LABELS.get(stage, stage) for assignment, stage in rows}

    @property
    def policy(self) -> ReminderPolicy:
        s = self.settings
        return ReminderPolicy(tuple(s.remind_days_before), s.overdue_every_working_days,
                              s.escalate_after_days, s.digest_weekday, s.checkin_day,
                              s.checkin_min_days, s.remind_coordinating)

    def calendar(self) -> WorkCalendar:
        """The one working-day calendar: reminders, reports and storage's scoring share it."""
        return self.db.calendar

    def sweeper(self) -> Sweeper:
        return Sweeper(self.db, self.calendar(), self.policy, self.owner,
                       self.settings.catchup_max_days)

    def dispatcher(self) -> Dispatcher:
        s = self.settings
        limits = {"telegram": RateLimits(s.telegram_rate_per_second, s.telegram_rate_per_chat),
                  "zalo": RateLimits(s.zalo_rate_per_second, s.zalo_rate_per_chat),
                  "console": RateLimits(1000, 1000)}
        tuning = DispatchSettings(retry_base=s.send_retry_base_seconds,
                                  retry_cap=s.send_retry_cap_seconds,
                                  lease=dt.timedelta(seconds=s.send_lease_seconds),
                                  zone=s.zone, resume_at=s.remind_at,
                                  send_timeout=s.send_timeout_seconds)
        return Dispatcher(self.db, self.channels, limits, self.today, self.owner, tuning)


def configured_channels(settings: Settings) -> dict[str, Channel]:
    """Channels with a token, plus the console (console contacts see messages in the terminal)."""
    channels: dict[str, Channel] = {"console": ConsoleChannel()}
    if settings.telegram_bot_token:
        from bot.channels.telegram import TelegramChannel

        channels["telegram"] = TelegramChannel(settings.telegram_bot_token.get_secret_value(),
                                               settings.telegram_api_base_url,
                                               timeout=settings.send_timeout_seconds)
    if settings.zalo_bot_token:
        from bot.channels.zalo import ZaloChannel

        channels["zalo"] = ZaloChannel(settings.zalo_bot_token.get_secret_value(),
                                       settings.zalo_api_base_url,
                                       timeout=settings.send_timeout_seconds)
    return channels


def settings_calendar(settings: Settings) -> WorkCalendar:
    """Public holidays from four years back to four ahead (the plans' span), plus the days
    off and make-up working days the province announced."""
    year = (settings.today or dt.date.today()).year
    return WorkCalendar.vietnam(range(year - 4, year + 5), settings.extra_days_off,
                                settings.extra_working_days)


def build(settings: Settings, db: Database | None = None,
          channels: Mapping[str, Channel] | None = None) -> App:
    database = db or Database.from_url(settings.database_url)
    database.use_calendar(settings_calendar(settings), settings.due_soon_working_days)
    chosen = dict(channels) if channels is not None else configured_channels(settings)
    return App(settings, database, chosen)
