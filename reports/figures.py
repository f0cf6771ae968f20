"""The numbers of a report: status counts (overall, per section, per agency), the per-agency
scoreboard, and the gaps (no fixed date, no contact, never answered).

Today's counts come from the running tallies (storage.tallies); a past day's from one
GROUP BY over `state.state()`. Either way they become "cells" (per section and per agency:
category, deadline passed, count, undated, never answered), and everything else is a single
pass over those few thousand cells, plus three small lookups (section titles, agency names
with their contacts, last answers).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from reports.state import NOT_APPLICABLE, Scope, deadline_shifts, live_filter, state
from storage.models import Agency, Assignment, Contact, Plan, Section, StatusReport, Tally, Task
from storage.tallies import AGENCY, NO_DATE, SECTION
from tracking import status as rules

DONE_CATEGORIES = tuple(c.value for c in rules.DONE_CATEGORIES)
# work under way, counted apart in summaries ("of which: blocked…")
OPEN_STATUSES = (rules.IN_PROGRESS, rules.BLOCKED, rules.EXTENSION, rules.REFUSED)


@dataclass
class Summary:
    day: dt.date
    plans: list[tuple[str, str | None]]  # code, title
    total: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)  # of OPEN_STATUSES
    sections: list[tuple[str, str, dict[str, int]]] = field(default_factory=list)
    agencies: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    no_fixed_date: int = 0  # lead assignments whose deadline is not a date
    never_answered: int = 0
    never_answered_due: int = 0  # ... of which the deadline has passed
    no_contact: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ScoreRow:
    """One agency's record. `due` = lead assignments whose deadline passed before the day;
    on_time + late + overdue + awaiting == due; rate = on_time / due. Paused assignments
    are not due while paused (tracking.status)."""

    agency: str
    total: int
    due: int
    on_time: int
    late: int
    overdue: int
    done_early: int  # done although the deadline is still ahead (not in the rate)
    last_answer: dt.datetime | None
    awaiting: int = 0  # reported done, waiting for the coordinators to confirm

    @property
    def rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


@dataclass(frozen=True)
class Figures:
    summary: Summary
    scoreboard: list[ScoreRow]  # worst first


async def compute(session: AsyncSession, s: Scope) -> Figures:
    """Everything a report shows but the rows. Call first: it also tunes the transaction."""
    await tune(session)
    cells = await (_rebuilt_cells(session, s) if s.historical else _tallied_cells(session, s))
    summary = Summary(s.day, await plans(session, s))
    by_section: dict[int, Counter[str]] = defaultdict(Counter)
    by_agency: dict[int, Counter[str]] = defaultdict(Counter)
    scores: dict[int, Counter[str]] = defaultdict(Counter)
    statuses: Counter[str] = Counter()
    for dimension, key_id, kind, status, was_due, n, undated, silent in cells:
        if kind == rules.Category.PAUSED:
            was_due = False
        if dimension == SECTION:  # each assignment is in one section cell and one agency cell
            by_section[key_id][kind] += n
            if status in OPEN_STATUSES:
                statuses[status] += n
            summary.no_fixed_date += undated
            summary.never_answered += silent
            summary.never_answered_due += silent if was_due else 0
            continue
        by_agency[key_id][kind] += n
        score = scores[key_id]
        score["total"] += n
        if was_due:
            score["due"] += n
            score[kind if kind in (*DONE_CATEGORIES, rules.AWAITING) else "overdue"] += n
        elif kind in DONE_CATEGORIES:
            score["early"] += n
    for agency_id, due, done_on in await _past_occurrences(session, s):
        score = scores[agency_id]  # a closed occurrence of a recurring duty: scored alone
        score["due"] += 1
        late = rules.done_late(done_on, due, s.rules.calendar)
        score["overdue" if done_on is None else DONE_CATEGORIES[late]] += 1
    summary.counts = dict(sum(by_section.values(), Counter[str]()))
    summary.statuses = dict(statuses)
    summary.total = sum(summary.counts.values())
    summary.sections = await _sections(session, by_section, several=len(summary.plans) > 1)
    names, contacted = await _agencies(session, s, list(by_agency))
    summary.agencies = sorted(((names[a], dict(c)) for a, c in by_agency.items()),
                              key=lambda pair: pair[0])
    summary.no_contact = sorted(names[a] for a in by_agency if a not in contacted)
    last = await _last_answers(session, s, list(by_agency))
    board = [ScoreRow(names[a], c["total"], c["due"], c["hoan_thanh_dung_han"],
                      c["hoan_thanh_qua_han"], c["overdue"], c["early"], last.get(a),
                      c[rules.AWAITING])
             for a, c in scores.items()]
    # lowest on-time rate first; agencies with nothing due yet after, unranked (the most
    # assignments first: where the most is at stake), never alphabetical as a "rank"
    board.sort(key=lambda r: (r.rate is None, r.rate or 0, -r.overdue, -r.total, r.agency))
    return Figures(summary, board)


# (dimension, agency or section id, category, status, deadline passed, count, of which no
#  fixed date, of which never answered)
Cell = tuple[str, int, str, str, bool, int, int, int]


async def _tallied_cells(session: AsyncSession, s: Scope) -> list[Cell]:
    """Today's figures from the running counts (storage.tallies): a GROUP BY over a few
    thousand counts; each key's category is `tracking.status.category` of its due date.
    (A pause is taken as holding: the daily sweep lifts the ones that end.)"""
    where = Plan.code.in_(s.plans) if s.plans else Plan.active.is_(True)
    keys = (Tally.dimension, Tally.key_id, Tally.status, Tally.late, Tally.answered, Tally.due)
    rows = await session.execute(
        select(*keys, func.sum(Tally.n)).join(Plan, Plan.id == Tally.plan_id)
        .where(where, Tally.n != 0, Tally.status != NOT_APPLICABLE).group_by(*keys))
    cells: dict[tuple[str, int, str, str, bool], list[int]] = defaultdict(lambda: [0, 0, 0])
    day = s.rules
    for dimension, key_id, status, late, answered, due_on, n in rows:
        due = None if due_on == NO_DATE else due_on
        # `late` is stored with the count (scored on the calendar when it was written):
        # hand it to the rule as a completion date on or after the legal deadline.
        done_on = (rules.deadline(due, day.calendar) + dt.timedelta(days=1 if late else 0)
                   if due is not None else None)
        kind = rules.category(status, due, done_on, day)
        if kind is None:
            continue
        cell = cells[(dimension, key_id, kind.value, status, day.passed(due))]
        cell[0] += n
        cell[1] += n if due is None else 0
        cell[2] += n if status == rules.NOT_STARTED and not answered else 0
    return [(dimension, key_id, kind, status, passed, n, undated, silent)
            for (dimension, key_id, kind, status, passed), (n, undated, silent) in cells.items()]


async def _rebuilt_cells(session: AsyncSession, s: Scope) -> list[Cell]:
    """A past day's figures, rebuilt from the answers: one GROUP BY over every assignment."""
    st = state(s, await deadline_shifts(session, s))
    unanswered = case((st.c.status != "chua_thuc_hien", 0), else_=case(
        (exists().where(StatusReport.assignment_id == st.c.id,
                        StatusReport.answered_on <= s.day), 0), else_=1))
    passed = and_(st.c.due.is_not(None), st.c.due <= s.last_passed)
    # Four grouping keys; the flags are summed, not grouped (a smaller sort, and the EXISTS
    # probe runs once per row).
    rows = (await session.execute(
        select(st.c.section_id, st.c.agency_id, st.c.category, st.c.status, passed,
               func.count(), func.sum(case((st.c.due.is_(None), 1), else_=0)),
               func.sum(unanswered))
        .group_by(st.c.section_id, st.c.agency_id, st.c.category, st.c.status, passed))).all()
    cells: list[Cell] = []
    for section, agency, category_, status, was_due, n, undated, silent in rows:
        flags = (status, bool(was_due), n, int(undated or 0), int(silent or 0))
        cells += [(SECTION, section, category_, *flags), (AGENCY, agency, category_, *flags)]
    return cells


