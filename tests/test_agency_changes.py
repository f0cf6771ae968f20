"""Agencies change — the 2025 mergers: merge and rename move the work, keep the history, and
every re-import maps the old name to the new body (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.handlers import Handlers
from bot.types import Incoming
from cli.main import app
from plan.agencies import Directory
from storage.agency_changes import AgencyChangeError, merge, rename
from storage.models import Agency, Assignment, Contact, StatusReport, Task
from storage.uow import Database
from tests.engine_helpers import contact, load_example

OLD, NEW = "Sở Thông tin và Truyền thông", "Sở Khoa học và Công nghệ"
NOW = dt.datetime(2026, 1, 5, 2, tzinfo=dt.UTC)


async def live_refs(db: Database, agency: str, role: str = "lead") -> set[str]:
    async with db.uow() as uow:
        rows = await uow.session.execute(
            select(Task.ref).join(Assignment, Assignment.task_id == Task.id)
            .join(Agency, Agency.id == Assignment.agency_id)
            .where(Agency.name == agency, Assignment.role == role,
                   Assignment.removed_at.is_(None)))
        return {ref for (ref,) in rows}


async def test_merge_moves_open_work_contacts_and_keeps_history(
        db: Database, example_path: Path, directory: Directory) -> None:
    await load_example(db, example_path, directory)
    await contact(db, OLD, "ttt", channel="telegram")
    bot = Handlers(db, lambda: dt.date(2023, 2, 1), lambda: NOW)
    await bot.handle(Incoming("telegram", "ttt", "/nhiemvu"))
    old_work = await live_refs(db, OLD)
    assert {"II.3", "VI.1"} <= old_work
    async with db.uow() as uow:
        report = await merge(uow.session, OLD, NEW, NOW, "Quyết định sáp nhập số 1/QĐ")
        await uow.commit()
    assert report.moved_assignments > 0 and report.moved_contacts == 1
    assert await live_refs(db, OLD) == set()
    assert old_work <= await live_refs(db, NEW)
    async with db.uow() as uow:
        moved_contact = (await uow.session.execute(
            select(Agency.name).join(Contact, Contact.agency_id == Agency.id)
            .where(Contact.chat_id == "ttt"))).scalar_one()
    assert moved_contact == NEW
    # the plan still says the old name: a re-import lands it on the new body, adds nothing old
    await load_example(db, example_path, directory)
    assert await live_refs(db, OLD) == set()
    assert old_work <= await live_refs(db, NEW)


async def test_merge_keeps_an_assignment_the_new_body_already_has(
        db: Database, example_path: Path, directory: Directory) -> None:
    await load_example(db, example_path, directory)
    # VI.4 has TT&TT coordinating and Văn phòng UBND tỉnh leading; merging into the lead
    async with db.uow() as uow:
        report = await merge(uow.session, OLD, "Văn phòng UBND tỉnh", NOW)
        await uow.commit()
    assert report.kept_with_old >= 0
    async with db.uow() as uow:
        duplicates = (await uow.session.execute(
            select(Assignment.task_id, Assignment.agency_id, Assignment.role, func.count())
            .group_by(Assignment.task_id, Assignment.agency_id, Assignment.role)
            .having(func.count() > 1))).all()
    assert duplicates == []


async def test_rename_and_the_refusals(db: Database, example_path: Path,
                                       directory: Directory) -> None:
    await load_example(db, example_path, directory)
    with pytest.raises(AgencyChangeError, match="dùng `nhacviec agencies merge`"):
        async with db.uow() as uow:
            await rename(uow.session, OLD, NEW, NOW)
    with pytest.raises(AgencyChangeError, match="không có cơ quan «Sở Ma»"):
        async with db.uow() as uow:
            await merge(uow.session, "Sở Ma", NEW, NOW)
    async with db.uow() as uow:
        await rename(uow.session, "Sở Tư pháp", "Sở Tư pháp tỉnh An Giang", NOW)
        await uow.commit()
    assert "I.1" in await live_refs(db, "Sở Tư pháp tỉnh An Giang")
    await load_example(db, example_path, directory)
    assert await live_refs(db, "Sở Tư pháp") == set()
    async with db.uow() as uow:
        answers = (await uow.session.execute(select(func.count()).select_from(StatusReport)
                                             )).scalar_one()
    assert answers == 0


def test_cli_merge_and_changes(tmp_path: Path, example_path: Path) -> None:
    runner = CliRunner()
    env = {"NHACVIEC_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"}
    assert runner.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    assert runner.invoke(app, ["import", str(example_path)], env=env).exit_code == 0
    done = runner.invoke(app, ["agencies", "merge", OLD, NEW, "--note", "QĐ 1/QĐ-UBND"],
                         env=env)
    assert done.exit_code == 0, done.output
    assert f"Đã gộp «{OLD}» vào «{NEW}»" in done.output
    listed = runner.invoke(app, ["agencies", "changes"], env=env)
    assert f"«{OLD}» gộp vào «{NEW}»\tQĐ 1/QĐ-UBND" in listed.output
    wrong = runner.invoke(app, ["agencies", "merge", "Sở Ma", NEW], env=env)
    assert wrong.exit_code == 2 and "Lỗi: không có cơ quan «Sở Ma»" in wrong.output
