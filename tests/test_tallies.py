"""The report's running counts (storage.tallies) stay equal to a recount from scratch, whatever
focal points, coordinators and re-imports do, and a drifted count is found and repaired."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import random
import zoneinfo
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from bot.handlers import Handlers
from bot.types import Incoming
from plan.agencies import Directory
from reports import figures
from reports.state import scope
from storage import answers, tallies
from storage.migrate import downgrade, upgrade
from storage.models import Agency, Assignment, ExtensionRequest, Tally
from storage.uow import Database
from tests.engine_helpers import contact, load_example
from tests.test_storage_import import edit_task, load, store
from tracking.calendar import WorkCalendar
from words.messages import assignment_code

ZONE = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
D = dt.date


CAL = WorkCalendar.vietnam([2023])


def test_late_means_done_after_the_legal_deadline() -> None:
    assert tallies.key(1, 2, 3, "hoan_thanh", D(2023, 1, 31), D(2023, 2, 1), True, CAL).late
    assert not tallies.key(1, 2, 3, "hoan_thanh", D(2023, 1, 31), D(2023, 1, 31), True, CAL).late
    assert not tallies.key(1, 2, 3, "dang_thuc_hien", D(2023, 1, 31), None, True, CAL).late
    undated = tallies.key(1, 2, 3, "hoan_thanh", None, D(2023, 2, 1), True, CAL)
    assert not undated.late and undated.due == tallies.NO_DATE
    # Saturday 30/09/2023 runs to Monday 02/10: done that Monday is on time, Tuesday late
    assert not tallies.key(1, 2, 3, "hoan_thanh", D(2023, 9, 30), D(2023, 10, 2), True, CAL).late
    assert tallies.key(1, 2, 3, "hoan_thanh", D(2023, 9, 30), D(2023, 10, 3), True, CAL).late


def test_a_move_takes_one_from_the_old_counts_and_adds_one_to_the_new() -> None:
    before = tallies.key(1, 2, 3, "chua_thuc_hien", D(2023, 1, 31), None, False, CAL)
    after = dataclasses.replace(before, status="dang_thuc_hien", answered=True)
    rows = tallies.deltas(before, after)
    assert sorted((r["dimension"], r["status"], r["n"]) for r in rows) == [
        ("agency", "chua_thuc_hien", -1), ("agency", "dang_thuc_hien", 1),
        ("section", "chua_thuc_hien", -1), ("section", "dang_thuc_hien", 1)]
    keys = [tuple(r[c] for c in ("plan_id", "dimension", "key_id", "status")) for r in rows]
    assert keys == sorted(keys)  # one lock order for every writer
    assert tallies.deltas(after, after) == []
    assert [r["n"] for r in tallies.deltas(None, after)] == [1, 1]


async def _busiest(db: Database, count: int) -> list[str]:
    async with db.uow() as uow:
        rows = await uow.session.execute(
            select(Agency.name).join(Assignment, Assignment.agency_id == Agency.id)
            .where(Assignment.role == "lead").group_by(Agency.name)
            .order_by(func.count().desc(), Agency.name).limit(count))
        return list(rows.scalars())


async def _codes(db: Database, agency: str) -> list[str]:
    async with db.uow() as uow:
        ids = (await uow.session.execute(
            select(Assignment.id).join(Agency, Agency.id == Assignment.agency_id)
            .where(Agency.name == agency, Assignment.role == "lead"))).scalars()
        return [assignment_code(i) for i in ids]


async def _pending(db: Database) -> list[int]:
    async with db.uow() as uow:
        return list((await uow.session.execute(select(ExtensionRequest.id).where(
            ExtensionRequest.state == "pending"))).scalars())


async def _differences(db: Database) -> int:
    async with db.uow() as uow:
        return await tallies.check(uow.session, repair=False)


async def test_counts_follow_answers_extensions_and_reimports(
        db: Database, example_path: Path, directory: Directory) -> None:
    await load_example(db, example_path, directory)
    agencies = await _busiest(db, 4)
    for n, agency in enumerate(agencies):
        await contact(db, agency, f"focal{n}", channel="telegram")
    await contact(db, None, "snv", role="coordinator", channel="telegram")
    codes = {f"focal{n}": await _codes(db, agency) for n, agency in enumerate(agencies)}
    day = [D(2023, 1, 3)]

    def now() -> dt.datetime:
        return dt.datetime.combine(day[0], dt.time(9), ZONE).astimezone(dt.UTC)

    bot = Handlers(db, lambda: day[0], now)
    rng = random.Random(20230103)
    for step in range(150):
        day[0] += dt.timedelta(days=rng.choice((0, 0, 1, 3)))
        chat = rng.choice(sorted(codes))
        code = rng.choice(codes[chat])
        text = rng.choice((f"{code} dang {rng.choice((10, 50, 90))}%",
                           f"{code} xong Báo cáo số {step}/BC",
                           f"{code} vuong thiếu kinh phí",
                           f"{code} giahan {(day[0] + dt.timedelta(days=40)):%d/%m/%Y}"))
        await bot.handle(Incoming("telegram", chat, text))
        pending = await _pending(db)
        if pending and rng.random() < 0.5:
            verdict = rng.choice(("dongy", "khong"))
            await bot.handle(Incoming("telegram", "snv", f"/duyet {pending[0]} {verdict}"))
        if step % 50 == 49:
            assert await _differences(db) == 0, f"after step {step}"
    assert await _differences(db) == 0
    # the counts give the same report as a recount from the answers
    async with db.uow() as uow:
        live = await figures.compute(uow.session, scope(day[0], None, ZONE))
        rebuilt = await figures.compute(
            uow.session, dataclasses.replace(scope(day[0], None, ZONE), historical=True))
    assert live.summary.counts == rebuilt.summary.counts
    assert live.summary.never_answered == rebuilt.summary.never_answered
    assert live.scoreboard == rebuilt.scoreboard
    assert live.summary.statuses == rebuilt.summary.statuses
    assert sum(live.summary.counts.get(k, 0) for k in (
        "cho_xac_nhan", "hoan_thanh_dung_han", "hoan_thanh_qua_han")) + sum(
        live.summary.statuses.values()) > 20
    # a re-import moves a deadline and withdraws a task that has answers
    draft = load(example_path, directory)
    first, second = draft.tasks[0], draft.tasks[1]
    moved = dataclasses.replace(first.deadline, text="Tháng 06/2023", due=D(2023, 6, 30))
    edited = edit_task(draft, first.ref, deadline=moved)
    await store(db, dataclasses.replace(
        edited, tasks=tuple(t for t in edited.tasks if t.ref != second.ref)), directory)
    assert await _differences(db) == 0
    async with db.uow() as uow:
        after = (await figures.compute(uow.session, scope(day[0], None, ZONE))).summary
    assert after.total == live.summary.total - 1


async def test_a_drifted_count_is_reported_repaired_and_the_report_is_right_again(
        db: Database, example_path: Path, directory: Directory) -> None:
    await load_example(db, example_path, directory)
    today = D(2023, 3, 31)
    async with db.uow() as uow:
        right = (await figures.compute(uow.session, scope(today, None, ZONE))).summary.counts
        await uow.session.execute(update(Tally).where(Tally.status == "chua_thuc_hien")
                                  .values(n=Tally.n + 5))  # a hand edit, or a bug
        await uow.commit()
    async with db.uow() as uow:
        wrong = (await figures.compute(uow.session, scope(today, None, ZONE))).summary.counts
    assert wrong != right
    assert await _differences(db) > 0
    assert await tallies.reconcile(db) > 0
    assert await _differences(db) == 0
    async with db.uow() as uow:
        again = (await figures.compute(uow.session, scope(today, None, ZONE))).summary.counts
    assert again == right


async def test_upgrading_to_0005_counts_what_is_already_stored(
        db: Database, db_url: str, example_path: Path, directory: Directory) -> None:
    await load_example(db, example_path, directory)
    await contact(db, "Sở Tư pháp", "tp", channel="telegram")
    day = D(2023, 2, 1)
    bot = Handlers(db, lambda: day, lambda: dt.datetime(2023, 2, 1, 2, tzinfo=dt.UTC))
    for code in (await _codes(db, "Sở Tư pháp"))[:3]:
        await bot.handle(Incoming("telegram", "tp", f"{code} xong Kế hoạch số 1/KH"))

    async def stored() -> set[tuple[object, ...]]:
        async with db.uow() as uow:
            return {tuple(r) for r in (await uow.session.execute(
                select(Tally.plan_id, Tally.dimension, Tally.key_id, Tally.status, Tally.due,
                       Tally.late, Tally.answered, Tally.n).where(Tally.n != 0))).all()}

    kept = await stored()
    assert any(row[3] == "cho_xac_nhan" for row in kept)
    await db.dispose()
    await asyncio.to_thread(downgrade, db_url, "0004")
    await asyncio.to_thread(upgrade, db_url)
    assert await stored() == kept


async def test_a_double_pressed_button_is_counted_once(
        db: Database, db_url: str, example_path: Path, directory: Directory) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite runs one unit of work at a time; the race needs two at once")
    await load_example(db, example_path, directory)
    agency_contact = await contact(db, "Sở Tư pháp", "tp", channel="telegram")
    async with db.uow() as uow:
        first_id = (await uow.session.execute(
            select(Assignment.id).join(Agency, Agency.id == Assignment.agency_id)
            .where(Agency.name == "Sở Tư pháp", Assignment.role == "lead")
            .order_by(Assignment.id).limit(1))).scalar_one()
    now, today = dt.datetime(2023, 2, 1, 2, tzinfo=dt.UTC), D(2023, 2, 1)
    first_read = asyncio.Event()

    async def press(wait: bool) -> None:
        async with db.uow() as uow:
            item = await answers.target(uow.session, first_id, lock=True)
            assert item is not None
            first_read.set()
            if wait:
                await asyncio.sleep(0.3)  # the second press arrives meanwhile
            await answers.record(uow.session, item, agency_contact, "telegram",
                                 "dang_thuc_hien", now, today)
            await uow.commit()

    async def second() -> None:
        await first_read.wait()
        await press(wait=False)

    await asyncio.gather(press(wait=True), second())
    assert await _differences(db) == 0