async def _past_occurrences(session: AsyncSession, s: Scope
                            ) -> list[tuple[int, dt.date, dt.date | None]]:
    """(agency, due, done on or None) of every closed occurrence of a recurring duty by the
    end of the day: occurrences the answers name that a later one has replaced. Done on =
    the first "done" reported for it, if the coordinators confirmed it."""
    seen = and_(StatusReport.answered_on <= s.day, StatusReport.occurrence_due.is_not(None))
    current = (select(StatusReport.assignment_id.label("aid"),
                      func.max(StatusReport.occurrence_due).label("due"))
               .where(seen).group_by(StatusReport.assignment_id).subquery("current_cycle"))
    done_like = StatusReport.status.in_(rules.DONE_LIKE)
    rows = await session.execute(
        select(Assignment.agency_id, StatusReport.occurrence_due,
               func.min(case((done_like, StatusReport.answered_on))),
               func.max(case((StatusReport.status == rules.DONE, 1), else_=0)))
        .join(Assignment, Assignment.id == StatusReport.assignment_id)
        .join(Task, Task.id == Assignment.task_id).join(Plan, Plan.id == Task.plan_id)
        .join(current, current.c.aid == StatusReport.assignment_id)
        .where(seen, StatusReport.occurrence_due < current.c.due, *live_filter(s))
        .group_by(Assignment.agency_id, StatusReport.assignment_id,
                  StatusReport.occurrence_due))
    return [(agency, due, done if confirmed else None)
            for agency, due, done, confirmed in rows]


