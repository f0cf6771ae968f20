"""Reminder policy: which reminders a day owes, to whom. Pure — no clock, no database.

For a day, `DaySchedule` lists the due dates that have a stage that day, so the sweep only
loads those assignments (cost follows the reminders due, not the size of the plan);
`reminders_for` then decides per assignment and recipient.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from tracking.calendar import ONE_DAY, WorkCalendar
from tracking.model import OpenAssignment, Recipient, Reminder, Stage
from tracking.status import deadline

__all__ = ["DaySchedule", "OpenAssignment", "Recipient", "Reminder", "ReminderPolicy", "Stage",
           "catch_up", "legal_deadline", "reminders_for"]

OVERDUE_LOOKBACK_DAYS = 3 * 366  # overdue reminders stop three years after the deadline


# When several focal stages fall on one day, the most urgent one is sent.
_URGENCY = {Stage.OVERDUE: 3, Stage.DUE: 2, Stage.BEFORE: 1, Stage.CHECKIN: 0}


@dataclass(frozen=True)
class ReminderPolicy:
    """Every number of the policy; built from Settings."""

    days_before: tuple[int, ...] = (14, 7, 3, 1)
    overdue_every: int = 3
    escalate_after: int = 7
    digest_weekday: int = 0  # Monday
    checkin_day: int = 20
    checkin_min_days: int = 30
    copy_coordinating: bool = False


legal_deadline = deadline  # tracking.status decides what a deadline is


@dataclass(frozen=True)
class DaySchedule:
    """What a day owes, keyed by due date."""

    day: dt.date
    focal: Mapping[dt.date, tuple[Stage, dt.date]] = field(default_factory=dict)
    escalation: frozenset[dt.date] = frozenset()
    checkin_after: dt.date | None = None  # due dates after this get a monthly check-in
    digest: bool = False

    @property
    def due_dates(self) -> frozenset[dt.date]:
        return frozenset(self.focal) | self.escalation

    @classmethod
    def build(cls, day: dt.date, calendar: WorkCalendar, policy: ReminderPolicy) -> DaySchedule:
        if not calendar.is_working(day):
            return cls(day)
        focal: dict[dt.date, tuple[Stage, dt.date]] = {}
        _add_overdue(focal, day, calendar, policy)
        naturals = _naturals_sent_on(day, calendar)
        for natural in naturals:
            _offer(focal, natural, (Stage.DUE, natural))
            for before in policy.days_before:
                _offer(focal, natural + dt.timedelta(days=before), (Stage.BEFORE, natural))
        checkin_on = calendar.on_or_before(_checkin_date(day, policy))
        return cls(day, focal, _escalation_dues(day, calendar, policy),
                   day + dt.timedelta(days=policy.checkin_min_days) if checkin_on == day else None,
                   calendar.on_or_after(_week_start(day, policy)) == day)

    def stage_for(self, due: dt.date | None, ongoing: bool = False
                  ) -> tuple[Stage, dt.date] | None:
        """The focal stage (and its natural date) an assignment with this due date gets
        today; ongoing work without a due date gets the monthly check-in."""
        if due is None:
            return (Stage.CHECKIN, self.day) if ongoing and self.checkin_after else None
        found = self.focal.get(due)
        if found is None and self.checkin_after and due > self.checkin_after:
            return Stage.CHECKIN, self.day
        return found

    def focal_stage(self, item: OpenAssignment) -> tuple[Stage, dt.date] | None:
        """`stage_for`, with a focal point's snooze: nothing before its day, and a reminder
        on it (never after the due date: the chat caps the day)."""
        snoozed = item.snoozed_until
        if snoozed is not None and self.day < snoozed:
            return None
        found = self.stage_for(item.due, item.ongoing)
        if found is None and snoozed == self.day:
            stage = Stage.DUE if item.due == self.day else Stage.BEFORE
            return stage, self.day
        return found


def _offer(focal: dict[dt.date, tuple[Stage, dt.date]], due: dt.date,
           stage: tuple[Stage, dt.date]) -> None:
    current = focal.get(due)
    if current is None or _URGENCY[stage[0]] > _URGENCY[current[0]]:
        focal[due] = stage


def _naturals_sent_on(day: dt.date, calendar: WorkCalendar) -> list[dt.date]:
    """`day` and the days off right after it: reminders due then move back to `day`."""
    out = [day]
    following = day + ONE_DAY
    while not calendar.is_working(following):
        out.append(following)
        following += ONE_DAY
    return out


def _dues_with_deadline(end: dt.date, calendar: WorkCalendar) -> list[dt.date]:
    """Due dates whose legal deadline is the working day `end` (it and the days off before it)."""
    out = [end]
    previous = end - ONE_DAY
    while not calendar.is_working(previous) and (end - previous).days < 30:
        out.append(previous)
        previous -= ONE_DAY
    return out


def _add_overdue(focal: dict[dt.date, tuple[Stage, dt.date]], day: dt.date,
                 calendar: WorkCalendar, policy: ReminderPolicy) -> None:
    """Overdue every N working days: `day` must be working day 1, 1+N, 1+2N… after the deadline."""
    back = day
    count = 0
    limit = day - dt.timedelta(days=OVERDUE_LOOKBACK_DAYS)
    while back > limit:
        back = calendar.on_or_before(back - ONE_DAY)
        count += 1
        if (count - 1) % policy.overdue_every == 0:
            for due in _dues_with_deadline(back, calendar):
                focal[due] = (Stage.OVERDUE, day)


def _escalation_dues(day: dt.date, calendar: WorkCalendar,
                     policy: ReminderPolicy) -> frozenset[dt.date]:
    """Due dates whose deadline passed `escalate_after` days ago, counted to a working day."""
    dues = set()
    start = day - dt.timedelta(days=policy.escalate_after + 40)
    candidate = start
    while candidate < day:
        end = legal_deadline(candidate, calendar)
        if calendar.on_or_after(end + dt.timedelta(days=policy.escalate_after)) == day:
            dues.add(candidate)
        candidate += ONE_DAY
    return frozenset(dues)


def _checkin_date(day: dt.date, policy: ReminderPolicy) -> dt.date:
    return day.replace(day=min(policy.checkin_day, 28))


def _week_start(day: dt.date, policy: ReminderPolicy) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - policy.digest_weekday) % 7)


def reminders_for(schedule: DaySchedule, assignments: Iterable[OpenAssignment],
                  focal_points: Mapping[int, Sequence[Recipient]],
                  coordinators: Sequence[Recipient], policy: ReminderPolicy) -> list[Reminder]:
    """Reminders owed on `schedule.day`; an agency without contacts gets an undeliverable item."""
    day = schedule.day
    out: list[Reminder] = []
    coordinator_ids: list[int | None] = [c.contact_id for c in coordinators] or [None]
    for item in assignments:
        if item.role != "lead" and not policy.copy_coordinating:
            continue
        found = schedule.focal_stage(item)
        if found is not None:
            stage, natural = found
            people: list[int | None] = [p.contact_id for p in
                                        focal_points.get(item.agency_id, ())] or [None]
            out += [Reminder(stage, natural, day, item.id, item.agency_id, who, item.due)
                    for who in people]
        if item.role == "lead" and item.due in schedule.escalation:
            out += [Reminder(Stage.ESCALATION, day, day, item.id, item.agency_id, who, item.due,
                             cycle=item.recurrence is not None) for who in coordinator_ids]
    if schedule.digest:
        out += [Reminder(Stage.DIGEST, day, day, None, None, c.contact_id, None)
                for c in coordinators]
    return out


def grouped_checkins(schedule: DaySchedule, counts: Mapping[int, int],
                     focal_points: Mapping[int, Sequence[Recipient]]) -> list[Reminder]:
    """An agency with more assignments owing the monthly check-in than one message can list
    (storage counts them) gets one check-in standing for all of them."""
    if schedule.checkin_after is None:
        return []
    day = schedule.day
    out: list[Reminder] = []
    for agency_id, n in counts.items():
        people: list[int | None] = [p.contact_id for p in focal_points.get(agency_id, ())] \
            or [None]
        out += [Reminder(Stage.CHECKIN, day, day, None, agency_id, who, None, count=n)
                for who in people]
    return out


def catch_up(per_day: Iterable[list[Reminder]], today: dt.date) -> list[Reminder]:
    """Missed days collapse: per assignment and recipient only the latest reminder, sent today."""
    latest: dict[tuple[object, ...], Reminder] = {}
    for reminders in per_day:
        for item in reminders:
            family = "digest" if item.stage is Stage.DIGEST else (
                "escalation" if item.stage is Stage.ESCALATION else "focal")
            if item.assignment_id is None and item.stage is Stage.CHECKIN:
                family = f"group:{item.agency_id}"
            latest[(item.assignment_id, item.recipient, family)] = item
    return [Reminder(r.stage, r.natural, today, r.assignment_id, r.agency_id, r.recipient, r.due,
                     late=r.natural < today, cycle=r.cycle, count=r.count)
            for r in latest.values()]
