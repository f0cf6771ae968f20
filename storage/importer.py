"""Store a parsed plan in one transaction: idempotent upsert by (plan code, task ref).

Re-importing updates changed tasks (old values kept in `task_changes`), withdraws tasks
that left the document and never deletes an assignment, status or answer.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from plan.agencies import Directory
from plan.matching import Matches, Pair, Stored, match_tasks
from plan.model import AgencyRef, PlanDraft, TaskDraft
from storage import agency_changes, lifecycle, tallies
from storage.demo import DemoRemoved, remove_demo_before
from storage.models import Agency, Assignment, ImportRun, Plan, Section, Task, TaskChange

TRACKED = ("section_id", "number", "position", "content", "product", "lead_text",
           "coordinating_text", "deadline_text", "deadline_kind", "deadline_period",
           "due_date", "note", "source_line", "deadline_start", "deadline_days", "part",
           "subsection", "extra")
_AUDITED = frozenset(TRACKED) - {"position", "source_line", "section_id"}


class ImportRefused(ValueError):
    """The draft cannot be stored (for example it has no plan number)."""


class MetaChanged(ImportRefused):
    """A re-import would change the stored plan's date, title or issuer (often the same plan
    read from another format): said, and done only when asked (`--update-meta`)."""

    def __init__(self, changes: list[tuple[str, str, str]]) -> None:
        listed = "; ".join(f"{label}: «{old}» → «{new}»" for label, old, new in changes)
        super().__init__(f"nạp lại sẽ đổi thông tin của kế hoạch đã lưu — {listed}")
        self.changes = changes


META_LABELS = {"issued_on": "ngày ban hành", "title": "tên kế hoạch", "issuer": "cơ quan ban hành"}


async def meta_changes(session: AsyncSession, draft: PlanDraft) -> list[tuple[str, str, str]]:
    """(label, stored, read) for each identity field a re-import would change; a field the
    new file does not carry (None) changes nothing."""
    plan = (await session.execute(select(Plan).where(Plan.code == draft.meta.code))
            ).scalar_one_or_none()
    if plan is None:
        return []
    out = []
    for field_name, label in META_LABELS.items():
        old, new = getattr(plan, field_name), getattr(draft.meta, field_name)
        if new is None or old is None or _same(old, new):
            continue
        out.append((label, _shown(old), _shown(new)))
    return out


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, str) and isinstance(new, str):
        return " ".join(old.split()) == " ".join(new.split())
    return bool(old == new)


def _shown(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else str(value)


class MatchesUncertain(ImportRefused):
    """Some re-imported tasks may or may not be the stored ones: the operator decides."""

    def __init__(self, pairs: list[Pair]) -> None:
        super().__init__(f"{len(pairs)} nhiệm vụ chưa chắc là nhiệm vụ đã lưu")
        self.pairs = pairs


@dataclass
class ImportReport:
    """What an import did, for the CLI summary and the audit row."""

    plan_code: str
    created: bool
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    renumbered: list[Pair] = field(default_factory=list)  # kept their history
    replaced: list[Pair] = field(default_factory=list)  # a new task at an old number
    accepted: list[Pair] = field(default_factory=list)  # uncertain, matched on request
    assignments_added: int = 0
    assignments_removed: int = 0
    demo_removed: DemoRemoved | None = None  # the example gave way to this real plan


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def import_plan(session: AsyncSession, draft: PlanDraft, directory: Directory,
                      source_name: str, today: dt.date | None = None,
                      accept_matches: bool = False, update_meta: bool = False) -> ImportReport:
    """Upsert the draft. The caller commits; nothing is written if it does not. `today`
    (the app's clock) is where recurring duties' first occurrences start. Tasks are matched
    to stored ones by number and content (plan.matching); uncertain matches raise
    MatchesUncertain unless `accept_matches`."""
    meta = draft.meta
    if not meta.code:
        raise ImportRefused("không tìm thấy số hiệu kế hoạch (ví dụ 272/KH-UBND); "
                            "hãy chỉ rõ bằng --code")
    changes = await meta_changes(session, draft)
    if changes and not update_meta:
        raise MetaChanged(changes)
    demo = await remove_demo_before(session, meta.code, _now())
    plan, created = await _upsert_plan(session, draft, directory.name)
    report = ImportReport(plan.code, created, demo_removed=demo)
    sections = await _upsert_sections(session, plan.id, draft)
    agencies = await _ensure_agencies(session, directory, draft)
    run = ImportRun(plan_id=plan.id, source_name=source_name, imported_at=_now(), added=0,
                    changed=0, withdrawn=0,
                    warnings=[{"line": w.line, "message": w.message} for w in draft.warnings])
    session.add(run)
    await session.flush()
    added_on = _added_on(today) if not created else None
    task_ids = await _upsert_tasks(session, plan.id, run.id, draft, sections, report,
                                   accept_matches, added_on)
    await _sync_assignments(session, draft, task_ids, agencies, report, added_on)
    await lifecycle.open_occurrences(session, today or dt.date.today(), [plan.id])
    await tallies.rebuild(session, [plan.id])  # deadlines, tasks and assignments may have moved
    run.added, run.changed, run.withdrawn = (len(report.added), len(report.changed),
                                             len(report.withdrawn))
    return report


async def _upsert_plan(session: AsyncSession, draft: PlanDraft,
                       directory: str) -> tuple[Plan, bool]:
    meta = draft.meta
    plan = (await session.execute(select(Plan).where(Plan.code == meta.code))).scalar_one_or_none()
    now = _now()
    created = plan is None
    if plan is None:
        plan = Plan(code=meta.code, created_at=now, active=True)
        session.add(plan)
    # what the new file does not say keeps the stored value (another format may lack it)
    plan.title = meta.title or plan.title
    plan.issuer = meta.issuer or plan.issuer
    plan.issued_on = meta.issued_on or plan.issued_on
    plan.year = meta.year or plan.year
    plan.directory, plan.updated_at = directory, now
    await session.flush()
    return plan, created


async def _upsert_sections(session: AsyncSession, plan_id: int,
                           draft: PlanDraft) -> dict[str, int]:
    existing = {s.numeral: s for s in (await session.execute(
        select(Section).where(Section.plan_id == plan_id))).scalars()}
    order: dict[str, str | None] = {}
    for task in draft.tasks:
        order.setdefault(task.section, task.section_title)
    for position, (numeral, title) in enumerate(order.items()):
        section = existing.get(numeral)
        if section is None:
            section = existing[numeral] = Section(plan_id=plan_id, numeral=numeral)
            session.add(section)
        section.title, section.position = title, position
    await session.flush()
    return {numeral: section.id for numeral, section in existing.items()}


async def _ensure_agencies(session: AsyncSession, directory: Directory,
                           draft: PlanDraft) -> dict[str, int]:
    rows = await session.execute(select(Agency.name, Agency.id)
                                 .where(Agency.directory == directory.name))
    known: dict[str, int] = {name: agency_id for name, agency_id in rows.all()}
    renamed = await agency_changes.mapping(session, directory.name)
    wanted: dict[str, AgencyRef] = {}
    for task in draft.tasks:
        for ref in (*task.lead, *task.coordinating):
            wanted.setdefault(renamed.get(ref.name, ref.name), ref)
    for name in directory.agencies:
        wanted.setdefault(renamed.get(name, name), AgencyRef(name))
    missing = [name for name in wanted if name not in known]
    for name in missing:
        entry = directory.agencies.get(name)
        kind = entry.kind if entry else ("group" if name in directory.groups else
                                         wanted[name].kind)
        session.add(Agency(directory=directory.name, name=name, kind=kind,
                           resolved=wanted[name].resolved,
                           aliases=list(entry.aliases) if entry else []))
    await session.flush()
    if missing:
        rows = await session.execute(select(Agency.name, Agency.id)
                                     .where(Agency.directory == directory.name))
        known = {name: agency_id for name, agency_id in rows.all()}
    for old, new in renamed.items():  # the plan's old wording lands on the body doing the work
        if new in known:
            known[old] = known[new]
    return known


def _task_values(task: TaskDraft, sections: dict[str, int], position: int) -> dict[str, Any]:
    return {"section_id": sections[task.section], "number": task.number, "position": position,
            "content": task.content, "product": task.product, "lead_text": task.lead_text,
            "coordinating_text": task.coordinating_text, "deadline_text": task.deadline.text,
            "deadline_kind": task.deadline.kind.value, "deadline_period": task.deadline.period,
            "due_date": task.deadline.due, "note": task.note, "source_line": task.line,
            "deadline_start": task.deadline.start,
            "deadline_days": [list(day) for day in task.deadline.days] or None,
            "part": task.part, "subsection": task.subsection, "extra": dict(task.extra) or None}


async def planned_matches(session: AsyncSession, draft: PlanDraft,
                          accept_matches: bool = False) -> Matches | None:
    """How the draft's tasks match the stored plan of the same number (None: not stored);
    read-only, for the dry run."""
    plan_id = (await session.execute(select(Plan.id).where(Plan.code == draft.meta.code))
               ).scalar_one_or_none()
    if plan_id is None:
        return None
    stored = (await session.execute(select(Task).where(Task.plan_id == plan_id))).scalars()
    return _match(list(stored), draft, accept_matches)


def _match(stored: list[Task], draft: PlanDraft, accept: bool) -> Matches:
    return match_tasks([Stored(t.id, t.ref, t.content) for t in stored],
                       [(t.ref, t.content) for t in draft.tasks], accept)


async def _upsert_tasks(session: AsyncSession, plan_id: int, run_id: int, draft: PlanDraft,
                        sections: dict[str, int], report: ImportReport,
                        accept_matches: bool, added_on: dt.datetime | None) -> dict[str, int]:
    stored = list((await session.execute(select(Task).where(Task.plan_id == plan_id))).scalars())
    matches = _match(stored, draft, accept_matches)
    if matches.uncertain and not accept_matches:
        raise MatchesUncertain(matches.uncertain)
    report.renumbered, report.replaced = matches.renumbered, matches.replaced
    report.accepted = matches.uncertain
    by_id = {task.id: task for task in stored}
    await _move_refs(session, by_id, matches, {t.ref for t in draft.tasks}, run_id)
    new_rows = []
    for position, task in enumerate(draft.tasks):
        values = _task_values(task, sections, position)
        matched = matches.by_ref.get(task.ref)
        if matched is None:
            new_rows.append({"plan_id": plan_id, "ref": task.ref, "created_at": added_on, **values})
            report.added.append(task.ref)
            continue
        _apply_changes(session, by_id[matched], values, run_id, report)
    if new_rows:
        await _bulk_insert(session, Task, new_rows)
    kept = set(matches.by_ref.values())
    for current in stored:
        if current.id not in kept and current.withdrawn_at is None:
            current.withdrawn_at = _now()
            report.withdrawn.append(current.ref)
    await session.flush()
    rows = await session.execute(select(Task.ref, Task.id).where(Task.plan_id == plan_id))
    return {ref: task_id for ref, task_id in rows.all()}


async def _move_refs(session: AsyncSession, by_id: dict[int, Task], matches: Matches,
                     draft_refs: set[str], run_id: int) -> None:
    """Renumbered tasks take their new number; a stored task whose number a different task
    now uses keeps its history under `<number>~<id>` (and is withdrawn by the caller). Two
    steps, so that numbers can swap without breaking the one-task-per-number rule."""
    kept = set(matches.by_ref.values())
    moving = {task_id: ref for ref, task_id in matches.by_ref.items()
              if by_id[task_id].ref != ref}
    vacating = {task.id for task in by_id.values()
                if task.id not in kept and task.ref in draft_refs}
    if not moving and not vacating:
        return
    original = {task_id: by_id[task_id].ref for task_id in {*moving, *vacating}}
    for task_id in original:
        by_id[task_id].ref = f"~{task_id}"
    await session.flush()
    for task_id, ref in moving.items():
        session.add(TaskChange(task_id=task_id, import_run_id=run_id, field="ref",
                               old_value=original[task_id], new_value=ref))
        by_id[task_id].ref = ref
    for task_id in vacating:
        by_id[task_id].ref = f"{original[task_id]}~{task_id}"[:40]
    await session.flush()


def _apply_changes(session: AsyncSession, current: Task, values: dict[str, Any], run_id: int,
                   report: ImportReport) -> None:
    changed = False
    for name in TRACKED:
        old, new = getattr(current, name), values[name]
        if old == new:
            continue
        if name in _AUDITED:
            session.add(TaskChange(task_id=current.id, import_run_id=run_id, field=name,
                                   old_value=None if old is None else str(old),
                                   new_value=None if new is None else str(new)))
            changed = True
        setattr(current, name, new)
    if current.withdrawn_at is not None:
        current.withdrawn_at = None
        report.restored.append(current.ref)
    if changed:
        report.changed.append(current.ref)


async def _sync_assignments(session: AsyncSession, draft: PlanDraft, task_ids: dict[str, int],
                            agencies: dict[str, int], report: ImportReport,
                            added_on: dt.datetime | None) -> None:
    wanted: dict[tuple[int, int, str], str | None] = {}
    for task in draft.tasks:
        for role, refs in (("lead", task.lead), ("coordinating", task.coordinating)):
            for ref in refs:
                wanted.setdefault((task_ids[task.ref], agencies[ref.name], role), ref.via_group)
    ids = list({task_ids[t.ref] for t in draft.tasks} | set(task_ids.values()))
    existing: dict[tuple[int, int, str], tuple[int, Any]] = {}
    for chunk in _chunks(ids, 5000):
        rows = await session.execute(
            select(Assignment.task_id, Assignment.agency_id, Assignment.role, Assignment.id,
                   Assignment.removed_at, Assignment.reassigned_from)
            .where(Assignment.task_id.in_(chunk)))
        for task_id, agency_id, role, row_id, removed_at, planned in rows.all():
            # a reassigned assignment still answers to the agency the plan names
            existing[(task_id, planned or agency_id, role)] = (row_id, removed_at)
    fresh = [{"task_id": t, "agency_id": a, "role": r, "via_group": g, "status": "chua_thuc_hien",
              "created_at": added_on}
             for (t, a, r), g in wanted.items() if (t, a, r) not in existing]
    if fresh:
        await _bulk_insert(session, Assignment, fresh)
    report.assignments_added = len(fresh)
    gone = [row_id for key, (row_id, removed) in existing.items()
            if key not in wanted and removed is None]
    back = [row_id for key, (row_id, removed) in existing.items()
            if key in wanted and removed is not None]
    for chunk in _chunks(gone, 5000):
        await session.execute(update(Assignment).where(Assignment.id.in_(chunk))
                              .values(removed_at=_now()))
    for chunk in _chunks(back, 5000):
        await session.execute(update(Assignment).where(Assignment.id.in_(chunk))
                              .values(removed_at=None))
    report.assignments_removed = len(gone)


async def _bulk_insert(session: AsyncSession, model: type[Task] | type[Assignment],
                       rows: list[dict[str, Any]]) -> None:
    """Core executemany (the ORM bulk path costs ~10x more for 100k+ assignment rows); on
    PostgreSQL a COPY, which takes 173,000 assignments in about half the time."""
    connection = await session.connection()
    table = model.__table__
    if connection.dialect.name != "postgresql":
        await connection.execute(insert(table), rows)  # type: ignore[arg-type]
        return
    columns = [c.name for c in table.columns if c.name in rows[0]]
    as_json = {c.name for c in table.columns if isinstance(c.type, JSON)}
    raw = await connection.get_raw_connection()
    await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
        table.name, columns=columns,  # type: ignore[attr-defined]
        records=[tuple(_copy_value(row[c], c in as_json) for c in columns) for row in rows])


def _copy_value(value: Any, as_json: bool) -> Any:
    """COPY sends JSON columns as text; everything else as it is."""
    return json.dumps(value, ensure_ascii=False) if as_json and value is not None else value


def _added_on(today: dt.date | None) -> dt.datetime:
    """When a re-import adds a task: the start of the app's day (its clock, so a demo or a
    test on another day agrees with its reports); what a plan held from its first import
    has none and counts from the plan's start."""
    return dt.datetime.combine(today or dt.date.today(), dt.time(), dt.UTC)


def _chunks(items: list[int], size: int) -> list[list[int]]:
    return [items[i:i + size] for i in range(0, len(items), size)]
