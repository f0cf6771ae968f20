"""Conversations as users live them, through the channel-agnostic handlers on a real database."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.handlers import Handlers
from bot.types import FileRef, Incoming, Reply
from plan.agencies import Directory
from storage import invites
from storage.models import (
    Assignment,
    Contact,
    ExtensionRequest,
    OutboxMessage,
    ReminderItem,
    StatusReport,
)
from storage.uow import Database
from tests.engine_helpers import assignment_of, contact, load_example
from words.messages import assignment_code

TODAY = dt.date(2023, 9, 25)
KHCN = "Sở Khoa học và Công nghệ"


class Chat:
    """One person's chat with the bot."""

    def __init__(self, handlers: Handlers, chat_id: str, channel: str = "telegram",
                 name: str = "") -> None:
        self.handlers, self.chat_id, self.channel, self.name = handlers, chat_id, channel, name

    async def say(self, text: str = "", **extra: object) -> str:
        replies = await self.handlers.handle(Incoming(self.channel, self.chat_id, text,
                                                      self.name, **extra))  # type: ignore[arg-type]
        self.last = replies
        return "\n".join(r.text for r in replies)

    async def press(self, data: str) -> str:
        return await self.say(button=data)

    def buttons(self) -> list[str]:
        return [b.data for r in self.last for row in r.buttons for b in row]


async def code_for(db: Database, agency: str | None, role: str = "focal") -> str:
    async with db.uow() as uow:
        code, _ = await invites.create(uow.session, agency, role, "test", dt.timedelta(days=7),
                                       dt.datetime.now(dt.UTC))
        await uow.commit()
    return code


@pytest.fixture
async def bot(db: Database, example_path: Path, directory: Directory) -> Handlers:
    await load_example(db, example_path, directory)
    return Handlers(db, lambda: TODAY, admin_ids={"telegram:9001"})


async def test_enroll_then_answer_done_with_evidence_then_coordinator_sees_it(
        bot: Handlers, db: Database) -> None:
    lan = Chat(bot, "1001", name="Chị Lan")
    welcome = await lan.say(f"/start {await code_for(db, KHCN)}")
    assert f"đầu mối của {KHCN}" in welcome
    assert " VII.2 " in welcome and "Hạn: 30/09/2023 (còn 5 ngày)" in welcome
    vii2 = await assignment_of(db, "VII.2", KHCN)
    assert f"o:{vii2}" in lan.buttons()  # one button per listed assignment (a phone's width)
    opened = await lan.press(f"o:{vii2}")
    assert f"#{assignment_code(vii2)} VII.2 " in opened and "Hạn: 30/09/2023" in opened
    assert f"d:{vii2}" in lan.buttons()
    reply = await lan.press(f"d:{vii2}")
    assert "Đã ghi nhận VII.2: đã báo hoàn thành, chờ Sở Nội vụ xác nhận" in reply
    assert "số và ngày văn bản" in reply
    assert "Đã lưu số, ngày văn bản" in await lan.say("15/QĐ-SKHCN ngày 22/09/2023")
    assert "Đã lưu tệp minh chứng" in await lan.say(
        "", file=FileRef("document", "BQAC-1", "quyet-dinh.pdf", 18432))  # type: ignore[arg-type]
    async with db.uow() as uow:
        rows = (await uow.session.execute(
            select(StatusReport.status, StatusReport.evidence, StatusReport.file)
            .where(StatusReport.assignment_id == vii2).order_by(StatusReport.id))).all()
    assert [r.status for r in rows] == ["cho_xac_nhan"] * 3  # appended, never overwritten
    assert rows[1].evidence == "15/QĐ-SKHCN ngày 22/09/2023"
    assert rows[2].file["name"] == "quyet-dinh.pdf"
    snv = Chat(bot, "9001", name="Sở Nội vụ")  # bootstrapped from NHACVIEC_ADMIN_IDS
    assert "• Chờ xác nhận: 1" in await snv.say("/tonghop")
    assert "VII.2" in await snv.say("/xacnhan")
    assert "Đã xác nhận hoàn thành VII.2" in await snv.press(f"ca:{vii2}")
    assert "không có báo hoàn thành nào chờ" in await snv.press(f"ca:{vii2}")  # pressed twice
    summary = await snv.say("/tonghop")
    assert "• Hoàn thành đúng hạn: 1" in summary  # the report's figures, in chat
    assert "• VII. Áp dụng hệ thống quản lý chất lượng TCVN ISO 9001: 1/2" in summary
    detail = await snv.say("/chitiet VII.2")
    assert f"#{assignment_code(vii2)} {KHCN} (chủ trì): Đã hoàn thành" in detail
    assert "15/QĐ-SKHCN ngày 22/09/2023" in detail


