"""Upgrading a database that already holds answers keeps every row and fills the new columns."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import text

from storage.migrate import upgrade
from storage.uow import Database

UTC = dt.UTC
ROWS_0003 = [
    "INSERT INTO plans (id, code, directory, active, created_at, updated_at) VALUES "
    "(1, '1/KH', 'd', true, :t, :t)",
    "INSERT INTO sections (id, plan_id, numeral, position) VALUES (1, 1, 'I', 1)",
    "INSERT INTO agencies (id, directory, name, kind, aliases, resolved) VALUES "
    "(1, 'd', 'Sở Tư pháp', 'department', '[]', true)",
    "INSERT INTO tasks (id, plan_id, section_id, ref, number, position, content, product, "
    "lead_text, coordinating_text, deadline_text, deadline_kind, due_date, note, source_line) "
    "VALUES (1, 1, 1, 'I.1', '1', 1, 'c', '', '', '', 'Tháng 01/2023', 'month', "
    "'2023-01-31', '', 1)",
    "INSERT INTO assignments (id, task_id, agency_id, role, status) VALUES "
    "(1, 1, 1, 'lead', 'hoan_thanh'), (2, 1, 1, 'coordinating', 'dang_thuc_hien')",
]
# (assignment, status, UTC time): assignment 1 goes in progress, then done just after local
# midnight (19/01 18:30 UTC = 20/01 01:30 in Việt Nam), then gets evidence; assignment 2 was
# marked done by mistake and corrected.
ANSWERS = [(1, "dang_thuc_hien", dt.datetime(2023, 1, 5, 20, 0, tzinfo=UTC)),
           (1, "hoan_thanh", dt.datetime(2023, 1, 19, 18, 30, tzinfo=UTC)),
           (1, "hoan_thanh", dt.datetime(2023, 1, 25, 3, 0, tzinfo=UTC)),
           (2, "hoan_thanh", dt.datetime(2023, 1, 10, 3, 0, tzinfo=UTC)),
           (2, "dang_thuc_hien", dt.datetime(2023, 1, 11, 3, 0, tzinfo=UTC))]


async def _plan_rows(db: Database) -> None:
    """One plan, task and agency with a lead and a coordinating assignment (schema 0003+)."""
    async with db.engine.begin() as connection:
        for statement in ROWS_0003:
            await connection.execute(text(statement), {"t": ANSWERS[0][2]})


async def test_0004_dates_existing_answers_in_local_time(db_url: str) -> None:
    await asyncio.to_thread(upgrade, db_url, "0003")
    db = Database.from_url(db_url)
    try:
        await _plan_rows(db)
        async with db.engine.begin() as connection:
            await connection.execute(text(
                "INSERT INTO status_reports (assignment_id, agency_id, channel, status, "
                "created_at) VALUES (:a, 1, 'telegram', :s, :c)"),
                [{"a": a, "s": s, "c": c} for a, s, c in ANSWERS])
        await asyncio.to_thread(upgrade, db_url)
        async with db.engine.connect() as connection:
            dates = (await connection.execute(text(
                "SELECT answered_on FROM status_reports ORDER BY id"))).scalars().all()
            done = dict((await connection.execute(text(
                "SELECT id, done_on FROM assignments"))).all())
    finally:
        await db.dispose()
    as_dates = [d if isinstance(d, dt.date) else dt.date.fromisoformat(d) for d in dates]
    assert as_dates == [dt.date(2023, 1, 6), dt.date(2023, 1, 20), dt.date(2023, 1, 25),
                        dt.date(2023, 1, 10), dt.date(2023, 1, 11)]
    assert done[2] is None
    assert str(done[1]) == "2023-01-20"


async def test_oldest_schema_with_data_upgrades_to_head_intact(db_url: str) -> None:
    await asyncio.to_thread(upgrade, db_url, "0001")
    db = Database.from_url(db_url)
    try:
        async with db.engine.begin() as connection:
            for statement in ROWS_0003[:5]:  # plans … assignments exist since 0001
                await connection.execute(text(statement), {"t": ANSWERS[0][2]})
        await asyncio.to_thread(upgrade, db_url)
        await db.check_migrated()  # now at head
        async with db.engine.connect() as connection:
            plan = (await connection.execute(text("SELECT code, active FROM plans"))).one()
            task = (await connection.execute(text("SELECT ref, deadline_text, due_date "
                                                  "FROM tasks"))).one()
            statuses = (await connection.execute(text(
                "SELECT role, status, done_on FROM assignments ORDER BY id"))).all()
    finally:
        await db.dispose()
    assert tuple(plan) == ("1/KH", True)
    assert (task[0], task[1], str(task[2])) == ("I.1", "Tháng 01/2023", "2023-01-31")
    assert [tuple(r) for r in statuses] == [("lead", "hoan_thanh", None),
                                            ("coordinating", "dang_thuc_hien", None)]


async def test_0012_marks_assignments_that_have_answers(db_url: str) -> None:
    """An answer reads `assignments.answered` (it decides the report's "chưa báo cáo"
    count): after the upgrade it says what the stored answers say."""
    await asyncio.to_thread(upgrade, db_url, "0011")
    db = Database.from_url(db_url)
    try:
        await _plan_rows(db)
        async with db.engine.begin() as connection:
            await connection.execute(text(
                "INSERT INTO status_reports (assignment_id, agency_id, channel, status, "
                "created_at, answered_on) VALUES (1, 1, 'telegram', 'hoan_thanh', :c, :d)"),
                {"c": ANSWERS[0][2], "d": dt.date(2023, 1, 6)})
        await asyncio.to_thread(upgrade, db_url)
        async with db.engine.connect() as connection:
            answered = dict((await connection.execute(text(
                "SELECT id, answered FROM assignments"))).all())
    finally:
        await db.dispose()
    assert {k: bool(v) for k, v in answered.items()} == {1: True, 2: False}
