"""Reminder policy rules, with the seed plan's own dates (Kiên Giang 272/KH-UBND, 2023)."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler.policy import (
    DaySchedule,
    OpenAssignment,
    Recipient,
    Reminder,
    ReminderPolicy,
    Stage,
    catch_up,
    legal_deadline,
    reminders_for,
)
from tracking.calendar import WorkCalendar

D = dt.date
CAL = WorkCalendar.vietnam(range(2022, 2026))
POLICY = ReminderPolicy()
SO_TU_PHAP, SO_NOI_VU_COORD = 7, 900


def calendar_of(due: dt.date, start: dt.date, end: dt.date,
                policy: ReminderPolicy = POLICY) -> list[tuple[dt.date, Stage]]:
    """Every (day, stage) a lead focal point hears about an assignment, assuming no answer."""
    out = []
    day = start
    while day <= end:
        found = DaySchedule.build(day, CAL, policy).stage_for(due)
        if found:
            out.append((day, found[0]))
        day += dt.timedelta(days=1)
    return out


def test_quarter_three_2023_ends_on_a_saturday() -> None:
    due = D(2023, 9, 30)  # "Quý III/2023", e.g. task VII.2
    assert calendar_of(due, D(2023, 9, 1), D(2023, 10, 12)) == [
        (D(2023, 9, 15), Stage.BEFORE),   # 14 days before = Sat 16/09 → Fri 15/09
        (D(2023, 9, 22), Stage.BEFORE),   # 7 days before = Sat 23/09 → Fri 22/09
        (D(2023, 9, 27), Stage.BEFORE),   # 3 days before, a Wednesday
        (D(2023, 9, 29), Stage.DUE),      # 1 day before and the due day (Sat) → one message Fri
        (D(2023, 10, 3), Stage.OVERDUE),  # deadline runs to Mon 02/10 (art. 148), late from Tue
        (D(2023, 10, 6), Stage.OVERDUE),  # then every 3 working days
        (D(2023, 10, 11), Stage.OVERDUE),
    ]
    assert legal_deadline(due, CAL) == D(2023, 10, 2)


def test_year_2023_ends_on_a_sunday_before_the_new_year_holiday() -> None:
    due = D(2023, 12, 31)  # "Năm 2023", most of the seed's tasks
    got = calendar_of(due, D(2023, 12, 10), D(2024, 1, 9))
    assert got[:4] == [(D(2023, 12, 15), Stage.BEFORE), (D(2023, 12, 22), Stage.BEFORE),
                       (D(2023, 12, 28), Stage.BEFORE), (D(2023, 12, 29), Stage.DUE)]
    assert legal_deadline(due, CAL) == D(2024, 1, 2)  # Mon 01/01/2024 is New Year's Day
    assert got[4:] == [(D(2024, 1, 3), Stage.OVERDUE), (D(2024, 1, 8), Stage.OVERDUE)]


def test_reminders_skip_tet_2023() -> None:
    due = D(2023, 1, 31)  # "Tháng 01/2023", tasks I.2 and I.5
    assert calendar_of(due, D(2023, 1, 10), D(2023, 1, 31)) == [
        (D(2023, 1, 17), Stage.BEFORE),
        (D(2023, 1, 19), Stage.BEFORE),  # 7 days before = 24/01, inside Tết (20–26/01)
        (D(2023, 1, 27), Stage.BEFORE),  # 3 days before = Sat 28/01 → Fri 27/01
        (D(2023, 1, 30), Stage.BEFORE),
        (D(2023, 1, 31), Stage.DUE),
    ]


def test_nothing_is_sent_on_days_off() -> None:
    for day in (D(2023, 1, 23), D(2023, 9, 2), D(2023, 9, 30), D(2023, 5, 1)):
        schedule = DaySchedule.build(day, CAL, POLICY)
        assert schedule.due_dates == frozenset() and not schedule.digest


def test_make_up_working_day_and_extra_day_off_are_respected() -> None:
    custom = WorkCalendar.vietnam([2023], extra_days_off=[D(2023, 9, 29)],
                                  extra_working_days=[D(2023, 9, 23)])
    schedule = DaySchedule.build(D(2023, 9, 28), custom, POLICY)
    assert schedule.stage_for(D(2023, 9, 30)) == (Stage.DUE, D(2023, 9, 30))
    assert DaySchedule.build(D(2023, 9, 23), custom, POLICY).stage_for(D(2023, 9, 30)) == (
        Stage.BEFORE, D(2023, 9, 23))


def test_escalation_after_seven_days_overdue() -> None:
    due = D(2023, 9, 30)
    days = [d for d in (D(2023, 10, 1) + dt.timedelta(n) for n in range(20))
            if due in DaySchedule.build(d, CAL, POLICY).escalation]
    assert days == [D(2023, 10, 9)]


def test_weekly_digest_moves_off_a_holiday_monday() -> None:
    assert DaySchedule.build(D(2023, 3, 6), CAL, POLICY).digest
    assert not DaySchedule.build(D(2023, 1, 2), CAL, POLICY).digest  # New Year observed
    assert DaySchedule.build(D(2023, 1, 3), CAL, POLICY).digest


def test_monthly_checkin_for_long_assignments() -> None:
    schedule = DaySchedule.build(D(2023, 3, 20), CAL, POLICY)
    assert schedule.stage_for(D(2023, 12, 31)) == (Stage.CHECKIN, D(2023, 3, 20))
    assert schedule.stage_for(D(2023, 4, 10)) is None  # due within 30 days: no check-in
    assert DaySchedule.build(D(2023, 5, 19), CAL, POLICY).checkin_after  # Sat 20/05 → Fri 19/05


def test_configured_numbers_change_the_schedule() -> None:
    policy = ReminderPolicy(days_before=(5,), overdue_every=1)
    got = calendar_of(D(2023, 3, 15), D(2023, 3, 1), D(2023, 3, 20), policy)
    assert got == [(D(2023, 3, 10), Stage.BEFORE), (D(2023, 3, 15), Stage.DUE),
                   (D(2023, 3, 16), Stage.OVERDUE), (D(2023, 3, 17), Stage.OVERDUE),
                   (D(2023, 3, 20), Stage.OVERDUE)]


def open_items() -> list[OpenAssignment]:
    return [OpenAssignment(1, SO_TU_PHAP, "lead", D(2023, 9, 30)),
            OpenAssignment(2, SO_TU_PHAP, "coordinating", D(2023, 9, 30)),
            OpenAssignment(3, 8, "lead", D(2023, 9, 30)),
            OpenAssignment(4, SO_TU_PHAP, "lead", None)]


def test_each_focal_point_gets_it_and_an_agency_without_contact_is_recorded() -> None:
    schedule = DaySchedule.build(D(2023, 9, 29), CAL, POLICY)
    focal = {SO_TU_PHAP: [Recipient(11, SO_TU_PHAP), Recipient(12, SO_TU_PHAP)]}
    got = reminders_for(schedule, open_items(), focal, [Recipient(SO_NOI_VU_COORD, None, True)],
                        POLICY)
    assert sorted((r.assignment_id, r.recipient, r.stage) for r in got) == [
        (1, 11, Stage.DUE), (1, 12, Stage.DUE), (3, None, Stage.DUE)]
    assert {r.days_left for r in got} == {1}


@pytest.mark.parametrize(("copy", "expected"), [(False, {1}), (True, {1, 2})])
def test_coordinating_agencies_get_a_copy_only_when_enabled(copy: bool, expected: set[int]) -> None:
    policy = ReminderPolicy(copy_coordinating=copy)
    schedule = DaySchedule.build(D(2023, 9, 29), CAL, policy)
    got = reminders_for(schedule, open_items()[:2], {SO_TU_PHAP: [Recipient(11, SO_TU_PHAP)]},
                        [], policy)
    assert {r.assignment_id for r in got} == expected


def test_escalation_and_digest_go_to_coordinators() -> None:
    coordinators = [Recipient(SO_NOI_VU_COORD, None, True)]
    got = reminders_for(DaySchedule.build(D(2023, 10, 9), CAL, POLICY), open_items()[:1],
                        {}, coordinators, POLICY)
    assert sorted((r.stage, r.recipient) for r in got) == [
        (Stage.DIGEST, SO_NOI_VU_COORD), (Stage.ESCALATION, SO_NOI_VU_COORD)]


def test_catch_up_collapses_missed_days_into_one_late_reminder() -> None:
    focal = {SO_TU_PHAP: [Recipient(11, SO_TU_PHAP)]}
    items = open_items()[:1]
    days = [D(2023, 9, 27) + dt.timedelta(n) for n in range(7)]  # Wed 27/09 … Tue 03/10
    per_day = [reminders_for(DaySchedule.build(d, CAL, POLICY), items, focal, [], POLICY)
               for d in days]
    got = catch_up(per_day, D(2023, 10, 3))
    assert [(r.stage, r.send_on, r.late) for r in got] == [(Stage.OVERDUE, D(2023, 10, 3), False)]
    older = catch_up(per_day[:3], D(2023, 10, 3))
    assert [(r.stage, r.natural, r.late) for r in older] == [(Stage.DUE, D(2023, 9, 30), True)]


def test_keys_are_stable_per_stage_and_escalation_happens_once() -> None:
    a = Reminder(Stage.ESCALATION, D(2023, 10, 9), D(2023, 10, 9), 1, 7, 900, D(2023, 9, 30))
    b = Reminder(Stage.ESCALATION, D(2023, 10, 10), D(2023, 10, 10), 1, 7, 900, D(2023, 9, 30))
    assert a.key == b.key
    before = Reminder(Stage.BEFORE, D(2023, 9, 22), D(2023, 9, 22), 1, 7, None, D(2023, 9, 30))
    assert before.key == "1:none:before:2023-09-22"
