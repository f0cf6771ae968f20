"""Replies focal points actually type, as a reply to a one-task reminder, to a reminder of
several tasks and to a coordinator's /nhac nudge — and what each one stores."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.channels.recording import RecordingChannel
from bot.handlers import Handlers
from bot.types import FileRef
from plan.agencies import Directory
from storage.models import Assignment, Contact, ExtensionRequest, OutboxMessage, StatusReport
from storage.uow import Database
from tests.engine_helpers import assignment_of, contact, dispatcher, load_example
from tests.test_conversation import Chat, _reminder_sent
from words.messages import assignment_code

TODAY = dt.date(2023, 9, 25)
KHCN, TTTT, STP = ("Sở Khoa học và Công nghệ", "Sở Thông tin và Truyền thông", "Sở Tư pháp")
PDF = FileRef(kind="document", file_id="f-1", name="bao-cao.pdf", size=1200)


@pytest.fixture
async def bot(db: Database, example_path: Path, directory: Directory) -> Handlers:
    await load_example(db, example_path, directory)
    return Handlers(db, lambda: TODAY, admin_ids={"telegram:9001"})


async def last_answer(db: Database, assignment: int) -> StatusReport | None:
    async with db.uow() as uow:
        return (await uow.session.execute(
            select(StatusReport).where(StatusReport.assignment_id == assignment)
            .order_by(StatusReport.id.desc()).limit(1))).scalar_one_or_none()


async def answers_of(db: Database, assignment: int) -> int:
    async with db.uow() as uow:
        return len((await uow.session.execute(select(StatusReport.id).where(
            StatusReport.assignment_id == assignment))).all())


@pytest.mark.parametrize(("typed", "percent"), [
    ("50%", 50), ("đang làm 60%", 60), ("được 70%", 70), ("dang 80", 80),
    ("Đang thực hiện 45 %", 45)])
async def test_progress_as_a_reply_to_a_one_task_reminder(
        bot: Handlers, db: Database, typed: str, percent: int) -> None:
    lan_id = await contact(db, KHCN, "1001", channel="telegram")
    vii2 = await assignment_of(db, "VII.2", KHCN)
    await _reminder_sent(db, lan_id, [vii2], "m-one")
    said = await Chat(bot, "1001").say(typed, reply_to="m-one")
    assert f"Đang thực hiện ({percent}%)" in said, said
    stored = await last_answer(db, vii2)
    assert stored is not None and (stored.status, stored.percent) == ("dang_thuc_hien", percent)


@pytest.mark.parametrize(("typed", "reason"), [
    ("-10%", "phần trăm phải từ 0 đến 100"), ("150%", "phần trăm phải từ 0 đến 100"),
    ("xong 60%", "«xong» nghĩa là đã hoàn thành 100%")])
async def test_impossible_percentages_are_refused_with_the_reason(
        bot: Handlers, db: Database, typed: str, reason: str) -> None:
    lan_id = await contact(db, KHCN, "1001", channel="telegram")
    vii2 = await assignment_of(db, "VII.2", KHCN)
    await _reminder_sent(db, lan_id, [vii2], "m-one")
    assert reason in await Chat(bot, "1001").say(typed, reply_to="m-one")
    assert await answers_of(db, vii2) == 0


@pytest.mark.parametrize("typed", ["xong", "xong rồi", "đã xong", "hoàn thành", "Xong rồi nhé",
                                   "xong 100 %"])
async def test_done_then_a_file_is_kept_as_its_evidence(
        bot: Handlers, db: Database, typed: str) -> None:
    """"rồi" is never a document number: the bot asks for the evidence, and the PDF sent
    next is stored (it was answered "Chưa hiểu" and lost before)."""
    lan_id = await contact(db, KHCN, "1001", channel="telegram")
    vii2 = await assignment_of(db, "VII.2", KHCN)
    await _reminder_sent(db, lan_id, [vii2], "m-one")
    lan = Chat(bot, "1001")
    said = await lan.say(typed, reply_to="m-one")
    assert "chờ Sở Nội vụ xác nhận" in said and "số và ngày văn bản" in said, said
    stored = await last_answer(db, vii2)
    assert stored is not None and stored.status == "cho_xac_nhan" and not stored.evidence
    assert "Đã lưu tệp minh chứng" in await lan.say("", file=PDF)
    kept = await last_answer(db, vii2)
    assert kept is not None and kept.file and kept.file["name"] == "bao-cao.pdf"


@pytest.mark.parametrize(("typed", "document"), [
    ("xong 12/KH-SKHCN", "12/KH-SKHCN"), ("xong số 45/BC-SKHCN ngày 20/9/2023",
                                           "số 45/BC-SKHCN ngày 20/9/2023")])
async def test_a_document_number_after_done_is_stored_as_one(
        bot: Handlers, db: Database, typed: str, document: str) -> None:
    lan_id = await contact(db, KHCN, "1001", channel="telegram")
    vii2 = await assignment_of(db, "VII.2", KHCN)
    await _reminder_sent(db, lan_id, [vii2], "m-one")
    await Chat(bot, "1001").say(typed, reply_to="m-one")
    stored = await last_answer(db, vii2)
    assert stored is not None and stored.evidence == document


@pytest.mark.parametrize(("typed", "day"), [
    ("xin gia hạn đến 30/11", dt.date(2023, 11, 30)), ("gia hạn 15/12/2023", dt.date(2023, 12, 15)),
    ("lùi đến cuối tháng 11", dt.date(2023, 11, 30)), ("giahan 2023-12-01", dt.date(2023, 12, 1))])
async def test_extension_forms(bot: Handlers, db: Database, typed: str, day: dt.date) -> None:
    lan_id = await contact(db, KHCN, "1001", channel="telegram")
    vii2 = await assignment_of(db, "VII.2", KHCN)
    await _reminder_sent(db, lan_id, [vii2], "m-one")
    said = await Chat(bot, "1001").say(typed, reply_to="m-one")
    assert f"đến {day:%d/%m/%Y}" in said, said
    async with db.uow() as uow:
        asked = (await uow.session.execute(select(ExtensionRequest.proposed_date))).scalar_one()
    assert asked == day


@pytest.mark.parametrize(("typed", "until"), [
    ("nhắc lại sau 3 ngày", dt.date(2023, 9, 28)), ("nhac lai sau 1 tuan", dt.date(2023, 10, 2)),
    ("nhắc lại vào thứ 5", dt.date(2023, 9, 28))])
async def test_snooze_forms(bot: Handlers, db: Database, typed: str, until: dt.date) -> None:
    lan_id = await contact(db, KHCN, "1001", channel="telegram")
    v2 = await assignment_of(db, "V.2", KHCN)  # due 31/12/2023: nothing caps the snooze
    await _reminder_sent(db, lan_id, [v2], "m-one")
    said = await Chat(bot, "1001").say(typed, reply_to="m-one")
    assert f"vào {until:%d/%m/%Y}" in said, said
    async with db.uow() as uow:
        snoozed = (await uow.session.execute(select(Assignment.snoozed_until).where(
            Assignment.id == v2))).scalar_one()
    assert snoozed == until


async def test_a_refused_date_is_asked_once_more_then_the_wait_ends(
        bot: Handlers, db: Database) -> None:
    await contact(db, KHCN, "1001", channel="telegram")
    v2 = assignment_code(await assignment_of(db, "V.2", KHCN))
    lan = Chat(bot, "1001")
    assert "Hãy gõ lại ngày" in await lan.say(f"{v2} giahan 01/09/2023")  # before the due date
    ended = await lan.say("hôm qua")
    assert "Bot thôi chờ ngày gia hạn" in ended
    assert "Chưa hiểu tin nhắn này" in await lan.say("cảm ơn")  # no longer read as a date
    # a clear answer while the date is awaited is that answer, not a date
    assert "Hãy gõ lại ngày" in await lan.say(f"{v2} giahan tuần sau")
    assert "Đang thực hiện (30%)" in await lan.say("đang làm 30%")


async def test_the_help_example_for_an_extension_is_accepted_as_typed(
        bot: Handlers, db: Database) -> None:
    """The help's own example (`6u giahan 28/02/2026` for a task due 31/03/2026 was refused):
    every example line of /trogiup, typed as shown, is taken."""
    await contact(db, STP, "1002", channel="telegram")
    lan = Chat(bot, "1002")
    shown = await lan.say("/trogiup")
    examples = re.findall(r"ví dụ: (\S+ .+)$", shown, re.MULTILINE)
    assert len(examples) >= 2, shown
    for example in examples:
        said = await lan.say(example)
        assert "Chưa hiểu" not in said and "không sau hạn" not in said, (example, said)


async def test_a_multi_task_reminder_takes_answers_with_a_code_or_a_ref(
        bot: Handlers, db: Database) -> None:
    hung = await contact(db, TTTT, "1003", channel="telegram")
    vi = [await assignment_of(db, f"VI.{n}", TTTT) for n in (1, 2, 3)]
    await _reminder_sent(db, hung, vi, "m-many")
    chat = Chat(bot, "1003")
    assert "có nhiều nhiệm vụ" in await chat.say("xong", reply_to="m-many")
    assert await answers_of(db, vi[0]) == 0
    await chat.say("VI.1 xong 12/KH-STTTT", reply_to="m-many")
    await chat.say(f"{assignment_code(vi[1])} xong 100 %", reply_to="m-many")
    await chat.say("/boqua")
    await chat.say("VI.3 đang làm 50%", reply_to="m-many")
    first, second, third = [await last_answer(db, a) for a in vi]
    assert first is not None and (first.status, first.evidence) == ("cho_xac_nhan", "12/KH-STTTT")
    assert second is not None and second.status == "cho_xac_nhan" and not second.evidence
    assert third is not None and (third.status, third.percent) == ("dang_thuc_hien", 50)
    captioned = await chat.say(f"{assignment_code(vi[2])} xong 15/QĐ-STTTT", file=PDF)
    assert "văn bản 15/QĐ-STTTT, tệp minh chứng" in captioned
    done = await last_answer(db, vi[2])
    assert done is not None and done.file and done.evidence == "15/QĐ-STTTT"


async def test_a_nudge_carries_the_answer_buttons_and_a_reply_to_it_is_understood(
        bot: Handlers, db: Database) -> None:
    hoa_id = await contact(db, STP, "1004", channel="recording")
    i3 = await assignment_of(db, "I.3", STP)
    snv = Chat(bot, "9001")
    assert "Đã xếp lịch gửi nhắc I.3" in await snv.say(f"/nhac {assignment_code(i3)}")
    channel = RecordingChannel()
    await dispatcher(db, channel, TODAY, [dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)]
                     ).drain()
    [(chat, text)] = channel.sent
    assert chat == "1004" and "Sở Nội vụ nhắc" in text
    labels = [b.label for row in channel.keyboards[0] for b in row]
    assert "Đã hoàn thành" in labels and "Đang thực hiện" in labels
    async with db.uow() as uow:
        provider = (await uow.session.execute(select(OutboxMessage.provider_message_id).where(
            OutboxMessage.contact_id == hoa_id))).scalar_one()
    hoa = Chat(bot, "1004", channel="recording")
    assert "Đang thực hiện (40%)" in await hoa.say("đang làm 40%", reply_to=provider)
    stored = await last_answer(db, i3)
    assert stored is not None and stored.percent == 40


async def test_nothing_is_said_forwarded_when_no_coordinator_will_receive_it(
        bot: Handlers, db: Database) -> None:
    await contact(db, KHCN, "1001", channel="telegram")
    v2 = assignment_code(await assignment_of(db, "V.2", KHCN))
    said = await Chat(bot, "1001").say(f"{v2} vuong chờ kinh phí")
    assert "đã được chuyển cho Sở Nội vụ" not in said
    assert "chưa có cán bộ Sở Nội vụ nào nhận tin qua bot" in said
    await contact(db, None, "9002", role="coordinator", channel="telegram")
    said = await Chat(bot, "1001").say(f"{v2} vuong vẫn chờ kinh phí")
    assert "Lý do đã được chuyển cho Sở Nội vụ" in said
    async with db.uow() as uow:
        assert (await uow.session.execute(select(Contact.id).where(
            Contact.chat_id == "9002"))).scalar_one()


async def test_due_soon_never_calls_a_task_overdue_and_reads_a_group_as_one_line(
        db: Database, example_path: Path, directory: Directory) -> None:
    """On Monday 02/10/2023, VII.2 (due Saturday 30/09, so until the end of Monday) was
    listed under "Sắp đến hạn" as "quá hạn 2 ngày"; I.4 was 35 lines, cut at 60 silently."""
    from bot.types import Incoming

    await load_example(db, example_path, directory)
    monday = Handlers(db, lambda: dt.date(2023, 10, 2), admin_ids={"telegram:9001"})
    [soon] = await monday.handle(Incoming("telegram", "9001", "/sapden", "Sở Nội vụ"))
    assert "quá hạn" not in soon.text
    assert "VII.2" in soon.text and "tính đến hết 02/10/2023" in soon.text
    year_end = Handlers(db, lambda: dt.date(2023, 12, 29), admin_ids={"telegram:9001"})
    [soon] = await year_end.handle(Incoming("telegram", "9001", "/sapden", "Sở Nội vụ"))
    assert len([line for line in soon.text.splitlines() if line.startswith("• I.4 ")]) == 1
    assert "I.4 — 35 cơ quan chưa hoàn thành" in soon.text


@pytest.mark.parametrize("typed", ["/duyet ① dongy", "/duyet 99999999999999999999 dongy",
                                   "/sapden ①", "/sapden 99999999999999999999999"])
async def test_a_malformed_command_is_answered_once(bot: Handlers, typed: str) -> None:
    """"/duyet ① dongy" raised in the handler, so the update was retried without end."""
    said = await Chat(bot, "9001").say(typed)
    assert said and ("gia hạn" in said or "Sắp đến hạn" in said or "đến hạn" in said), said


async def test_wrong_invite_codes_from_many_chats_are_limited_together(
        bot: Handlers, db: Database) -> None:
    """Five wrong codes lock one chat out; a hundred chats guessing at once were not."""
    from bot.enrolling import MAX_FAILURES_ANYWHERE
    from tests.test_conversation import code_for

    for chat in range(MAX_FAILURES_ANYWHERE):
        assert "Mã mời không đúng" in await Chat(bot, f"g{chat}").say("/start sai-ma-mot-lan")
    late = await Chat(bot, "g-late").say(f"/start {await code_for(db, KHCN)}")
    assert "tạm ngừng nhận mã mời" in late
