"""Every live lead assignment's state on a given day, as one SQL subquery.

"As of D" means at the end of day D (local time): answers dated D count, a deadline on D has
not passed yet. With no `as_of`, the current columns kept on `assignments` are used (fast
path); with one, the state is rebuilt from the append-only answers and extension decisions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Assignment, ExtensionRequest, Plan, StatusReport, Task
from storage.uow import default_calendar
from tracking import status as status_rules
from tracking.calendar import WorkCalendar
from words.texts import CATEGORY_LABELS

# The effective due date of an assignment now (tracking.status.effective_due, as SQL).
DUE = func.coalesce(Assignment.due_override, Assignment.cycle_due, Task.due_date)

AnySelect: TypeAlias = Select[*tuple[Any, ...]]
DONE = status_rules.DONE
NOT_APPLICABLE = status_rules.NOT_APPLICABLE
CATEGORIES = tuple(c.value for c in status_rules.CATEGORIES)
__all__ = ["CATEGORIES", "CATEGORY_LABELS", "DUE", "Scope", "deadline_shifts", "scope", "state"]


@dataclass(frozen=True)
class Scope:
    """Which day and which plans a report covers, and that day's deadline boundaries."""

    day: dt.date  # the as-of day (today for a current report)
    historical: bool  # rebuild from history instead of reading the current columns
    plans: tuple[str, ...] = ()  # plan codes; empty = every active plan
    cutoff: dt.datetime | None = None  # end of `day` in UTC (for timestamps)
    when: status_rules.Day | None = None

    @property
    def rules(self) -> status_rules.Day:
        return self.when or status_rules.Day.of(self.day, default_calendar())

    @property
    def last_passed(self) -> dt.date:
        """Deadlines on or before this date have passed on `day` (tracking.status.Day)."""
        return self.rules.last_passed


def scope(today: dt.date, as_of: dt.date | None, zone: dt.tzinfo,
          plans: Sequence[str] = (), calendar: WorkCalendar | None = None,
          soon_days: int = status_rules.DUE_SOON_WORKING_DAYS) -> Scope:
    day = as_of or today
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
    rules = status_rules.Day.of(day, calendar or default_calendar(), soon_days)
    return Scope(day, as_of is not None and as_of < today, tuple(plans), end, rules)


async def deadline_shifts(session: AsyncSession, s: Scope) -> dict[dt.date, dt.date]:
    """Stored due dates that fall on a day off, with their legal deadline (a few dozen at
    most: plans share their dates), for `state`'s on-time test. Indexed columns only, but
    the answers' occurrence dates for a past day."""
    dues: set[dt.date | None] = set()
    columns: list[Any] = [Task.due_date, Assignment.due_override, Assignment.cycle_due,
                          ExtensionRequest.proposed_date]
    if s.historical:
        columns.append(StatusReport.occurrence_due)
    for column in columns:
        dues |= set((await session.execute(select(column).distinct())).scalars())
    return status_rules.deadline_shifts(dues, s.rules.calendar)


def legal(due: ColumnElement[Any], shifts: Mapping[dt.date, dt.date]) -> ColumnElement[Any]:
    """The legal deadline of a due-date column, as SQL."""
    return case(dict(shifts), value=due, else_=due) if shifts else due


def category_sql(s: Scope, status: ColumnElement[Any], due: ColumnElement[Any],
                 done_on: ColumnElement[Any], until: ColumnElement[Any],
                 shifts: Mapping[dt.date, dt.date]) -> ColumnElement[Any]:
    """`tracking.status.category` in SQL; tests hold the two to the same answers."""
    rules, c = s.rules, status_rules.Category
    return case(
        (status == DONE, case((or_(due.is_(None), done_on.is_(None),
                                   done_on <= legal(due, shifts)), c.DONE_ON_TIME.value),
                              else_=c.DONE_LATE.value)),
        (status == status_rules.AWAITING, c.AWAITING.value),
        (and_(status == status_rules.PAUSED, or_(until.is_(None), until > s.day)),
         c.PAUSED.value),
        (due.is_(None), c.NO_DATE.value),
        (due <= rules.last_passed, c.OVERDUE.value),
        (due <= rules.soon_until, c.DUE_SOON.value),
        else_=c.ON_TRACK.value)


