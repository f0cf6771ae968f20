"""Re-import matching: by number and content, so history never moves to another task."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.handlers import Handlers
from bot.types import Incoming
from plan.agencies import Directory
from plan.matching import Stored, match_tasks, similarity
from plan.model import PlanDraft
from storage.importer import MatchesUncertain
from storage.models import Assignment, StatusReport, Task
from storage.uow import Database
from tests.engine_helpers import assignment_of, contact
from tests.test_storage_import import load, store
from words.codes import assignment_code

OLD = [Stored(1, "I.1", "Xây dựng Kế hoạch cải cách hành chính năm 2023"),
       Stored(2, "I.2", "Kiểm tra công tác cải cách hành chính tại các sở, ngành"),
       Stored(3, "I.3", "Tuyên truyền về cải cách hành chính trên báo, đài")]
NEW_TASK = "Khảo sát mức độ hài lòng của người dân đối với dịch vụ công"


def test_similarity_ignores_case_diacritics_and_spacing() -> None:
    assert similarity("Xây dựng  KẾ HOẠCH", "xay dung ke hoach") == 100
    assert similarity(OLD[0].content, NEW_TASK) < 50


def test_an_inserted_task_renumbers_the_rest_and_starts_fresh() -> None:
    drafts = [("I.1", NEW_TASK)] + [(f"I.{n + 2}", t.content) for n, t in enumerate(OLD)]
    found = match_tasks(OLD, drafts)
    assert found.by_ref == {"I.2": 1, "I.3": 2, "I.4": 3}  # each old task found by content
    assert [(p.old_ref, p.new_ref) for p in found.renumbered] == [
        ("I.1", "I.2"), ("I.2", "I.3"), ("I.3", "I.4")]
    assert "I.1" not in found.by_ref and found.uncertain == []


def test_an_edited_task_at_its_number_is_the_same_task() -> None:
    edited = [("I.1", "Xây dựng và ban hành Kế hoạch cải cách hành chính năm 2023"),
              ("I.2", OLD[1].content), ("I.3", OLD[2].content)]
    found = match_tasks(OLD, edited)
    assert found.by_ref == {"I.1": 1, "I.2": 2, "I.3": 3} and not found.renumbered


def test_a_half_similar_task_is_left_to_the_operator() -> None:
    half = [("I.1", "Xây dựng Kế hoạch kiểm tra việc thực hiện nhiệm vụ năm 2023"),
            ("I.2", OLD[1].content), ("I.3", OLD[2].content)]
    found = match_tasks(OLD, half)
    assert [(p.old_ref, p.new_ref) for p in found.uncertain] == [("I.1", "I.1")]
    assert "I.1" not in found.by_ref
    assert match_tasks(OLD, half, accept_uncertain=True).by_ref["I.1"] == 1


def inserted_at_i1(draft: PlanDraft) -> PlanDraft:
    """The plan re-issued with a new first task in section I: the rest of I shift by one."""
    section = [t for t in draft.tasks if t.section == "I"]
    shifted = [dataclasses.replace(t, ref=f"I.{n + 2}", number=str(n + 2))
               for n, t in enumerate(section)]
    new = dataclasses.replace(section[0], ref="I.1", number="1", content=NEW_TASK,
                              product="Báo cáo khảo sát")
    others = [t for t in draft.tasks if t.section != "I"]
    return dataclasses.replace(draft, tasks=(new, *shifted, *others))


async def test_a_renumbered_task_keeps_its_answers_and_a_new_one_starts_fresh(
        db: Database, example_path: Path, directory: Directory) -> None:
    draft = load(example_path, directory)
    await store(db, draft, directory)
    await contact(db, "Sở Tư pháp", "tp", channel="telegram")
    old_i1 = await assignment_of(db, "I.1", "Sở Tư pháp")
    i2 = await assignment_of(db, "I.2", "Sở Tư pháp")
    await Handlers(db, lambda: dt.date(2023, 1, 20)).handle(
        Incoming("telegram", "tp", f"{assignment_code(i2)} xong 15/KH-STP"))
    report = await store(db, inserted_at_i1(draft), directory)
    assert ("I.2", "I.3") in [(p.old_ref, p.new_ref) for p in report.renumbered]
    assert [p.new_ref for p in report.replaced] == ["I.1"] and report.added == ["I.1"]
    async with db.uow() as uow:
        moved = (await uow.session.execute(select(Task.ref).join(Assignment).where(
            Assignment.id == i2))).scalar_one()
        answers = (await uow.session.execute(select(StatusReport.assignment_id))).scalars()
        new_i1 = (await uow.session.execute(select(Task).where(
            Task.ref == "I.1", Task.withdrawn_at.is_(None)))).scalar_one()
        old = (await uow.session.execute(select(Task).join(Assignment).where(
            Assignment.id == old_i1))).scalar_one()
    assert moved == "I.3"  # the answered task, under its new number
    assert set(answers) == {i2}  # the answer stayed with it
    assert new_i1.content == NEW_TASK and new_i1.id != old.id
    assert old.ref == "I.2"  # the old I.1 is the new I.2: renumbered too, not withdrawn


async def test_uncertain_matches_stop_the_import_until_accepted(
        db: Database, example_path: Path, directory: Directory) -> None:
    draft = load(example_path, directory)
    await store(db, draft, directory)
    first = draft.tasks[0]
    half = dataclasses.replace(draft, tasks=(dataclasses.replace(
        first, content=first.content.split(",")[0] + " và tổ chức kiểm tra chuyên đề về "
        "cải cách hành chính tại các cơ quan"), *draft.tasks[1:]))
    with pytest.raises(MatchesUncertain) as refused:
        await store(db, half, directory)
    assert [p.old_ref for p in refused.value.pairs] == [first.ref]
    async with db.uow() as uow:
        content = (await uow.session.execute(select(Task.content).where(
            Task.ref == first.ref))).scalar_one()
    assert content == first.content  # nothing written
    from storage.importer import import_plan

    async with db.uow() as uow:
        report = await import_plan(uow.session, half, directory, "t", accept_matches=True)
        await uow.commit()
    assert report.changed == [first.ref] and [p.old_ref for p in report.accepted] == [first.ref]
