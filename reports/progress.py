"""Per-task progress on a day: a task led by 139 communes is read as one line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reports.state import Scope, deadline_shifts, scope, state
from storage.models import Plan, Section
from tracking.calendar import WorkCalendar
from tracking.model import TaskProgress
from tracking.status import DONE_CATEGORIES, Category


async def task_progress(session: AsyncSession, task_ids: Collection[int], day: dt.date,
                        zone: dt.tzinfo, calendar: WorkCalendar, soon_days: int
                        ) -> dict[int, TaskProgress]:
    """{task id: its lead assignments, how many are done, how many overdue} on `day`, from
    the same categories as every report (reports.state)."""
    if not task_ids:
        return {}
    chosen = scope(day, None, zone, (), calendar, soon_days)
    current = state(chosen, await deadline_shifts(session, chosen))
    done = func.sum(case((current.c.category.in_([c.value for c in DONE_CATEGORIES]), 1),
                         else_=0))
    late = func.sum(case((current.c.category == Category.OVERDUE.value, 1), else_=0))
    rows = await session.execute(
        select(current.c.task_id, func.count(), done, late)
        .where(current.c.task_id.in_(list(task_ids))).group_by(current.c.task_id))
    return {task_id: TaskProgress(int(led), int(done or 0), int(late or 0))
            for task_id, led, done, late in rows}


@dataclass(frozen=True)
class SectionProgress:
    """One section as /tonghop reads it: tasks and agencies counted apart, since a task led
    by 139 communes is one task and 139 assignments ("0/144" said neither)."""

    label: str
    tasks: int
    tasks_done: int  # every lead assignment done
    assignments: int
    assignments_done: int


async def section_progress(session: AsyncSession, s: Scope) -> list[SectionProgress]:
    """Per section of the report's plans, on the report's day (reports.state)."""
    current = state(s, await deadline_shifts(session, s))
    done = func.sum(case((current.c.category.in_([c.value for c in DONE_CATEGORIES]), 1),
                         else_=0))
    per_task = (select(current.c.section_id, current.c.task_id, func.count().label("led"),
                       done.label("done")).group_by(current.c.section_id, current.c.task_id)
                .subquery("per_task"))
    rows = await session.execute(
        select(Section.id, Plan.code, Section.numeral, Section.title, func.count(),
               func.sum(case((per_task.c.done == per_task.c.led, 1), else_=0)),
               func.sum(per_task.c.led), func.sum(per_task.c.done))
        .join(per_task, per_task.c.section_id == Section.id)
        .join(Plan, Plan.id == Section.plan_id)
        .group_by(Section.id, Plan.code, Section.numeral, Section.title, Plan.id,
                  Section.position)
        .order_by(Plan.id, Section.position))
    found = rows.all()
    several = len({code for _, code, *_ in found}) > 1
    out = []
    for _, code, numeral, title, tasks, tasks_done, led, led_done in found:
        label = f"{numeral}. {title or ''}".strip()
        out.append(SectionProgress(f"{code} — {label}" if several else label, int(tasks),
                                   int(tasks_done or 0), int(led or 0), int(led_done or 0)))
    return out