def live_filter(s: Scope) -> list[ColumnElement[bool]]:
    """Lead assignments of the chosen plans that existed at the end of the day."""
    conditions: list[ColumnElement[bool]] = [Assignment.role == "lead"]
    conditions.append(Plan.code.in_(s.plans) if s.plans else Plan.active.is_(True))
    if s.historical:
        conditions += [or_(Task.withdrawn_at.is_(None), Task.withdrawn_at >= s.cutoff),
                       or_(Assignment.removed_at.is_(None), Assignment.removed_at >= s.cutoff),
                       # added to the plan after that day: not yet in it then
                       or_(Task.created_at.is_(None), Task.created_at < s.cutoff),
                       or_(Assignment.created_at.is_(None), Assignment.created_at < s.cutoff)]
    else:
        conditions += [Task.withdrawn_at.is_(None), Assignment.removed_at.is_(None)]
    return conditions


def state(s: Scope, shifts: Mapping[dt.date, dt.date]) -> Subquery:
    """Columns: id, task_id, section_id, agency_id, plan_id, due, status, done_on, until,
    category. `shifts` from `deadline_shifts` (legal deadlines of dues on days off)."""
    base = (
        select(Assignment.id, Assignment.task_id, Task.section_id, Assignment.agency_id,
               Task.plan_id)
        .select_from(Assignment).join(Task).join(Plan).where(*live_filter(s)))
    if not s.historical:
        rows = base.add_columns(DUE.label("due"), Assignment.status.label("status"),
                                Assignment.done_on.label("done_on"),
                                Assignment.paused_until.label("until"))
    else:
        rows = _historical(base, s)
    inner = rows.subquery("current_state")
    category = category_sql(s, inner.c.status, inner.c.due, inner.c.done_on, inner.c.until,
                            shifts)
    return (select(*inner.c, category.label("category"))
            .where(inner.c.status != NOT_APPLICABLE).subquery("assignment_state"))


def _historical(base: AnySelect, s: Scope) -> AnySelect:
    """Status = the last answer dated on or before the day; done_on = the first answer of the
    last unbroken run of "done" answers; due = the last extension approved by then."""
    seen = StatusReport.answered_on <= s.day
    not_done = StatusReport.status.not_in(status_rules.DONE_LIKE)
    last = (select(StatusReport.assignment_id.label("aid"), func.max(StatusReport.id).label("id"),
                   func.max(case((not_done, StatusReport.id))).label("open_id"))
            .where(seen).group_by(StatusReport.assignment_id).subquery("last_answer"))
    done_run = (select(StatusReport.assignment_id.label("aid"),
                       func.min(StatusReport.answered_on).label("day"))
                .join(last, last.c.aid == StatusReport.assignment_id)
                .where(seen, StatusReport.status.in_(status_rules.DONE_LIKE),
                       StatusReport.id > func.coalesce(last.c.open_id, literal(0)))
                .group_by(StatusReport.assignment_id).subquery("done_run"))
    approved = (select(ExtensionRequest.assignment_id.label("aid"),
                       func.max(ExtensionRequest.id).label("id"))
                .where(ExtensionRequest.state == "approved",
                       ExtensionRequest.decided_at < s.cutoff)
                .group_by(ExtensionRequest.assignment_id).subquery("approved"))
    answer = StatusReport.__table__.alias("answer")
    extension = ExtensionRequest.__table__.alias("extension")
    return (base.add_columns(
        func.coalesce(extension.c.proposed_date, answer.c.occurrence_due, Task.due_date)
        .label("due"),
        func.coalesce(answer.c.status, literal(status_rules.NOT_STARTED)).label("status"),
        done_run.c.day.label("done_on"), answer.c.until.label("until"))
        .outerjoin(last, last.c.aid == Assignment.id)
        .outerjoin(answer, answer.c.id == last.c.id)
        .outerjoin(done_run, done_run.c.aid == Assignment.id)
        .outerjoin(approved, approved.c.aid == Assignment.id)
        .outerjoin(extension, extension.c.id == approved.c.id))
