"""The dispatcher decides what a failure means; every send is a row before it is a request."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.channels.base import Buttons, Migrated, Permanent, RateLimited, Transient
from bot.channels.recording import RecordingChannel
from plan.agencies import Directory
from storage.models import Contact, OutboxMessage
from storage.uow import Database
from tests.engine_helpers import NOW, contact, dispatcher, load_example, sweeper

DAY = dt.date(2023, 9, 29)
KHCN = "Sở Khoa học và Công nghệ"


async def ready(db: Database, example_path: Path, directory: Directory) -> tuple[int, int]:
    await load_example(db, example_path, directory)
    focal = await contact(db, KHCN, "5001", name="Chị Lan")
    coordinator = await contact(db, None, "9001", role="coordinator", name="Anh Minh")
    await sweeper(db).run(DAY)
    return focal, coordinator


async def message(db: Database, contact_id: int) -> OutboxMessage:
    async with db.uow() as uow:
        return (await uow.session.execute(select(OutboxMessage).where(
            OutboxMessage.contact_id == contact_id).order_by(OutboxMessage.id))).scalars().first()


async def test_reminder_is_rendered_sent_and_recorded(db: Database, example_path: Path,
                                                      directory: Directory) -> None:
    focal, _ = await ready(db, example_path, directory)
    channel = RecordingChannel()
    assert await dispatcher(db, channel, DAY, [NOW]).drain() == 1
    [(chat, text)] = channel.sent
    assert chat == "5001"
    assert "Nhắc việc CCHC — 29/09/2023" in text and "VII.2" in text
    assert "Đến hạn: hạn 30/09/2023, còn 1 ngày" in text and "Vai trò: chủ trì" in text
    row = await message(db, focal)
    assert (row.state, row.provider_message_id, row.text) == ("sent", "1", text)


async def test_rate_limit_is_honoured_and_not_counted_as_a_try(db: Database, example_path: Path,
                                                               directory: Directory) -> None:
    focal, _ = await ready(db, example_path, directory)
    channel = RecordingChannel(failures=[RateLimited("Too Many Requests: retry after 1", 0.3)])
    clock = [NOW]
    sender = dispatcher(db, channel, DAY, clock)
    await sender.tick()
    row = await message(db, focal)
    assert (row.state, row.attempts) == ("failed", 0)
    assert row.next_attempt_at.replace(tzinfo=dt.UTC) == NOW + dt.timedelta(seconds=0.3)
    assert await sender.tick() == 0  # not due yet
    clock[0] = NOW + dt.timedelta(seconds=1)
    await sender.tick()
    assert (await message(db, focal)).state == "sent" and len(channel.sent) == 1


async def test_an_outage_all_day_folds_the_reminder_into_the_next_days_message(
        db: Database, example_path: Path, directory: Directory) -> None:
    focal, _ = await ready(db, example_path, directory)
    channel = RecordingChannel(failures=[Transient("Bad Gateway (502)")] * 10_000)
    clock = [NOW]
    sender = dispatcher(db, channel, DAY, clock, retry_base=10.0, retry_cap=900.0)
    delays: list[float] = []
    while (row := await message(db, focal)).state != "folded":
        await sender.tick()
        row = await message(db, focal)
        if row.state == "failed":
            wait = row.next_attempt_at.replace(tzinfo=dt.UTC) - clock[0]
            delays.append(wait.total_seconds())
            clock[0] += wait
    assert 5 <= delays[0] <= 15 and 10 <= delays[1] <= 30  # 10 s, then 20 s, ±50 % jitter
    assert max(delays) <= 900 * 1.5 and len(delays) > 50  # capped, and kept trying all day
    assert clock[0] < dt.datetime(2023, 9, 30, tzinfo=dt.UTC)
    async with db.uow() as uow:
        rows = (await uow.session.execute(select(OutboxMessage).where(
            OutboxMessage.contact_id == focal).order_by(OutboxMessage.id))).scalars().all()
    assert [r.state for r in rows] == ["folded", "pending"]  # never "dead": nothing lost
    assert rows[1].send_on == DAY + dt.timedelta(days=1)
    assert rows[1].next_attempt_at.replace(tzinfo=dt.UTC) == dt.datetime(2023, 9, 30, 8, 0,
                                                                          tzinfo=dt.UTC)
    channel.failures.clear()  # the platform is back
    clock[0] = dt.datetime(2023, 9, 30, 8, 0, tzinfo=dt.UTC)
    await sender.drain()
    [(chat, text)] = channel.sent
    assert chat == "5001" and "Nhắc việc CCHC — 30/09/2023" in text and "VII.2" in text


async def test_a_long_message_resumes_at_the_first_part_that_failed(
        db: Database, example_path: Path, directory: Directory) -> None:
    await load_example(db, example_path, directory)
    focal = await contact(db, "Sở Nội vụ", "5002", name="Chị Hoa")
    await sweeper(db).run(dt.date(2023, 12, 29))  # many assignments due at the year's end
    parts = PartFailing(max_text=400, fail_at=2)
    clock = [NOW]
    sender = dispatcher(db, parts, DAY, clock, retry_base=1.0)
    await sender.tick()
    row = await message(db, focal)
    assert row.state == "failed" and row.parts_sent == 2 and len(parts.sent) == 2
    clock[0] = row.next_attempt_at.replace(tzinfo=dt.UTC)
    await sender.drain()
    texts = [t for _, t in parts.sent]
    assert len(texts) == len(set(texts)) >= 3  # every part once: the first two not again
    assert "\n".join(texts).startswith("Nhắc việc CCHC")
    assert (await message(db, focal)).state == "sent"


class PartFailing(RecordingChannel):
    """Sends one part per call (the dispatcher splits); fails once at part `fail_at`."""

    def __init__(self, max_text: int, fail_at: int) -> None:
        super().__init__(max_text=max_text)
        self.fail_at, self.calls = fail_at, 0

    async def send(self, chat_id: str, text: str, buttons: Buttons = ()) -> str:
        self.calls += 1
        if self.calls == self.fail_at + 1:
            raise Transient("Bad Gateway (502)")
        assert len(text) <= self.max_text
        return await super().send(chat_id, text, buttons)


async def test_blocked_user_is_flagged_and_never_retried(db: Database, example_path: Path,
                                                         directory: Directory) -> None:
    focal, _ = await ready(db, example_path, directory)
    channel = RecordingChannel(failures=[Permanent("Forbidden: bot was blocked by the user")])
    sender = dispatcher(db, channel, DAY, [NOW])
    await sender.drain()
    assert (await message(db, focal)).state == "dead"
    async with db.uow() as uow:
        reachable = (await uow.session.execute(
            select(Contact.reachable).where(Contact.id == focal))).scalar_one()
    assert reachable is False
    assert [chat for chat, _ in channel.sent] == ["9001"]
    assert "không liên lạc được" in channel.sent[0][1]
    assert await sweeper(db).preview(DAY, DAY) != []  # still owed: now recorded as undeliverable
    assert [r.recipient for r in await sweeper(db).preview(DAY, DAY)] == [None]


async def test_migrated_chat_is_followed(db: Database, example_path: Path,
                                         directory: Directory) -> None:
    await ready(db, example_path, directory)
    channel = RecordingChannel(failures=[Migrated("migrated", "-100777")])
    await dispatcher(db, channel, DAY, [NOW]).drain()
    assert [chat for chat, _ in channel.sent] == ["-100777"]


async def test_message_left_in_flight_by_a_dead_process_is_resent_and_logged(
        db: Database, example_path: Path, directory: Directory,
        caplog: pytest.LogCaptureFixture) -> None:
    focal, _ = await ready(db, example_path, directory)
    async with db.uow() as uow:  # what a SIGKILL between claim and outcome leaves behind
        await uow.session.execute(update(OutboxMessage).values(
            state="sending", claimed_by="dead-host", claimed_at=NOW, attempts=1))
        await uow.commit()
    channel = RecordingChannel()
    clock = [NOW + dt.timedelta(seconds=30)]
    sender = dispatcher(db, channel, DAY, clock, lease=dt.timedelta(seconds=60))
    assert await sender.tick() == 0  # within the lease: maybe still being sent elsewhere
    clock[0] = NOW + dt.timedelta(seconds=61)
    with caplog.at_level(logging.WARNING, logger="nhacviec.dispatch"):
        await sender.tick()
    assert len(channel.sent) == 1 and (await message(db, focal)).state == "sent"
    assert "may be sent twice" in caplog.text


async def test_a_message_claimed_but_never_reached_is_resent_without_a_warning(
        db: Database, example_path: Path, directory: Directory,
        caplog: pytest.LogCaptureFixture) -> None:
    """A batch of claimed rows gave a "may be sent twice" warning each when the process died,
    though only the sends under way could repeat."""
    focal, _ = await ready(db, example_path, directory)
    async with db.uow() as uow:  # claimed by a process that died before it reached them
        await uow.session.execute(update(OutboxMessage).values(
            state="claimed", claimed_by="dead-host", claimed_at=NOW, attempts=1))
        await uow.commit()
    channel = RecordingChannel()
    clock = [NOW + dt.timedelta(seconds=61)]
    with caplog.at_level(logging.WARNING, logger="nhacviec.dispatch"):
        await dispatcher(db, channel, DAY, clock, lease=dt.timedelta(seconds=60)).tick()
    assert len(channel.sent) == 1 and (await message(db, focal)).state == "sent"
    assert "may be sent twice" not in caplog.text


async def test_two_dispatchers_never_send_a_message_twice(db: Database, example_path: Path,
                                                          directory: Directory) -> None:
    await load_example(db, example_path, directory)
    for n in range(40):
        await contact(db, KHCN, f"70{n:02d}")
    await sweeper(db).run(dt.date(2023, 9, 20))
    channel = RecordingChannel()
    first = dispatcher(db, channel, DAY, [NOW], owner="a", batch=7)
    second = dispatcher(db, channel, DAY, [NOW], owner="b", batch=7)
    await asyncio.gather(first.drain(), second.drain())
    chats = [chat for chat, _ in channel.sent]
    assert len(chats) == 40 and len(set(chats)) == 40


async def test_coordinators_digest_lists_overdue_undated_and_agencies_without_contact(
        db: Database, example_path: Path, directory: Directory) -> None:
    await load_example(db, example_path, directory)
    await contact(db, None, "9001", role="coordinator", name="Anh Minh")
    monday = dt.date(2023, 10, 9)  # VII.2 (due Sat 30/09) is 7 days overdue: escalation too
    await sweeper(db).run(monday)
    channel = RecordingChannel()
    await dispatcher(db, channel, monday, [NOW]).drain()
    [(chat, text)] = channel.sent
    assert chat == "9001"
    assert "Quá hạn chưa hoàn thành, cần Sở Nội vụ đôn đốc:" in text
    assert "• Sở Khoa học và Công nghệ — VII.2" in text and "QUÁ HẠN 9 ngày" in text
    assert "Tổng hợp tuần:" in text and "  - Sở Tư pháp:" in text
    assert "Nhiệm vụ chưa có ngày hạn cố định: V.4" in text
    assert "Cơ quan chủ trì chưa có đầu mối nhận nhắc việc (37): " in text
    # the list is cut, and says by how much (it was silently cut at 20 before)
    assert "và 27 cơ quan khác (mời tất cả: nhacviec invite --all)" in text
    assert "• Nhiệm vụ quá hạn chưa hoàn thành:" in text and "• Cơ quan có việc quá hạn:" in text


async def test_an_unlinked_contacts_queued_reminders_go_to_its_colleagues_not_to_it(
        db: Database, example_path: Path, directory: Directory) -> None:
    await load_example(db, example_path, directory)
    lan = await contact(db, KHCN, "5001", name="Chị Lan")
    await sweeper(db).run(DAY)  # queued for Lan alone
    await contact(db, KHCN, "5002", name="Anh Bình")  # enrolled after the sweep
    from storage.answers import unlink

    async with db.uow() as uow:
        await unlink(uow.session, lan, NOW)  # as /huy or `contacts revoke` does
        await unlink(uow.session, lan, NOW)  # twice: nothing moves twice
        await uow.commit()
    channel = RecordingChannel()
    await dispatcher(db, channel, DAY, [NOW]).drain()
    assert [chat for chat, _ in channel.sent] == ["5002"]
    assert channel.sent[0][1].count("VII.2") == 1
    assert (await message(db, lan)).state == "cancelled"


async def test_an_agencys_last_focal_point_unlinked_leaves_its_reminders_unsent(
        db: Database, example_path: Path, directory: Directory) -> None:
    focal, _ = await ready(db, example_path, directory)
    from storage.answers import unlink

    async with db.uow() as uow:
        await unlink(uow.session, focal, NOW)
        await uow.commit()
    channel = RecordingChannel()
    await dispatcher(db, channel, DAY, [NOW]).drain()
    assert "5001" not in [chat for chat, _ in channel.sent]
    assert (await message(db, focal)).state == "cancelled"


async def test_the_service_sends_full_batches_back_to_back(
        db: Database, example_path: Path, directory: Directory) -> None:
    """`run` ticked once per interval: 200 messages, then nothing until the next interval
    (one was skipped while the batch was being sent) — 21 msg/s where the platform takes 30.
    What it calls now sends every due message, batch after batch."""
    await load_example(db, example_path, directory)
    for n in range(40):
        await contact(db, KHCN, f"80{n:02d}")
    await sweeper(db).run(dt.date(2023, 9, 20))
    channel = RecordingChannel()
    due = dispatcher(db, channel, DAY, [NOW], batch=7)
    assert await due.send_due() == 40
    assert len({chat for chat, _ in channel.sent}) == 40