async def tune(session: AsyncSession) -> None:
    """PostgreSQL settings for this report's transaction only. JIT compiles the big GROUP BY
    for ~0.6 s to save nothing (measured: 0.87 s → 0.3 s without); the sort fits in 64 MB
    instead of spilling to disk; and no statement may run away (a plan built on stale
    statistics once ran for an hour after its client had gone)."""
    if session.get_bind().dialect.name == "postgresql":
        for setting in ("jit = off", "work_mem = '64MB'", "statement_timeout = 300000"):
            await session.execute(text(f"SET LOCAL {setting}"))


async def plans(session: AsyncSession, s: Scope) -> list[tuple[str, str | None]]:
    where = Plan.code.in_(s.plans) if s.plans else Plan.active.is_(True)
    rows = await session.execute(select(Plan.code, Plan.title).where(where).order_by(Plan.id))
    return [(code, title) for code, title in rows]


async def _sections(session: AsyncSession, counts: dict[int, Counter[str]], several: bool
                    ) -> list[tuple[str, str, dict[str, int]]]:
    rows = await session.execute(
        select(Section.id, Plan.code, Section.numeral, Section.title)
        .join(Plan, Plan.id == Section.plan_id).where(Section.id.in_(list(counts)))
        .order_by(Plan.id, Section.position))
    result = []
    for section_id, code, numeral, title in rows:
        label = f"{numeral}. {title or ''}".strip()
        result.append((code, f"{code} — {label}" if several else label,
                       dict(counts[section_id])))
    return result


async def _agencies(session: AsyncSession, s: Scope, ids: list[int]
                    ) -> tuple[dict[int, str], set[int]]:
    """Names of the agencies, and which had a linked contact (at the end of the day, for a
    past day; now, for a current report)."""
    rows = (await session.execute(
        select(Agency.id, Agency.name, Agency.directory).where(Agency.id.in_(ids)))).all()
    # two plans of two directories (an old plan of a merged province beside the new one)
    # may both name "Sở Tư pháp": each keeps its directory, so no two rows read the same
    seen = Counter(name for _, name, _ in rows)
    names = {agency_id: name if seen[name] == 1 else f"{name} ({directory})"
             for agency_id, name, directory in rows}
    linked: ColumnElement[bool] = Contact.unlinked_at.is_(None)
    if s.historical:
        linked = and_(Contact.linked_at < s.cutoff,
                      or_(Contact.unlinked_at.is_(None), Contact.unlinked_at >= s.cutoff))
    contacted = set((await session.execute(
        select(Contact.agency_id).where(linked, Contact.agency_id.in_(ids)).distinct()))
        .scalars())
    return names, {a for a in contacted if a is not None}


async def _last_answers(session: AsyncSession, s: Scope, agencies: list[int]
                        ) -> dict[int, dt.datetime]:
    """One index seek per agency (agency_id, created_at) instead of a pass over all answers."""
    last = select(func.max(StatusReport.created_at)).where(
        StatusReport.agency_id == Agency.id, StatusReport.channel != "system")
    if s.historical:
        last = last.where(StatusReport.answered_on <= s.day)
    rows = await session.execute(select(Agency.id, last.scalar_subquery())
                                 .where(Agency.id.in_(agencies)))
    return {agency_id: at for agency_id, at in rows if at is not None}
