"""Shared set-up for reminder-engine tests: a plan, contacts and services on a real database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select, update

from bot.channels.base import Channel
from plan.agencies import Directory
from plan.parse import parse_plan
from plan.readers import read_rows
from scheduler.dispatch import Dispatcher, DispatchSettings, RateLimits
from scheduler.policy import ReminderPolicy
from scheduler.sweep import Sweeper
from storage.contacts import add_contact
from storage.importer import import_plan
from storage.models import Assignment, Task
from storage.uow import Database
from tracking.calendar import WorkCalendar

CAL = WorkCalendar.vietnam(range(2022, 2026))
NOW = dt.datetime(2023, 9, 29, 1, 0, tzinfo=dt.UTC)


async def load_example(db: Database, example_path: Path, directory: Directory) -> None:
    draft = parse_plan(read_rows(example_path.name, example_path.read_bytes()), directory)
    async with db.uow() as uow:
        await import_plan(uow.session, draft, directory, "example")
        await uow.commit()


async def contact(db: Database, agency: str | None, chat_id: str, role: str = "focal",
                  channel: str = "recording", name: str = "") -> int:
    async with db.uow() as uow:
        contact_id = await add_contact(uow.session, agency, channel, chat_id, name or chat_id,
                                       role, NOW)
        await uow.commit()
    return contact_id


async def set_lead(db: Database, ref: str, agency_id_name: str, **values: object) -> None:
    """Change the lead assignment of task `ref` for one agency (status, due_override …)."""
    from storage import tallies
    from storage.models import Agency

    async with db.uow() as uow:
        agency_id = (await uow.session.execute(
            select(Agency.id).where(Agency.name == agency_id_name))).scalar_one()
        task_ids = select(Task.id).where(Task.ref == ref).scalar_subquery()
        await uow.session.execute(update(Assignment).where(
            Assignment.task_id == task_ids, Assignment.agency_id == agency_id,
            Assignment.role == "lead").values(**values))
        await tallies.rebuild(uow.session)  # a direct write: recount, as an import would
        await uow.commit()


async def assignment_of(db: Database, ref: str, agency: str) -> int:
    """The id of `agency`'s lead assignment on task `ref`."""
    from storage.models import Agency

    async with db.uow() as uow:
        return int((await uow.session.execute(
            select(Assignment.id).join(Task).join(Agency, Agency.id == Assignment.agency_id)
            .where(Task.ref == ref, Agency.name == agency, Assignment.role == "lead")
        )).scalar_one())


def sweeper(db: Database, owner: str = "test", policy: ReminderPolicy | None = None) -> Sweeper:
    return Sweeper(db, CAL, policy or ReminderPolicy(), owner, now=lambda: NOW)


def dispatcher(db: Database, channel: Channel, today: dt.date, clock: list[dt.datetime],
               owner: str = "test", **settings: object) -> Dispatcher:
    import random

    return Dispatcher(db, {"recording": channel}, {"recording": RateLimits(1000, 1000)},
                      lambda: today, owner, DispatchSettings(**settings),  # type: ignore[arg-type]
                      now=lambda: clock[0], rng=random.Random(7))
