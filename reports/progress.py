"""Per-task progress on a day: a task led by 139 communes is read as one line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reports.state import deadline_shifts, scope, state
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
