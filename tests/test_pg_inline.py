"""The answer path's statements on asyncpg directly (storage.pg_inline) keep the unit of
work's promises: nothing stays without a commit, and what is stored reads back as
SQLAlchemy stored it. Runs on SQLite (through SQLAlchemy) and on PostgreSQL (the driver)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select

from plan.agencies import Directory
from storage import answers
from storage.models import Agency, Assignment, StatusReport
from storage.uow import Database
from tests.engine_helpers import contact, load_example

NOW, TODAY = dt.datetime(2023, 2, 1, 2, tzinfo=dt.UTC), dt.date(2023, 2, 1)


async def _first_lead(db: Database) -> int:
    async with db.uow() as uow:
        return int((await uow.session.execute(
            select(Assignment.id).join(Agency, Agency.id == Assignment.agency_id)
            .where(Agency.name == "Sở Tư pháp", Assignment.role == "lead")
            .order_by(Assignment.id).limit(1))).scalar_one())


async def test_an_answer_without_commit_leaves_nothing(
        db: Database, example_path: Path, directory: Directory) -> None:
    await load_example(db, example_path, directory)
    person = await contact(db, "Sở Tư pháp", "tp", channel="telegram")
    assignment = await _first_lead(db)
    async with db.uow() as uow:  # the first statement of this unit of work is the driver's
        item = await answers.target(uow.session, assignment, lock=True)
        assert item is not None
        await answers.record(uow.session, item, person, "telegram", "hoan_thanh", NOW, TODAY)
    async with db.uow() as uow:
        kept = (await uow.session.execute(select(func.count()).select_from(StatusReport)
                                          .where(StatusReport.assignment_id == assignment))
                ).scalar_one()
        row = (await uow.session.execute(select(Assignment.status, Assignment.answered)
                                         .where(Assignment.id == assignment))).one()
    assert kept == 0
    assert tuple(row) == ("chua_thuc_hien", False)


async def test_a_stored_answer_reads_back_as_written(
        db: Database, example_path: Path, directory: Directory) -> None:
    await load_example(db, example_path, directory)
    person = await contact(db, "Sở Tư pháp", "tp", channel="telegram")
    assignment = await _first_lead(db)
    evidence = {"name": "QĐ 12.pdf", "kind": "document", "size": 2048}
    async with db.uow() as uow:
        item = await answers.target(uow.session, assignment, lock=True)
        assert item is not None and not item.answered
        report = await answers.record(uow.session, item, person, "telegram", "hoan_thanh",
                                      NOW, TODAY, evidence="Số 12/QĐ-STP", file=evidence,
                                      raw="#x xong Số 12/QĐ-STP")
        await uow.commit()
    async with db.uow() as uow:
        stored = (await uow.session.execute(
            select(StatusReport).where(StatusReport.id == report))).scalar_one()
        after = await answers.target(uow.session, assignment)
    assert (stored.status, stored.file, stored.evidence, stored.answered_on) == (
        "hoan_thanh", evidence, "Số 12/QĐ-STP", TODAY)
    created = stored.created_at  # SQLite hands it back naive, in UTC
    assert (created if created.tzinfo else created.replace(tzinfo=dt.UTC)) == NOW
    assert after is not None
    assert (after.status, after.done_on, after.answered) == ("hoan_thanh", TODAY, True)