async def test_strangers_and_other_agencies_are_refused(bot: Handlers, db: Database,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    stranger = Chat(bot, "666")
    assert "chưa được đăng ký" in await stranger.say("/nhiemvu")
    assert "chưa được đăng ký" in await stranger.say(f"{assignment_code(1)} xong")
    tuphap = Chat(bot, "2002")
    await tuphap.say(f"/start {await code_for(db, 'Sở Tư pháp')}")
    vii2 = await assignment_of(db, "VII.2", KHCN)
    answer = await tuphap.say(f"{assignment_code(vii2)} xong")
    assert "không thuộc Sở Tư pháp" in answer
    assert "dành cho cán bộ Sở Nội vụ" in await tuphap.say("/tonghop")
    assert "dành cho cán bộ Sở Nội vụ" in await tuphap.press("xa:1")
    async with db.uow() as uow:
        stored = (await uow.session.execute(select(func.count()).select_from(StatusReport))
                  ).scalar_one()
    assert stored == 0
    assert caplog.text.count("refused") >= 3


async def test_invite_codes_are_single_use_and_wrong_codes_are_limited(
        bot: Handlers, db: Database) -> None:
    code = await code_for(db, KHCN)
    assert "đầu mối" in await Chat(bot, "1").say(f"/start {code}")
    assert "đã được dùng" in await Chat(bot, "2").say(f"/start {code}")
    guesser = Chat(bot, "3")
    for _ in range(5):
        assert "không đúng" in await guesser.say("/start aaaaaaaaaaaaaaa")
    assert "quá nhiều lần" in await guesser.say(f"/start {await code_for(db, KHCN)}")


async def test_expired_code_is_refused(bot: Handlers, db: Database) -> None:
    async with db.uow() as uow:
        code, _ = await invites.create(uow.session, KHCN, "focal", "test", dt.timedelta(days=-1),
                                       dt.datetime.now(dt.UTC))
        await uow.commit()
    assert "hết hạn" in await Chat(bot, "4").say(f"/start {code}")


async def test_text_protocol_progress_blocked_and_help(bot: Handlers, db: Database) -> None:
    await contact(db, KHCN, "1001", channel="telegram")
    await contact(db, None, "9002", role="coordinator", channel="telegram")
    lan = Chat(bot, "1001")
    vii1 = assignment_code(await assignment_of(db, "VII.1", KHCN))
    assert "Đang thực hiện (50%)" in await lan.say(f"#{vii1} dang 50% đã có dự thảo")
    assert "hãy gõ lý do" in await lan.say(f"{vii1} vuong")
    assert "chuyển cho Sở Nội vụ" in await lan.say("chưa có kinh phí")
    assert "Chưa hiểu tin nhắn này" in await lan.say("cảm ơn bot")
    async with db.uow() as uow:
        notices = list((await uow.session.execute(
            select(ReminderItem.note).where(ReminderItem.stage == "notice"))).scalars())
    assert any("gặp vướng mắc ở VII.1" in n and "chưa có kinh phí" in n for n in notices)


async def test_extension_round_trip_moves_the_due_date(bot: Handlers, db: Database) -> None:
    await contact(db, KHCN, "1001", channel="telegram")
    lan, snv = Chat(bot, "1001"), Chat(bot, "9001")
    vii2 = await assignment_of(db, "VII.2", KHCN)
    assert "đến ngày nào" in await lan.press(f"e:{vii2}")
    assert "Chưa hiểu ngày" in await lan.say("sớm nhất có thể")
    assert "đến 31/10/2023" in await lan.say("cuối tháng 10")
    pending = await snv.say("/duyet")
    assert "VII.2 đến 31/10/2023" in pending
    request_id = int(pending.split("Số ")[1].split(":")[0])
    assert "ĐÃ DUYỆT" in await snv.press(f"xa:{request_id}")
    assert "đã được xử lý" in await snv.press(f"xr:{request_id}")  # no double decision
    async with db.uow() as uow:
        override = (await uow.session.execute(select(Assignment.due_override)
                                              .where(Assignment.id == vii2))).scalar_one()
        told = list((await uow.session.execute(
            select(ReminderItem.note).join(Contact, Contact.id == ReminderItem.contact_id)
            .where(Contact.chat_id == "1001"))).scalars())
    assert override == dt.date(2023, 10, 31)
    assert any("ĐÃ DUYỆT" in note and "Hạn mới" in note for note in told)


async def test_unlink_stops_everything(bot: Handlers, db: Database) -> None:
    await contact(db, KHCN, "1001", channel="telegram")
    lan = Chat(bot, "1001")
    assert "Đã hủy liên kết" in await lan.say("/huy")
    assert "chưa được đăng ký" in await lan.say("/nhiemvu")


async def test_long_or_forged_input_changes_nothing(bot: Handlers, db: Database) -> None:
    await contact(db, KHCN, "1001", channel="telegram")
    lan = Chat(bot, "1001")
    assert "quá dài" in await lan.say("x " * 3000)
    assert "không còn hiệu lực" in await lan.press("d:" + "9" * 80)
    assert "Không tìm thấy nhiệm vụ" in await lan.press("d:999999")
    async with db.uow() as uow:
        assert (await uow.session.execute(select(func.count()).select_from(StatusReport))
                ).scalar_one() == 0


def test_reply_type_is_plain_text_by_default() -> None:
    assert Reply("x").buttons == ()


async def test_welcome_through_the_composition_root_lists_todays_reminders(
        db_url: str, db: Database, example_path: Path, directory: Directory) -> None:
    """The real wiring (due-today from the sweeper) must not deadlock on SQLite's single writer."""
    import asyncio

    from cli.bootstrap import build
    from config.settings import load_settings

    await load_example(db, example_path, directory)
    app = build(load_settings(_env_file=None, database_url=db_url, today=dt.date(2023, 9, 29)),
                db=db, channels={})
    code = await code_for(db, KHCN)
    replies = await asyncio.wait_for(
        app.handlers.handle(Incoming("zalo", "lan", f"/start {code}", "Lan")), timeout=10)
    assert "⏰ hôm nay: đến hạn" in replies[0].text  # VII.2 is due tomorrow (Sat 30/09)


async def test_out_of_range_codes_and_buttons_get_a_refusal(bot: Handlers, db: Database) -> None:
    await contact(db, KHCN, "1001", channel="telegram")
    lan = Chat(bot, "1001")
    assert "Không tìm thấy nhiệm vụ" in await lan.say("zzzzzzzz xong")
    assert "không còn hiệu lực" in await lan.press("d:99999999999")
    for forged in ("d:²", "d:١٢", "p:1\n", "d: 7", "d:+7"):  # digits int() refuses or trims
        assert "không còn hiệu lực" in await lan.press(forged), forged
    snv = Chat(bot, "9001")
    assert "Hãy ghi mã hoặc số hiệu" in await snv.say("/chitiet zzzzzzzz")


async def test_extension_must_be_later_than_the_current_due_date(bot: Handlers,
                                                                 db: Database) -> None:
    await contact(db, KHCN, "1001", channel="telegram")
    lan, snv = Chat(bot, "1001"), Chat(bot, "9001")
    vii2 = assignment_code(await assignment_of(db, "VII.2", KHCN))  # due 30/09/2023
    refused = await lan.say(f"{vii2} giahan 28/9/2023")
    assert "không sau hạn hiện tại 30/09/2023 của VII.2" in refused
    assert "Không có đề nghị gia hạn nào" in await snv.say("/duyet")
    assert "đến 31/10/2023" in await lan.say("31/10/2023")  # the bot still waits for a date


async def test_a_new_extension_request_replaces_the_pending_one(bot: Handlers,
                                                                db: Database) -> None:
    await contact(db, KHCN, "1001", channel="telegram")
    lan, snv = Chat(bot, "1001"), Chat(bot, "9001")
    vii2 = assignment_code(await assignment_of(db, "VII.2", KHCN))
    for text in ("31/10/2023", "30/11/2023", "15/12/2023"):
        await lan.say(f"{vii2} giahan {text}")
    pending = await snv.say("/duyet")
    assert pending.count("• Số") == 1
    assert "VII.2 đến 15/12/2023 (hạn hiện tại 30/09/2023)" in pending
    async with db.uow() as uow:
        states = list((await uow.session.execute(
            select(ExtensionRequest.state).order_by(ExtensionRequest.id))).scalars())
    assert states == ["replaced", "replaced", "pending"]  # history kept


async def test_percent_out_of_range_and_xong_100_percent(bot: Handlers, db: Database) -> None:
    await contact(db, KHCN, "1001", channel="telegram")
    lan = Chat(bot, "1001")
    vii1 = assignment_code(await assignment_of(db, "VII.1", KHCN))
    assert "phần trăm phải từ 0 đến 100" in await lan.say(f"{vii1} dang 150%")
    async with db.uow() as uow:
        stored = (await uow.session.execute(select(func.count()).select_from(StatusReport)
                                            )).scalar_one()
    assert stored == 0
    assert "đã báo hoàn thành" in await lan.say(f"{vii1} xong 100%")
    async with db.uow() as uow:
        evidence = (await uow.session.execute(select(StatusReport.evidence))).scalar_one()
    assert evidence in (None, "")


async def _reminder_sent(db: Database, contact_id: int, assignment_ids: list[int],
                         provider_id: str, part: int = 1) -> None:
    """A reminder message already delivered to this contact, listing these assignments."""
    now = dt.datetime(2023, 9, 25, 1, tzinfo=dt.UTC)
    async with db.uow() as uow:
        message = OutboxMessage(contact_id=contact_id, send_on=TODAY, state="sent", text="…",
                                next_attempt_at=now, sent_at=now, created_at=now,
                                provider_message_id=provider_id, part=part)
        uow.session.add(message)
        await uow.session.flush()
        for n, assignment_id in enumerate(assignment_ids):
            uow.session.add(ReminderItem(key=f"t:{provider_id}:{n}", stage="before",
                                         assignment_id=assignment_id, contact_id=contact_id,
                                         natural_date=TODAY, send_on=TODAY,
                                         message_id=message.id, created_at=now))
        await uow.commit()


async def test_a_task_ref_or_a_bare_reply_answers_when_it_is_unambiguous(
        bot: Handlers, db: Database) -> None:
    lan_id = await contact(db, KHCN, "1001", channel="telegram")
    lan = Chat(bot, "1001")
    assert "Đang thực hiện (40%)" in await lan.say("VII.1 dang 40%")
    vii2 = await assignment_of(db, "VII.2", KHCN)
    await _reminder_sent(db, lan_id, [vii2], "m-one")
    assert "Đang thực hiện (70%)" in await lan.say("70%", reply_to="m-one")
    assert "đã báo hoàn thành" in await lan.say("xong", reply_to="m-one")
    await lan.say("/boqua")  # no document number for now
    vii1 = await assignment_of(db, "VII.1", KHCN)
    await _reminder_sent(db, lan_id, [vii1, vii2], "m-two", part=2)
    assert "có nhiều nhiệm vụ" in await lan.say("xong", reply_to="m-two")
    async with db.uow() as uow:
        statuses = dict((await uow.session.execute(
            select(Assignment.id, Assignment.status)
            .where(Assignment.id.in_([vii1, vii2])))).all())
    assert statuses == {vii1: "dang_thuc_hien", vii2: "cho_xac_nhan"}


async def test_the_helps_examples_use_the_readers_own_code_and_work_as_typed(
        bot: Handlers, db: Database) -> None:
    """The example codes in /trogiup are the reader's own, so typing one as shown answers;
    the extension example is a date ahead, never a past one."""
    lan = Chat(bot, "1001", name="Chị Lan")
    await lan.say(f"/start {await code_for(db, KHCN)}")
    shown = await lan.say("/trogiup")
    example = re.search(r"ví dụ: (\S+) xong 15/KH-STP", shown)
    assert example, shown
    extension = re.search(r"ví dụ: \S+ giahan (\d\d/\d\d/\d{4})", shown)
    assert extension and dt.datetime.strptime(extension.group(1), "%d/%m/%Y").date() > TODAY
    answered = await lan.say(f"{example.group(1)} xong 15/KH-STP")
    assert "Đã ghi nhận" in answered or "chờ Sở Nội vụ xác nhận" in answered, answered


async def test_the_bot_takes_days_as_dd_mm_yyyy_or_iso(bot: Handlers, db: Database) -> None:
    """The CLI takes both forms, so the bot does too: an extension to 2023-12-15, a report as
    of 2023-09-01."""
    lan = Chat(bot, "1001", name="Chị Lan")
    await lan.say(f"/start {await code_for(db, KHCN)}")
    vii2 = await assignment_of(db, "VII.2", KHCN)
    asked = await lan.say(f"{assignment_code(vii2)} giahan 2023-12-15")
    assert "đề nghị gia hạn VII.2 đến 15/12/2023" in asked, asked
    snv = Chat(bot, "9001", name="Sở Nội vụ")
    await snv.say("/tonghop")  # linked as coordinator from NHACVIEC_ADMIN_IDS
    for typed in ("2023-09-01", "01/09/2023"):
        report = await snv.say(f"/xuatbaocao {typed}")
        assert "01/09/2023" in report and "không đúng dạng" not in report, report
