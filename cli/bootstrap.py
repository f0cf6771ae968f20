"""Composition root: settings → database → directory → handlers. No module-level singletons."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.handlers import Handlers
from config.settings import Settings
from storage.uow import Database


@dataclass
class App:
    settings: Settings
    db: Database
    handlers: Handlers

    def today(self) -> dt.date:
        """The one clock: NHACVIEC_TODAY when set (demos, tests), else the local date."""
        if self.settings.today:
            return self.settings.today
        return dt.datetime.now(self.settings.zone).date()


def build(settings: Settings, db: Database | None = None) -> App:
    database = db or Database.from_url(settings.database_url)
    app = App(settings, database, handlers=None)  # type: ignore[arg-type]
    app.handlers = Handlers(database, app.today)
    return app
