"""Every live lead assignment's state on a given day, as one SQL subquery.

"As of D" means at the end of day D (local time): answers dated D count, a deadline on D has
not passed yet. With no `as_of`, the current columns kept on `assignments` are used (fast
path); with one, the state is rebuilt from the append-only answers and extension decisions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, func, literal, or_, select

from storage.models import Assignment, ExtensionRequest, Plan, StatusReport, Task
from tracking.calendar import WorkCalendar

AnySelect: TypeAlias = Select[*tuple[Any, ...]]
DONE = "hoan_thanh"
NOT_APPLICABLE = "khong_ap_dung"

# Report categories, in the order they are shown. Each assignment is in exactly one.
CATEGORIES = ("chua_thuc_hien", "dang_thuc_hien", "hoan_thanh_dung_han", "hoan_thanh_qua_han",
              "qua_han", "vuong_mac", "xin_gia_han")
CATEGORY_LABELS = {
    "chua_thuc_hien": "Chưa thực hiện",
    "dang_thuc_hien": "Đang thực hiện",
    "hoan_thanh_dung_han": "Hoàn thành đúng hạn",
    "hoan_thanh_qua_han": "Hoàn thành quá hạn",
    "qua_han": "Quá hạn chưa hoàn thành",
    "vuong_mac": "Gặp vướng mắc",
    "xin_gia_han": "Đang xin gia hạn",
}


@dataclass(frozen=True)
class Scope:
    """Which day and which plans a report covers."""

    day: dt.date  # the as-of day (today for a current report)
    historical: bool  # rebuild from history instead of reading the current columns
    plans: tuple[str, ...] = ()  # plan codes; empty = every active plan
    cutoff: dt.datetime | None = None  # end of `day` in UTC (for timestamps)
    passed_by: dt.date | None = None  # the latest deadline that has passed on `day`

    @property
    def last_passed(self) -> dt.date:
        """Deadlines on or before this date have passed on `day`. With the working-day
        calendar it is the last working day before `day`: a deadline falling on a day off
        runs to the next working day (art. 148, Civil Code), as the reminders count it."""
        return self.passed_by or self.day - dt.timedelta(days=1)


def scope(today: dt.date, as_of: dt.date | None, zone: dt.tzinfo,
          plans: Sequence[str] = (), calendar: WorkCalendar | None = None) -> Scope:
    day = as_of or today
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
    passed_by = calendar.on_or_before(day - dt.timedelta(days=1)) if calendar else None
    return Scope(day, as_of is not None and as_of < today, tuple(plans), end, passed_by)


def category(status: str, passed: bool, late: bool) -> str:
    """The report category of an assignment whose deadline has `passed` (or not) — the rule
    `state()` writes in SQL, for counts already grouped by status (storage.tallies)."""
    if status == DONE:
        return "hoan_thanh_qua_han" if late else "hoan_thanh_dung_han"
    if passed:
        return "qua_han"
    return status if status in ("vuong_mac", "xin_gia_han", "dang_thuc_hien") else "chua_thuc_hien"


def live_filter(s: Scope) -> list[ColumnElement[bool]]:
    """Lead assignments of the chosen plans that existed at the end of the day."""
    conditions: list[ColumnElement[bool]] = [Assignment.role == "lead"]
    conditions.append(Plan.code.in_(s.plans) if s.plans else Plan.active.is_(True))
    if s.historical:
        conditions += [or_(Task.withdrawn_at.is_(None), Task.withdrawn_at >= s.cutoff),
                       or_(Assignment.removed_at.is_(None), Assignment.removed_at >= s.cutoff)]
    else:
        conditions += [Task.withdrawn_at.is_(None), Assignment.removed_at.is_(None)]
    return conditions


def state(s: Scope) -> Subquery:
    """Columns: id, task_id, section_id, agency_id, plan_id, due, status, done_on, category."""
    base = (
        select(Assignment.id, Assignment.task_id, Task.section_id, Assignment.agency_id,
               Task.plan_id)
        .select_from(Assignment).join(Task).join(Plan).where(*live_filter(s)))
    if not s.historical:
        rows = base.add_columns(func.coalesce(Assignment.due_override, Task.due_date).label("due"),
                                Assignment.status.label("status"),
                                Assignment.done_on.label("done_on"))
    else:
        rows = _historical(base, s)
    inner = rows.subquery("current_state")
    due, status, done_on = inner.c.due, inner.c.status, inner.c.done_on
    category = case(
        (status == DONE, case((or_(due.is_(None), done_on.is_(None), done_on <= due),
                               "hoan_thanh_dung_han"), else_="hoan_thanh_qua_han")),
        (and_(due.is_not(None), due <= s.last_passed), "qua_han"),
        (status.in_(("vuong_mac", "xin_gia_han", "dang_thuc_hien")), status),
        else_="chua_thuc_hien")
    return (select(*inner.c, category.label("category"))
            .where(status != NOT_APPLICABLE).subquery("assignment_state"))


def _historical(base: AnySelect, s: Scope) -> AnySelect:
    """Status = the last answer dated on or before the day; done_on = the first answer of the
    last unbroken run of "done" answers; due = the last extension approved by then."""
    seen = StatusReport.answered_on <= s.day
    last = (select(StatusReport.assignment_id.label("aid"), func.max(StatusReport.id).label("id"),
                   func.max(case((StatusReport.status != DONE, StatusReport.id))).label("open_id"))
            .where(seen).group_by(StatusReport.assignment_id).subquery("last_answer"))
    done_run = (select(StatusReport.assignment_id.label("aid"),
                       func.min(StatusReport.answered_on).label("day"))
                .join(last, last.c.aid == StatusReport.assignment_id)
                .where(seen, StatusReport.status == DONE,
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
        func.coalesce(extension.c.proposed_date, Task.due_date).label("due"),
        func.coalesce(answer.c.status, literal("chua_thuc_hien")).label("status"),
        done_run.c.day.label("done_on"))
        .outerjoin(last, last.c.aid == Assignment.id)
        .outerjoin(answer, answer.c.id == last.c.id)
        .outerjoin(done_run, done_run.c.aid == Assignment.id)
        .outerjoin(approved, approved.c.aid == Assignment.id)
        .outerjoin(extension, extension.c.id == approved.c.id))
