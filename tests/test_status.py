"""The tracking core decides "late", "due soon" and "done on time" once: a table of its
categories, the reports' SQL held to it on the same rows, and a walk through every day of the
seed's year where the report and the reminder policy must agree."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from sqlalchemy import select, update

from plan.agencies import Directory
from reports.state import deadline_shifts, scope, state
from scheduler.policy import DaySchedule, ReminderPolicy, Stage
from storage import tallies
from storage.models import Assignment, Task
from storage.uow import Database
from tests.engine_helpers import load_example
from tracking import status as rules
from tracking.calendar import WorkCalendar
from tracking.status import Category as C
from tracking.status import Day, category

D = dt.date
ZONE = dt.timezone(dt.timedelta(hours=7))
MAKE_UP = D(2023, 1, 7)  # a make-up working Saturday, as a province may announce
CAL = WorkCalendar.vietnam([2022, 2023, 2024], extra_working_days=[MAKE_UP])
WEEKDAY, SATURDAY, TET = D(2023, 3, 15), D(2023, 9, 30), D(2023, 1, 22)  # Tết: 20–26/01


def on(day: dt.date) -> Day:
    return Day.of(day, CAL)


@pytest.mark.parametrize(("status", "due", "done_on", "day", "until", "expected"), [
    # not done: in time, due soon (≤ 3 working days, today counted as 0), overdue, no date
    ("chua_thuc_hien", WEEKDAY, None, D(2023, 3, 1), None, C.ON_TRACK),
    ("dang_thuc_hien", WEEKDAY, None, D(2023, 3, 10), None, C.DUE_SOON),  # Fri → Wed: 3
    ("dang_thuc_hien", WEEKDAY, None, D(2023, 3, 9), None, C.ON_TRACK),  # 4 working days
    ("vuong_mac", WEEKDAY, None, WEEKDAY, None, C.DUE_SOON),  # the day itself
    ("vuong_mac", WEEKDAY, None, D(2023, 3, 16), None, C.OVERDUE),
    ("chua_thuc_hien", None, None, WEEKDAY, None, C.NO_DATE),
    # a Saturday deadline runs to Monday 02/10: overdue from Tuesday only
    ("chua_thuc_hien", SATURDAY, None, D(2023, 10, 2), None, C.DUE_SOON),
    ("chua_thuc_hien", SATURDAY, None, D(2023, 10, 3), None, C.OVERDUE),
    ("hoan_thanh", SATURDAY, D(2023, 10, 2), D(2023, 10, 9), None, C.DONE_ON_TIME),
    ("hoan_thanh", SATURDAY, D(2023, 10, 3), D(2023, 10, 9), None, C.DONE_LATE),
    # a deadline in Tết runs to the first working day after it (Friday 27/01/2023)
    ("chua_thuc_hien", TET, None, D(2023, 1, 27), None, C.DUE_SOON),
    ("chua_thuc_hien", TET, None, D(2023, 1, 30), None, C.OVERDUE),
    ("hoan_thanh", TET, D(2023, 1, 27), D(2023, 2, 1), None, C.DONE_ON_TIME),
    ("hoan_thanh", TET, D(2023, 1, 30), D(2023, 2, 1), None, C.DONE_LATE),
    # the make-up Saturday is a working day: a deadline on it does not move
    ("chua_thuc_hien", MAKE_UP, None, D(2023, 1, 9), None, C.OVERDUE),
    ("hoan_thanh", MAKE_UP, D(2023, 1, 9), D(2023, 1, 10), None, C.DONE_LATE),
    ("chua_thuc_hien", D(2023, 1, 6), None, MAKE_UP, None, C.OVERDUE),
    # awaiting confirmation, paused (until a date, or indefinitely), not applicable
    ("cho_xac_nhan", WEEKDAY, D(2023, 3, 20), D(2023, 4, 1), None, C.AWAITING),
    ("tam_dung", WEEKDAY, None, D(2023, 4, 1), D(2023, 4, 10), C.PAUSED),
    ("tam_dung", WEEKDAY, None, D(2023, 4, 10), D(2023, 4, 10), C.OVERDUE),  # pause ended
    ("tam_dung", WEEKDAY, None, D(2024, 4, 1), None, C.PAUSED),
    ("tu_choi", WEEKDAY, None, D(2023, 3, 20), None, C.OVERDUE),
    ("khong_ap_dung", WEEKDAY, None, D(2023, 3, 20), None, None),
    ("hoan_thanh", None, D(2023, 3, 20), D(2023, 4, 1), None, C.DONE_ON_TIME),
])
def test_category_table(status: str, due: dt.date | None, done_on: dt.date | None,
                        day: dt.date, until: dt.date | None, expected: C | None) -> None:
    assert category(status, due, done_on, on(day), until) == expected


def test_an_extension_is_the_due_date_that_counts() -> None:
    extended = rules.effective_due(D(2023, 3, 31), extended_to=D(2023, 6, 30))
    assert category("dang_thuc_hien", extended, None, on(D(2023, 4, 3))) is C.ON_TRACK
    assert category("hoan_thanh", extended, D(2023, 5, 2), on(D(2023, 6, 1))) is C.DONE_ON_TIME
    occurrence = rules.effective_due(None, cycle_due=D(2023, 7, 20))
    assert occurrence == D(2023, 7, 20)


def test_reminders_stop_while_the_agency_has_nothing_to_do() -> None:
    day = D(2023, 3, 1)
    assert rules.owes_reminder("dang_thuc_hien", None, day)
    for quiet in ("cho_xac_nhan", "hoan_thanh", "tu_choi", "khong_ap_dung"):
        assert not rules.owes_reminder(quiet, None, day)
    assert not rules.owes_reminder("tam_dung", D(2023, 3, 2), day)
    assert rules.owes_reminder("tam_dung", D(2023, 3, 1), day)


async def _scramble(db: Database, seed: int) -> None:
    """Every lead assignment of the seed in a random state, with due dates on weekdays,
    weekends, Tết and the make-up Saturday (direct writes, recounted as an import would)."""
    rng = random.Random(seed)
    dues = [WEEKDAY, SATURDAY, TET, MAKE_UP, D(2023, 4, 29), D(2023, 9, 2), None,
            D(2023, 12, 31), D(2023, 6, 30)]
    async with db.uow() as uow:
        ids = (await uow.session.execute(select(Assignment.id).where(
            Assignment.role == "lead"))).scalars().all()
        for assignment_id in ids:
            status = rng.choice(rules.STATUSES)
            due = rng.choice(dues)
            done_on = (due or WEEKDAY) + dt.timedelta(days=rng.randint(-5, 5)) \
                if status in rules.DONE_LIKE else None
            until = rng.choice((None, D(2023, 5, 1), D(2023, 10, 1))) \
                if status == rules.PAUSED else None
            await uow.session.execute(update(Assignment).where(Assignment.id == assignment_id)
                                      .values(status=status, due_override=due, done_on=done_on,
                                              paused_until=until))
        await tallies.rebuild(uow.session)
        await uow.commit()


async def test_the_reports_sql_says_what_the_core_says(
        db: Database, example_path: Path, directory: Directory) -> None:
    await load_example(db, example_path, directory)
    await _scramble(db, 13)
    days = [D(2023, 1, 27), D(2023, 1, 30), D(2023, 3, 10), D(2023, 3, 16), D(2023, 5, 1),
            D(2023, 10, 2), D(2023, 10, 3), MAKE_UP, D(2023, 12, 29)]
    async with db.uow() as uow:
        rows = (await uow.session.execute(
            select(Assignment.id, Assignment.status, Assignment.due_override,
                   Task.due_date, Assignment.done_on, Assignment.paused_until)
            .join(Task).where(Assignment.role == "lead"))).all()
        for day in days:
            s = scope(day, None, ZONE, calendar=CAL)
            st = state(s, await deadline_shifts(uow.session, s))
            sql = dict((await uow.session.execute(select(st.c.id, st.c.category))).all())
            core = {}
            for assignment_id, status, override, plan_due, done_on, until in rows:
                found = category(status, override or plan_due, done_on, on(day), until)
                if found is not None:
                    core[assignment_id] = found.value
            assert sql == core, day
            assert len(set(sql.values())) >= 5


def test_every_day_of_the_seed_year_the_report_and_the_reminders_agree() -> None:
    """For each day of 2023 and each due date: an overdue or escalation reminder only for
    what the report calls overdue, a due or before reminder only for what it does not."""
    policy = ReminderPolicy()
    dues = [D(2023, 1, 1) + dt.timedelta(days=n) for n in range(365)]
    day = D(2023, 1, 2)
    checked = 0
    while day <= D(2023, 12, 31):
        schedule = DaySchedule.build(day, CAL, policy)
        today = on(day)
        for due in dues:
            kind = category("dang_thuc_hien", due, None, today)
            found = schedule.stage_for(due)
            if found is not None and found[0] is Stage.OVERDUE:
                assert kind is C.OVERDUE, (day, due)
                checked += 1
            if found is not None and found[0] in (Stage.DUE, Stage.BEFORE):
                assert kind is not C.OVERDUE, (day, due)
                checked += 1
            if due in schedule.escalation:
                assert kind is C.OVERDUE, (day, due)
            # the last reminder before a deadline passes goes out on or before its legal day
            if found is not None and found[0] is Stage.DUE:
                assert rules.deadline(due, CAL) >= day
        day += dt.timedelta(days=1)
    assert checked > 5000
