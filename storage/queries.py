"""Read-only questions the bot and the CLI ask; each is one SQL statement."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Agency, Assignment, Plan, Task
from tracking import status as rules


@dataclass(frozen=True)
class PlanRow:
    code: str
    title: str | None
    issued_on: dt.date | None
    active: bool
    tasks: int
    assignments: int


@dataclass(frozen=True)
class AssignmentRow:
    id: int
    plan_code: str
    ref: str
    content: str
    product: str
    role: str
    due: dt.date | None
    deadline_text: str
    status: str


async def plans(session: AsyncSession) -> list[PlanRow]:
    tasks = (select(Task.plan_id, func.count().label("n")).where(Task.withdrawn_at.is_(None))
             .group_by(Task.plan_id).subquery())
    assignments = (select(Task.plan_id, func.count().label("n")).join(Assignment)
                   .where(Assignment.removed_at.is_(None), Task.withdrawn_at.is_(None))
                   .group_by(Task.plan_id).subquery())
    rows = await session.execute(
        select(Plan.code, Plan.title, Plan.issued_on, Plan.active,
               func.coalesce(tasks.c.n, 0), func.coalesce(assignments.c.n, 0))
        .outerjoin(tasks, tasks.c.plan_id == Plan.id)
        .outerjoin(assignments, assignments.c.plan_id == Plan.id).order_by(Plan.id))
    return [PlanRow(*row) for row in rows.all()]


async def set_active(session: AsyncSession, code: str, active: bool) -> bool:
    plan = (await session.execute(select(Plan).where(Plan.code == code))).scalar_one_or_none()
    if plan is None:
        return False
    plan.active = active
    return True


async def set_confirmation(session: AsyncSession, code: str, on: bool) -> bool:
    """Whether a plan's completions wait for the coordinators' confirmation."""
    plan = (await session.execute(select(Plan).where(Plan.code == code))).scalar_one_or_none()
    if plan is None:
        return False
    plan.confirm_done = on
    return True


async def agency_names(session: AsyncSession) -> list[str]:
    """Agencies that have at least one live assignment in an active plan."""
    rows = await session.execute(
        select(Agency.name).join(Assignment).join(Task).join(Plan)
        .where(Plan.active, Task.withdrawn_at.is_(None), Assignment.removed_at.is_(None))
        .distinct().order_by(Agency.name))
    return list(rows.scalars())


async def agency_entries(session: AsyncSession) -> list[tuple[str, list[str]]]:
    """(name, aliases) of the agencies that have a live assignment in an active plan."""
    live = (select(Assignment.id).join(Task).join(Plan)
            .where(Assignment.agency_id == Agency.id, Plan.active, Task.withdrawn_at.is_(None),
                   Assignment.removed_at.is_(None)).exists())
    rows = await session.execute(select(Agency.name, Agency.aliases).where(live)
                                 .order_by(Agency.name))  # no DISTINCT: json has no equality
    return [(name, list(aliases or [])) for name, aliases in rows.all()]


async def open_assignments(session: AsyncSession, agency_id: int,
                           roles: tuple[str, ...] = ("lead",)) -> list[AssignmentRow]:
    """An agency's unfinished assignments in active plans, earliest deadline first."""
    due = func.coalesce(Assignment.due_override, Assignment.cycle_due, Task.due_date)
    rows = await session.execute(
        select(Assignment.id, Plan.code, Task.ref, Task.content, Task.product, Assignment.role,
               due, Task.deadline_text, Assignment.status)
        .select_from(Assignment).join(Task).join(Plan)
        .where(Assignment.agency_id == agency_id, Plan.active, Task.withdrawn_at.is_(None),
               Assignment.removed_at.is_(None), Assignment.role.in_(roles),
               Assignment.status.not_in(("hoan_thanh", "khong_ap_dung")))
        .order_by(due.is_(None), due, Plan.code, Task.position))
    return [AssignmentRow(*row) for row in rows]


_LIVE = (Plan.active, Task.withdrawn_at.is_(None), Assignment.removed_at.is_(None),
         Assignment.role == "lead")


async def due_between(session: AsyncSession, start: dt.date, end: dt.date,
                      limit: int = 60) -> list[tuple[str, str, dt.date, str, int]]:
    """Live lead assignments the agency still has to act on, due from `start` to `end`."""
    due = func.coalesce(Assignment.due_override, Assignment.cycle_due, Task.due_date)
    rows = await session.execute(
        select(Task.ref, Agency.name, due, Assignment.status, Assignment.id)
        .select_from(Assignment).join(Task).join(Plan).join(Agency)
        .where(*_LIVE, due >= start, due <= end, Assignment.status.not_in(rules.QUIET))
        .order_by(due, Task.position, Agency.name).limit(limit))
    return [tuple(row) for row in rows]  # type: ignore[misc]


async def never_answered(session: AsyncSession, last_passed: dt.date) -> tuple[int, list[str]]:
    """Open lead assignments whose deadline passed (on or before `last_passed`, from
    tracking.status.Day) with no answer at all, and the agencies behind them."""
    from storage.models import StatusReport

    due = func.coalesce(Assignment.due_override, Assignment.cycle_due, Task.due_date)
    answered = select(StatusReport.id).where(StatusReport.assignment_id == Assignment.id)
    rows = await session.execute(
        select(Agency.name, func.count()).select_from(Assignment).join(Task).join(Plan)
        .join(Agency).where(*_LIVE, due <= last_passed, ~answered.exists(),
                            Assignment.status.not_in(rules.QUIET))
        .group_by(Agency.name).order_by(func.count().desc(), Agency.name))
    pairs = [(name, int(n)) for name, n in rows]
    return sum(n for _, n in pairs), [f"{name}: {n}" for name, n in pairs]


async def task_detail(session: AsyncSession, ref: str
                      ) -> list[tuple[int, str, str, str, str, dt.date | None, str]]:
    """Every live assignment of a task (by ref, in active plans)."""
    due = func.coalesce(Assignment.due_override, Assignment.cycle_due, Task.due_date)
    rows = await session.execute(
        select(Assignment.id, Task.ref, Task.content, Agency.name, Assignment.role, due,
               Assignment.status)
        .select_from(Assignment).join(Task).join(Plan).join(Agency)
        .where(Plan.active, Task.withdrawn_at.is_(None), Assignment.removed_at.is_(None),
               func.upper(Task.ref) == ref.upper())
        .order_by(Assignment.role.desc(), Agency.name))
    return [tuple(row) for row in rows]  # type: ignore[misc]


async def agency_name(session: AsyncSession, agency_id: int) -> str:
    return str((await session.execute(select(Agency.name).where(Agency.id == agency_id)))
               .scalar_one())


async def focal_contacts(session: AsyncSession, agency_id: int) -> list[int]:
    from storage.models import Contact

    rows = await session.execute(select(Contact.id).where(
        Contact.agency_id == agency_id, Contact.role == "focal", Contact.reachable,
        Contact.unlinked_at.is_(None)))
    return list(rows.scalars())



async def lead_assignment(session: AsyncSession, plan_code: str, ref: str,
                          agency: str) -> int | None:
    """The id of an agency's lead assignment for a task, by the plan's number and the ref."""
    return (await session.execute(
        select(Assignment.id).join(Task).join(Plan)
        .join(Agency, Agency.id == Assignment.agency_id)
        .where(Plan.code == plan_code, Task.ref == ref, Agency.name == agency,
               Assignment.role == "lead"))).scalar_one_or_none()
