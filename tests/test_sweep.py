"""The daily sweep on a real database: once per day, catch-up, no flood, nothing dropped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select, update

from plan.agencies import Directory
from storage.models import OutboxMessage, ReminderItem, Task
from storage.uow import Database
from tests.engine_helpers import contact, load_example, set_lead, sweeper

D = dt.date
KHCN = "Sở Khoa học và Công nghệ"


async def count(db: Database, model: type, *where: object) -> int:
    async with db.uow() as uow:
        return int((await uow.session.execute(
            select(func.count()).select_from(model).where(*where))).scalar_one())  # type: ignore[arg-type]


async def test_sweep_runs_once_per_day_whoever_runs_it(db: Database, example_path: Path,
                                                       directory: Directory) -> None:
    await load_example(db, example_path, directory)
    await contact(db, KHCN, "khcn")
    first = await sweeper(db, "host-a").run(D(2023, 9, 29))
    assert first.ran and first.reminders > 0
    again = await sweeper(db, "host-b").run(D(2023, 9, 29))
    assert not again.ran
    assert await count(db, ReminderItem) == first.reminders
    assert await count(db, OutboxMessage) == first.messages


async def test_a_contact_gets_one_message_per_day_listing_each_assignment(
        db: Database, example_path: Path, directory: Directory) -> None:
    await load_example(db, example_path, directory)
    khcn = await contact(db, KHCN, "khcn")
    await sweeper(db).run(D(2023, 9, 20))  # check-in day: several of KH&CN's assignments
    assert await count(db, OutboxMessage, OutboxMessage.contact_id == khcn) == 1
    assert await count(db, ReminderItem, ReminderItem.contact_id == khcn) >= 5


async def test_agency_without_contact_is_recorded_not_dropped(db: Database, example_path: Path,
                                                              directory: Directory) -> None:
    await load_example(db, example_path, directory)
    rows = await sweeper(db).preview(D(2023, 9, 29), D(2023, 9, 29))
    assert [(r.task, r.agency, r.recipient, r.stage) for r in rows] == [
        ("VII.2", KHCN, None, "due")]
    await sweeper(db).run(D(2023, 9, 29))
    assert await count(db, ReminderItem, ReminderItem.contact_id.is_(None)) == 1
    assert await count(db, OutboxMessage) == 0


async def test_catch_up_after_downtime_sends_one_late_reminder(db: Database, example_path: Path,
                                                               directory: Directory) -> None:
    await load_example(db, example_path, directory)
    khcn = await contact(db, KHCN, "khcn")
    await sweeper(db).run(D(2023, 9, 26))
    result = await sweeper(db).run(D(2023, 10, 2))  # down from 27/09 to 01/10
    assert result.since == D(2023, 9, 27)
    async with db.uow() as uow:
        items = (await uow.session.execute(
            select(ReminderItem.stage, ReminderItem.natural_date, ReminderItem.late)
            .where(ReminderItem.contact_id == khcn, ReminderItem.send_on == D(2023, 10, 2))
            .order_by(ReminderItem.natural_date))).all()
    vii2 = [i for i in items if i.natural_date == D(2023, 9, 30)]
    assert [(i.stage, i.late) for i in vii2] == [("due", True)]  # 27/09 before + 29/09 due → one


async def test_done_withdrawn_and_extended_assignments(db: Database, example_path: Path,
                                                       directory: Directory) -> None:
    await load_example(db, example_path, directory)
    day = D(2023, 9, 29)
    assert [r.task for r in await sweeper(db).preview(day, day)] == ["VII.2"]
    await set_lead(db, "VII.2", KHCN, status="hoan_thanh")
    assert await sweeper(db).preview(day, day) == []
    await set_lead(db, "VII.2", KHCN, status="xin_gia_han", due_override=D(2023, 10, 31))
    assert await sweeper(db).preview(day, day) == []
    moved = await sweeper(db).preview(D(2023, 10, 30), D(2023, 10, 31))
    assert [(r.date, r.task, r.stage) for r in moved if r.task == "VII.2"] == [
        (D(2023, 10, 30), "VII.2", "before"), (D(2023, 10, 31), "VII.2", "due")]
    async with db.uow() as uow:
        await uow.session.execute(update(Task).where(Task.ref == "VII.2")
                                  .values(withdrawn_at=dt.datetime(2023, 10, 1, tzinfo=dt.UTC)))
        await uow.commit()
    after = await sweeper(db).preview(D(2023, 10, 30), D(2023, 10, 31))
    assert after and "VII.2" not in {r.task for r in after}


async def test_year_preview_for_a_coordinator(db: Database, example_path: Path,
                                              directory: Directory) -> None:
    await load_example(db, example_path, directory)
    await contact(db, None, "snv", role="coordinator", name="Sở Nội vụ")
    rows = await sweeper(db).preview(D(2023, 1, 1), D(2023, 12, 31))
    stages = {r.stage for r in rows}
    assert stages == {"before", "due", "overdue", "escalation", "checkin", "digest"}
    escalations = [r for r in rows if r.stage == "escalation" and r.task == "I.2"]
    assert len({r.agency for r in escalations}) == len(escalations)  # once per assignment
    assert all(r.date.weekday() < 5 for r in rows)
    assert not [r for r in rows if D(2023, 1, 20) <= r.date <= D(2023, 1, 26)]  # Tết


async def test_an_agency_with_many_check_ins_gets_one_line_standing_for_them(
        db: Database, example_path: Path, directory: Directory,
        monkeypatch: object) -> None:
    from bot.channels.recording import RecordingChannel
    from storage import reminders
    from storage.models import SweepRun
    from tests.engine_helpers import NOW, dispatcher

    await load_example(db, example_path, directory)
    names = ["Sở Tư pháp", KHCN, "Sở Nội vụ", "Văn phòng UBND tỉnh", "Sở Tài chính",
             "Sở Thông tin và Truyền thông"]
    people = {name: await contact(db, name, f"c{n}") for n, name in enumerate(names)}
    day = D(2023, 3, 20)  # a check-in day early in the year: most work is due later
    checkins = ReminderItem.stage == "checkin"
    assert (await sweeper(db).run(day)).ran
    owed = {name: await count(db, ReminderItem, checkins, ReminderItem.contact_id == who)
            for name, who in people.items()}
    big = max(owed, key=lambda name: owed[name])
    small = min((n for n in owed if 0 < owed[n] < owed[big]), key=lambda n: owed[n])
    async with db.uow() as uow:  # the same day again, with a limit between the two
        for table in (ReminderItem, OutboxMessage, SweepRun):
            await uow.session.execute(table.__table__.delete())
        await uow.commit()
    monkeypatch.setattr(reminders, "CHECKIN_LIST_MAX", owed[small])  # type: ignore[attr-defined]
    await sweeper(db).run(day)
    async with db.uow() as uow:
        rows = (await uow.session.execute(select(ReminderItem.assignment_id, ReminderItem.note)
                                          .where(checkins,
                                                 ReminderItem.contact_id == people[big]))).all()
    assert rows == [(None, str(owed[big]))]  # one line, counting them all
    assert await count(db, ReminderItem, checkins,
                       ReminderItem.contact_id == people[small]) == owed[small]
    channel = RecordingChannel()
    await dispatcher(db, channel, day, [NOW]).drain()
    sent = dict(channel.sent)
    assert (f"Cập nhật tiến độ hằng tháng: {owed[big]} nhiệm vụ chủ trì chưa hoàn thành"
            in sent[f"c{names.index(big)}"])
    assert "#?" not in sent[f"c{names.index(big)}"]
    assert "1) #" in sent[f"c{names.index(small)}"]  # under the limit: listed with codes
