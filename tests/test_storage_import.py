"""Importing into a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import func, select

from plan.agencies import Directory
from plan.model import PlanDraft
from plan.parse import parse_plan
from plan.readers import read_rows
from storage import queries
from storage.contacts import find_agency
from storage.importer import ImportRefused, import_plan
from storage.models import Agency, Assignment, ImportRun, Plan, Task, TaskChange
from storage.uow import Database


def load(path: Path, directory: Directory) -> PlanDraft:
    return parse_plan(read_rows(path.name, path.read_bytes()), directory)


async def store(db: Database, draft: PlanDraft, directory: Directory):  # type: ignore[no-untyped-def]
    async with db.uow() as uow:
        report = await import_plan(uow.session, draft, directory, "test")
        await uow.commit()
    return report


async def count(db: Database, model: type, *where: object) -> int:
    async with db.uow() as uow:
        return int((await uow.session.execute(
            select(func.count()).select_from(model).where(*where))).scalar_one())  # type: ignore[arg-type]


def edit_task(draft: PlanDraft, ref: str, **changes: object) -> PlanDraft:
    tasks = tuple(dataclasses.replace(t, **changes) if t.ref == ref else t for t in draft.tasks)
    return dataclasses.replace(draft, tasks=tasks)


async def test_import_stores_tasks_and_assignments(db: Database, example_path: Path,
                                                   directory: Directory) -> None:
    draft = load(example_path, directory)
    report = await store(db, draft, directory)
    assert report.created and len(report.added) == 32
    expected_lead = sum(len(t.lead) for t in draft.tasks)
    assert await count(db, Task) == 32
    assert await count(db, Assignment, Assignment.role == "lead") == expected_lead
    async with db.uow() as uow:
        tu_phap = await find_agency(uow.session, "Sở Tư pháp")
        rows = await queries.open_assignments(uow.session, tu_phap)
    refs = [r.ref for r in rows]
    assert refs[:3] == ["I.1", "I.2", "I.5"] and refs[-1] == "I.3"  # earliest deadline first
    assert {"VIII.7", "VIII.8"} <= set(refs)  # led as a member of "Các sở, ban, ngành tỉnh"
    # …but not where the plan names it in the coordinating cell: there it compiles the
    # group's reports (the hub) and coordinates
    assert not {"I.4"} & set(refs)
    assert rows[-1].due is not None and rows[-1].due.isoformat() == "2024-02-29"


async def test_reimport_is_idempotent(db: Database, example_path: Path,
                                      directory: Directory) -> None:
    draft = load(example_path, directory)
    await store(db, draft, directory)
    before = (await count(db, Task), await count(db, Assignment), await count(db, Agency))
    again = await store(db, draft, directory)
    assert (again.created, again.added, again.changed, again.withdrawn) == (False, [], [], [])
    assert (await count(db, Task), await count(db, Assignment), await count(db, Agency)) == before
    assert await count(db, ImportRun) == 2


async def test_changed_task_keeps_status_and_records_old_value(db: Database, example_path: Path,
                                                               directory: Directory) -> None:
    draft = load(example_path, directory)
    await store(db, draft, directory)
    async with db.uow() as uow:
        task_id = (await uow.session.execute(select(Task.id).where(Task.ref == "I.1"))).scalar_one()
        assignment = (await uow.session.execute(select(Assignment).where(
            Assignment.task_id == task_id, Assignment.role == "lead"))).scalar_one()
        assignment.status = "hoan_thanh"
        await uow.commit()
    moved = dataclasses.replace(draft.tasks[0].deadline, text="Tháng 03/2023", due=None)
    report = await store(db, edit_task(draft, "I.1", deadline=moved), directory)
    assert report.changed == ["I.1"]
    async with db.uow() as uow:
        change = (await uow.session.execute(select(TaskChange.old_value, TaskChange.new_value)
                                            .where(TaskChange.field == "deadline_text"))).one()
        status = (await uow.session.execute(select(Assignment.status).where(
            Assignment.id == assignment.id))).scalar_one()
    assert tuple(change) == ("Tháng 12/2022", "Tháng 03/2023")
    assert status == "hoan_thanh"


async def test_removed_task_is_withdrawn_not_deleted(db: Database, example_path: Path,
                                                     directory: Directory) -> None:
    draft = load(example_path, directory)
    await store(db, draft, directory)
    smaller = dataclasses.replace(draft, tasks=tuple(t for t in draft.tasks if t.ref != "VI.8"))
    report = await store(db, smaller, directory)
    assert report.withdrawn == ["VI.8"]
    assert await count(db, Task) == 32
    assert await count(db, Task, Task.withdrawn_at.is_not(None)) == 1
    async with db.uow() as uow:
        plans = await queries.plans(uow.session)
    assert plans[0].tasks == 31
    back = await store(db, draft, directory)
    assert back.restored == ["VI.8"] and await count(db, Task, Task.withdrawn_at.is_not(None)) == 0


async def test_agency_dropped_from_a_cell_keeps_its_assignment_row(
        db: Database, example_path: Path, directory: Directory) -> None:
    draft = load(example_path, directory)
    await store(db, draft, directory)
    task = next(t for t in draft.tasks if t.ref == "VIII.4")
    report = await store(db, edit_task(draft, "VIII.4", coordinating=task.coordinating[:2]),
                         directory)
    assert report.assignments_removed == 4
    assert await count(db, Assignment, Assignment.removed_at.is_not(None)) == 4


async def test_two_plans_live_side_by_side(db: Database, example_path: Path,
                                           directory: Directory) -> None:
    demo = load(example_path, directory)  # the demo gives way to a real plan: two real ones
    draft = dataclasses.replace(demo, meta=dataclasses.replace(demo.meta, code="272/KH-UBND"))
    await store(db, draft, directory)
    other = dataclasses.replace(draft, meta=dataclasses.replace(draft.meta, code="01/KH-SNV"))
    await store(db, other, directory)
    async with db.uow() as uow:
        codes = [p.code for p in await queries.plans(uow.session)]
        assert codes == ["272/KH-UBND", "01/KH-SNV"]
        await queries.set_active(uow.session, "01/KH-SNV", False)
        await uow.commit()
    async with db.uow() as uow:
        tu_phap = await find_agency(uow.session, "Sở Tư pháp")
        rows = await queries.open_assignments(uow.session, tu_phap)
    assert {r.plan_code for r in rows} == {"272/KH-UBND"}


async def test_plan_without_number_is_refused_and_nothing_stored(
        db: Database, example_path: Path, directory: Directory) -> None:
    draft = load(example_path, directory)
    nameless = dataclasses.replace(draft, meta=dataclasses.replace(draft.meta, code=None))
    with pytest.raises(ImportRefused, match="số hiệu"):
        await store(db, nameless, directory)
    assert await count(db, Plan) == 0 and await count(db, Task) == 0


async def test_seed_imports_with_unresolved_nothing(db: Database, seed_path: Path,
                                                    directory: Directory) -> None:
    draft = load(seed_path, directory)
    await store(db, draft, directory)
    assert await count(db, Task) == 32
    assert await count(db, Agency, Agency.resolved.is_(False)) == 0
    async with db.uow() as uow:
        due = (await uow.session.execute(select(Task.due_date).where(Task.ref == "VII.2"))
               ).scalar_one()
    assert due.isoformat() == "2023-09-30"
