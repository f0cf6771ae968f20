"""Row streams for the workbook: one row per lead assignment in appendix order, and every
stored answer. Streamed in chunks so 100,000 rows never sit in memory at once; rows are
named tuples (frozen dataclasses cost ~1 s more per 100,000 rows to build)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any, NamedTuple

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from reports.state import Scope, deadline_shifts, state
from storage.models import Agency, Assignment, Contact, Plan, Section, StatusReport, Task

CHUNK = 2000


class ProgressRow(NamedTuple):
    assignment_id: int
    plan: str
    section: str
    section_title: str | None
    ref: str
    content: str
    product: str
    lead_text: str
    coordinating_text: str
    deadline_text: str
    note: str
    agency: str
    due: dt.date | None
    category: str
    status: str
    percent: int | None
    evidence: str | None
    updated_at: dt.datetime | None
    updated_by: str | None
    said: str | None = None  # the agency's last note: a blocker's reason, an extension's why
    reassigned: bool = False  # Sở Nội vụ gave it to this agency instead of the plan's lead


class HistoryRow(NamedTuple):
    created_at: dt.datetime
    answered_on: dt.date
    assignment_id: int
    ref: str
    agency: str
    person: str | None
    channel: str
    status: str
    percent: int | None
    note: str | None
    evidence: str | None
    file: dict[str, Any] | None
    raw_text: str | None


def local_time(value: dt.datetime | None, zone: dt.tzinfo) -> dt.datetime | None:
    """A stored timestamp (UTC; naive from SQLite) as local wall-clock time, without tzinfo:
    Excel and CSV have no time zones, so they show what the coordinator's clock said."""
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(zone).replace(tzinfo=None)


async def progress_rows(session: AsyncSession, s: Scope, by_agency: bool = False
                        ) -> AsyncIterator[ProgressRow]:
    """The lead assignments in the appendix's order, or agency by agency (`by_agency`)."""
    st = state(s, await deadline_shifts(session, s))
    seen = StatusReport.answered_on <= s.day
    # a recurring duty's percent and evidence are its current occurrence's: the previous
    # one's "100 %" beside "Trong hạn" said the wrong thing
    current = or_(StatusReport.occurrence_due.is_(None), Assignment.cycle_due.is_(None),
                  StatusReport.occurrence_due >= Assignment.cycle_due)
    # "updated by" is the agency's own last report, not a coordinator's confirmation
    latest = (select(StatusReport.assignment_id.label("aid"),
                     func.max(case((StatusReport.channel != "system", StatusReport.id)))
                     .label("last"),
                     func.max(case((and_(StatusReport.percent.is_not(None), current),
                                    StatusReport.id))).label("percent"),
                     func.max(case((and_(StatusReport.evidence.is_not(None), current),
                                    StatusReport.id))).label("evidence"))
              .join(Assignment, Assignment.id == StatusReport.assignment_id)
              .where(seen).group_by(StatusReport.assignment_id).subquery("latest"))
    last, pct, ev = (StatusReport.__table__.alias(n) for n in ("last", "pct", "ev"))
    moved = aliased(Assignment, name="moved")
    query = (
        select(st.c.id, Plan.code, Section.numeral, Section.title, Task.ref, Task.content,
               Task.product, Task.lead_text, Task.coordinating_text, Task.deadline_text,
               Task.note, Agency.name, st.c.due, st.c.category, st.c.status, pct.c.percent,
               ev.c.evidence,
               last.c.created_at, Contact.display_name, last.c.note,
               moved.reassigned_from.is_not(None))
        .select_from(st).join(Task, Task.id == st.c.task_id).join(Plan, Plan.id == st.c.plan_id)
        .join(moved, moved.id == st.c.id)
        .join(Section, Section.id == st.c.section_id).join(Agency, Agency.id == st.c.agency_id)
        .outerjoin(latest, latest.c.aid == st.c.id)
        .outerjoin(last, last.c.id == latest.c.last)
        .outerjoin(pct, pct.c.id == latest.c.percent)
        .outerjoin(ev, ev.c.id == latest.c.evidence)
        .outerjoin(Contact, Contact.id == last.c.contact_id)
        .order_by(*((Agency.name,) if by_agency else ()), Plan.id, Section.position,
                  Task.position, Agency.name))
    result = await session.stream(query.execution_options(yield_per=CHUNK))
    async for chunk in result.partitions():  # one hop out of the driver's thread per chunk
        for row in chunk:
            yield ProgressRow._make(row)


async def history_rows(session: AsyncSession, s: Scope) -> AsyncIterator[HistoryRow]:
    plans = Plan.code.in_(s.plans) if s.plans else Plan.active.is_(True)
    query = (
        select(StatusReport.created_at, StatusReport.answered_on, StatusReport.assignment_id,
               Task.ref, Agency.name, Contact.display_name, StatusReport.channel,
               StatusReport.status, StatusReport.percent, StatusReport.note,
               StatusReport.evidence, StatusReport.file, StatusReport.raw_text)
        .select_from(StatusReport)
        .join(Assignment, Assignment.id == StatusReport.assignment_id)
        .join(Task, Task.id == Assignment.task_id)
        .join(Plan, Plan.id == Task.plan_id).join(Agency, Agency.id == StatusReport.agency_id)
        .outerjoin(Contact, Contact.id == StatusReport.contact_id)
        # what people said and decided; the automatic roll of a recurring duty to its next
        # occurrence (no one's, channel "system") is bookkeeping, not history
        .where(StatusReport.answered_on <= s.day, plans,
               or_(StatusReport.channel != "system", StatusReport.contact_id.is_not(None)))
        .order_by(StatusReport.id))
    result = await session.stream(query.execution_options(yield_per=CHUNK))
    async for chunk in result.partitions():
        for row in chunk:
            yield HistoryRow._make(row)

