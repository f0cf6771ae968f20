"""Answers to reminders: status buttons, the text protocol, follow-ups and extension requests.

Every answer is appended to `status_reports`; messages for other people (coordinators told of
a blocker or an extension request, a focal point told of a decision) go through the outbox.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable

from bot import keyboards
from bot.protocol import Answer, parse_answer, usage
from bot.types import Incoming, Reply
from config.redaction import has_token
from plan.deadlines import parse_deadline
from plan.text import fold
from storage import answers, lifecycle, outbox
from storage.answers import Target, Who
from storage.uow import UnitOfWork
from tracking import status as rules
from words.codes import code_to_id
from words.messages import assignment_code
from words.texts import STATUS_LABELS, date_ahead, date_vn, parse_date_vn, shorten

log = logging.getLogger("nhacviec.bot")
FOLLOW_UP = dt.timedelta(days=2)
RETRY = "extension_retry"  # the date prompt's second and last try
_LEADING = ("den ngay", "toi ngay", "den", "toi", "ngay", "la")


def proposed_day(text: str, today: dt.date, due: dt.date | None, plan_year: int | None
                 ) -> dt.date | None:
    """`30/6/2026`, `đến 30/6`, `ngày 2026-06-30`, `cuối tháng 7`, `Quý III/2026`: a day
    written without its year is the next such day after today and after the current due."""
    words = text.strip().split()
    for lead in _LEADING:
        size = len(lead.split())
        if [fold(w) for w in words[:size]] == lead.split() and len(words) > size:
            words = words[size:]
            break
    said = " ".join(words)
    if not said:
        return None
    found = parse_date_vn(said)
    if found is not None:
        return found
    year = plan_year or today.year
    for candidate in (year, year + 1, today.year, today.year + 1):
        day = parse_deadline(said, candidate).due
        if day is None:
            return None
        if re.search(r"\b(19|20)\d\d\b", said) or day > max(today, due or today):
            return day
    return day
DONE, PROGRESS, BLOCKED, EXTENSION = rules.DONE, rules.IN_PROGRESS, rules.BLOCKED, rules.EXTENSION
AWAITING = rules.AWAITING




class Answering:
    def __init__(self, today: Callable[[], dt.date], now: Callable[[], dt.datetime]) -> None:
        self.today, self.now = today, now

    async def allowed(self, uow: UnitOfWork, who: Who, assignment_id: int | None
                      ) -> Target | Reply:
        item = await answers.target(uow.session, assignment_id, lock=True) if assignment_id \
            else None
        if item is None or not item.open:
            return Reply("Không tìm thấy nhiệm vụ này (mã sai hoặc nhiệm vụ đã rút khỏi kế hoạch). "
                         "Gõ /nhiemvu để xem mã các nhiệm vụ của cơ quan.")
        if not who.coordinator and item.agency_id != who.agency_id:
            log.warning("refused: contact %s (%s) tried to answer assignment %s of %s",
                        who.contact_id, who.agency, item.id, item.agency)
            return Reply(f"Nhiệm vụ #{assignment_code(item.id)} không thuộc {who.agency}; "
                         "bạn chỉ cập nhật được nhiệm vụ của cơ quan mình.")
        return item

    async def button(self, uow: UnitOfWork, who: Who, message: Incoming, action: str,
                     number: int) -> list[Reply]:
        found = await self.allowed(uow, who, number)
        if isinstance(found, Reply):
            return [found]
        if action == "d":
            return await self.done(uow, who, message, found, "")
        if action == "m":
            return [Reply(f"{found.ref}: chọn thao tác khác.", keyboards.more_buttons(found.id))]
        if action == "o":  # one assignment of a reminder that listed several
            return [Reply(f"#{assignment_code(found.id)} {found.ref} {shorten(found.content)}\n"
                          f"Hạn: {date_vn(found.due)} · "
                          f"{STATUS_LABELS.get(found.status, found.status)}\nChọn cập nhật:",
                          keyboards.answer_choices(found.id))]
        if action in {"z3", "z7"}:
            return await self.snooze(uow, who, message, found, int(action[1:]))
        if action == "r":
            await answers.wait_for(uow.session, who.contact_id, "refusal", found.id,
                                   self.now() + FOLLOW_UP)
            return [Reply(f"{found.ref}: vì sao nhiệm vụ không thuộc thẩm quyền của "
                          f"{found.agency}? Hãy gõ lý do (sẽ chuyển cho Sở Nội vụ xem xét "
                          "giao lại).")]
        if action == "p":
            return [Reply(f"{found.ref}: đã thực hiện được bao nhiêu?",
                          keyboards.percent_buttons(found.id))]
        if action.startswith("p"):
            return await self.progress(uow, who, message, found, int(action[1:]), None)
        if action == "b":
            await answers.wait_for(uow.session, who.contact_id, "reason", found.id,
                                   self.now() + FOLLOW_UP)
            return [Reply(f"{found.ref}: vướng mắc là gì? Hãy gõ lý do (sẽ được chuyển ngay "
                          "cho Sở Nội vụ).")]
        await answers.wait_for(uow.session, who.contact_id, "extension", found.id,
                               self.now() + FOLLOW_UP)
        ahead = date_ahead(self.today())
        return [Reply(f"{found.ref}: xin gia hạn đến ngày nào? Ví dụ: {ahead:%d/%m/%Y}, "
                      f"cuối tháng {ahead.month}.")]

    async def text_answer(self, uow: UnitOfWork, who: Who, message: Incoming,
                          answer: Answer) -> list[Reply]:
        found = await self.allowed(uow, who, code_to_id(answer.code))
        if isinstance(found, Reply):
            return [found]
        if answer.error:
            return [Reply(answer.error)]
        if answer.action == "done":
            return await self.done(uow, who, message, found, answer.rest)
        if answer.action == "progress":
            return await self.progress(uow, who, message, found, answer.percent,
                                       answer.rest or None)
        if answer.action == "refuse":
            if not answer.rest:
                return await self._ask(uow, who, found, "refusal",
                                       "hãy gõ lý do không thuộc thẩm quyền.")
            return await self.refuse(uow, who, message, found, answer.rest)
        if answer.action == "snooze":
            return await self.snooze(uow, who, message, found, answer.percent or 3)
        if answer.action == "blocked":
            if not answer.rest:
                return await self._ask(uow, who, found, "reason", "hãy gõ lý do vướng mắc.")
            return await self.blocked(uow, who, message, found, answer.rest)
        return await self.extension(uow, who, message, found, answer.rest)

    async def _ask(self, uow: UnitOfWork, who: Who, item: Target, kind: str,
                   question: str) -> list[Reply]:
        """Ask for what the answer lacked; the next message from this chat is taken as it."""
        await answers.wait_for(uow.session, who.contact_id, kind, item.id,
                               self.now() + FOLLOW_UP)
        return [Reply(f"{item.ref}: {question}")]

    async def follow_up(self, uow: UnitOfWork, who: Who, message: Incoming, kind: str,
                        assignment_id: int) -> list[Reply]:
        found = await self.allowed(uow, who, assignment_id)
        if isinstance(found, Reply):
            await answers.stop_waiting(uow.session, who.contact_id)
            return [found]
        if kind == "reason":
            await answers.stop_waiting(uow.session, who.contact_id)
            return await self.blocked(uow, who, message, found, message.text.strip())
        if kind in {"extension", RETRY}:
            other = parse_answer(f"{assignment_code(found.id)} {message.text.strip()}",
                                 self.today())
            if other is not None and other.action != "extension":  # a clear answer: start over
                await answers.stop_waiting(uow.session, who.contact_id)
                return await self.text_answer(uow, who, message, other)
            return await self.extension(uow, who, message, found, message.text.strip(),
                                        retry=kind == RETRY)
        if kind == "refusal":
            await answers.stop_waiting(uow.session, who.contact_id)
            return await self.refuse(uow, who, message, found, message.text.strip())
        file = _file_dict(message)
        await answers.add_to_last(uow.session, found.id, who.contact_id, self.now(), self.today(),
                                  evidence=message.text.strip() or None, file=file,
                                  raw=message.text or None)
        if file:
            await answers.stop_waiting(uow.session, who.contact_id)
            return [Reply(f"Đã lưu tệp minh chứng cho {found.ref}. Cảm ơn!")]
        return [Reply(f"Đã lưu số, ngày văn bản cho {found.ref}. Có thể gửi thêm tệp hoặc ảnh "
                      "minh chứng, hoặc gõ /boqua.")]

    async def done(self, uow: UnitOfWork, who: Who, message: Incoming, item: Target,
                   evidence: str) -> list[Reply]:
        file = _file_dict(message)  # a file captioned "<mã> xong 12/KH-STP" is evidence too
        if item.recurrence is not None and not item.recurrence.dated:
            # "Thường xuyên": work that never ends; a "done" is this period's report, and the
            # duty stays tracked (closing it would end its check-ins for good)
            await answers.record(uow.session, item, who.contact_id, message.channel, PROGRESS,
                                 self.now(), self.today(), note=message.text.strip() or None,
                                 evidence=evidence or None, file=file,
                                 raw=message.text or None)
            return [Reply(f"Đã ghi nhận kết quả {item.ref} (nhiệm vụ thường xuyên, vẫn tiếp tục "
                          "được theo dõi và nhắc cập nhật hằng tháng).")]
        if item.status in (AWAITING, DONE) and not evidence and not file:
            return [Reply(f"{item.ref} đã được báo hoàn thành"
                          f"{', đang chờ Sở Nội vụ xác nhận' if item.status == AWAITING else ''}."
                          " Gửi thêm minh chứng: <mã> xong <số văn bản>.")]
        status = await lifecycle.complete(uow.session, item, who.contact_id, message.channel,
                                          self.now(), self.today(), evidence=evidence or None,
                                          raw=message.text or None,
                                          confirmed_by_coordinator=who.coordinator, file=file)
        said = "Đã hoàn thành"
        if status == AWAITING:
            said = "đã báo hoàn thành, chờ Sở Nội vụ xác nhận"
            code = assignment_code(item.id)
            await outbox.notify_coordinators(
                uow.session, f"confirm:{item.id}:{self.now().timestamp()}",
                f"{item.agency} báo hoàn thành {item.ref} ({who.name or 'đầu mối'})"
                f"{', văn bản ' + evidence if evidence else ''}. Xác nhận: /xacnhan {code} dat"
                f" · Trả lại: /xacnhan {code} tralai <lý do>", self.today(), self.now(),
                about=item.id, stage="confirm")
        if evidence or file:
            kept = ", ".join(part for part in (f"văn bản {evidence}" if evidence else "",
                                               "tệp minh chứng" if file else "") if part)
            return [Reply(f"Đã ghi nhận {item.ref}: {said}, {kept}.")]
        await answers.wait_for(uow.session, who.contact_id, "evidence", item.id,
                               self.now() + FOLLOW_UP)
        return [Reply(f"Đã ghi nhận {item.ref}: {said}. Hãy gửi số và ngày văn bản đã "
                      "ban hành (ví dụ: 15/KH-STP ngày 20/01/2023) và/hoặc tệp, ảnh minh chứng. "
                      "Gõ /boqua nếu chưa có.")]

    async def refuse(self, uow: UnitOfWork, who: Who, message: Incoming, item: Target,
                     reason: str) -> list[Reply]:
        await lifecycle.refuse(uow.session, item, who.contact_id, message.channel, reason,
                               self.now(), self.today(), raw=message.text or None)
        code = assignment_code(item.id)
        told = await outbox.notify_coordinators(
            uow.session, f"refusal:{item.id}:{self.now().timestamp()}",
            f"{item.agency} đề nghị trả lại {item.ref} vì không thuộc thẩm quyền "
            f"({who.name or 'đầu mối'}): {reason}. Giao lại: /giaolai {code} <cơ quan> · "
            f"Giữ nguyên: /giaolai {code} giu", self.today(), self.now(), about=item.id,
            stage="refusal")
        if not told:
            return [Reply(f"Đã ghi nhận đề nghị trả lại {item.ref}. {_forwarded(told, 'Đề nghị')}"
                          " Trong lúc chờ, bot không nhắc nhiệm vụ này.")]
        return [Reply(f"Đã chuyển đề nghị trả lại {item.ref} cho Sở Nội vụ. Trong lúc chờ, "
                      "bot không nhắc nhiệm vụ này.")]

    async def snooze(self, uow: UnitOfWork, who: Who, message: Incoming, item: Target,
                     days: int) -> list[Reply]:
        """The next reminder in `days` days, never after the due date."""
        if not 1 <= days <= 60:
            return [Reply("Số ngày nhắc lại phải từ 1 đến 60, ví dụ: <mã> nhac lai sau 3 ngay.")]
        if item.due is not None and item.due <= self.today():
            return [Reply(f"{item.ref} đã đến hạn {date_vn(item.due)}; không hoãn nhắc được. "
                          "Hãy báo tiến độ hoặc xin gia hạn.")]
        until = self.today() + dt.timedelta(days=days)
        capped = item.due is not None and until > item.due and item.due > self.today()
        if capped:
            until = item.due  # type: ignore[assignment]
        await lifecycle.snooze(uow.session, item, who.contact_id, message.channel, until,
                               self.now(), self.today())
        why = " (ngày đến hạn)" if capped else ""
        return [Reply(f"Được. Bot sẽ nhắc lại {item.ref} vào {date_vn(until)}{why}.")]

    async def progress(self, uow: UnitOfWork, who: Who, message: Incoming, item: Target,
                       percent: int | None, note: str | None) -> list[Reply]:
        await answers.record(uow.session, item, who.contact_id, message.channel, PROGRESS,
                             self.now(), self.today(), percent=percent, note=note,
                             raw=message.text or None)
        done = f" ({percent}%)" if percent is not None else ""
        return [Reply(f"Đã ghi nhận {item.ref}: Đang thực hiện{done}.")]

    async def blocked(self, uow: UnitOfWork, who: Who, message: Incoming, item: Target,
                      reason: str) -> list[Reply]:
        await answers.record(uow.session, item, who.contact_id, message.channel, BLOCKED,
                             self.now(), self.today(), note=reason, raw=message.text or None)
        told = await outbox.notify_coordinators(
            uow.session, f"blocked:{item.id}:{self.now().timestamp()}",
            f"{item.agency} gặp vướng mắc ở {item.ref} ({who.name or 'đầu mối'}): {reason}",
            self.today(), self.now())
        return [Reply(f"Đã ghi nhận {item.ref}: Gặp vướng mắc. " + _forwarded(told, "Lý do"))]

    async def extension(self, uow: UnitOfWork, who: Who, message: Incoming, item: Target,
                        text: str, retry: bool = False) -> list[Reply]:
        """A later due date asked for. A day that cannot be read is asked for once more; a
        second one ends the wait (every later message is no longer read as a date)."""
        proposed = proposed_day(text, self.today(), item.due, item.plan_year)
        ahead = date_ahead(max(self.today(), item.due or self.today()))
        problem = None
        if proposed is None or proposed <= self.today():
            problem = (f"Chưa hiểu ngày «{text}». Hãy gõ một ngày sau hôm nay, ví dụ: "
                       f"{ahead:%d/%m/%Y}, cuối tháng {ahead.month}.")
        elif item.due is not None and proposed <= item.due:
            problem = (f"Ngày đề nghị {date_vn(proposed)} không sau hạn hiện tại "
                       f"{date_vn(item.due)} của {item.ref}: gia hạn phải là một ngày sau "
                       f"{date_vn(item.due)}, ví dụ {ahead:%d/%m/%Y}.")
        if problem is not None:
            if retry:
                await answers.stop_waiting(uow.session, who.contact_id)
                return [Reply(f"{problem} Bot thôi chờ ngày gia hạn; khi cần, gõ: "
                              f"{assignment_code(item.id)} giahan {ahead:%d/%m/%Y}")]
            await answers.wait_for(uow.session, who.contact_id, RETRY, item.id,
                                   self.now() + FOLLOW_UP)
            return [Reply(problem + " Hãy gõ lại ngày.")]
        assert proposed is not None
        await answers.stop_waiting(uow.session, who.contact_id)
        request = await answers.request_extension(uow.session, item, who.contact_id, proposed,
                                                  text, None, self.now())
        await answers.record(uow.session, item, who.contact_id, message.channel, EXTENSION,
                             self.now(), self.today(), note=f"Xin gia hạn đến {date_vn(proposed)}",
                             raw=message.text or None)
        told = await outbox.notify_coordinators(
            uow.session, f"extension:{request}",
            f"{item.agency} xin gia hạn {item.ref} (hạn {date_vn(item.due)}) đến "
            f"{date_vn(proposed)}. Duyệt: /duyet {request} dongy · Không duyệt: "
            f"/duyet {request} khong", self.today(), self.now(), buttons_for=request)
        if not told:
            return [Reply(f"Đã ghi nhận đề nghị gia hạn {item.ref} đến {date_vn(proposed)}. "
                          + _forwarded(told, "Đề nghị"))]
        return [Reply(f"Đã gửi đề nghị gia hạn {item.ref} đến {date_vn(proposed)} cho Sở Nội vụ. "
                      "Bạn sẽ nhận được kết quả duyệt.")]

    async def decide(self, uow: UnitOfWork, who: Who, request_id: int,
                     approve: bool) -> list[Reply]:
        decided = await answers.decide_extension(uow.session, request_id, approve,
                                                 who.contact_id, self.now(), self.today())
        if decided is None:
            return [Reply(f"Đề nghị gia hạn số {request_id} không tồn tại hoặc đã được xử lý.")]
        request, item = decided
        verdict = "ĐÃ DUYỆT" if approve else "KHÔNG DUYỆT"
        note = (f"Sở Nội vụ {verdict} đề nghị gia hạn {item.ref} đến "
                f"{date_vn(request.proposed_date)}."
                + (" Hạn mới đã được cập nhật." if approve else " Hạn giữ nguyên."))
        if request.contact_id:
            await outbox.queue_notice(uow.session, request.contact_id, f"decision:{request.id}",
                                      note, self.today(), self.now())
        return [Reply(f"Đã ghi nhận: {verdict} gia hạn {item.ref} ({item.agency}) đến "
                      f"{date_vn(request.proposed_date)}.")]

    async def reply_note(self, uow: UnitOfWork, who: Who, message: Incoming) -> list[Reply]:
        listed = await answers.reminder_for_message(uow.session, who.contact_id,
                                                    message.reply_to or "")
        if len(listed) != 1:
            code = assignment_code(listed[0]) if listed else None
            return [Reply("Tin nhắc này có nhiều nhiệm vụ; hãy ghi kèm mã, ví dụ: "
                          f"{code} dang 50% đang chờ số liệu.\n"
                          + usage(code, self.today()))] if listed else []
        found = await self.allowed(uow, who, listed[0])
        if isinstance(found, Reply):
            return [found]
        await answers.record(uow.session, found, who.contact_id, message.channel, found.status,
                             self.now(), self.today(), note=message.text.strip(), raw=message.text)
        return [Reply(f"Đã lưu ghi chú tiến độ cho {found.ref} "
                      f"({STATUS_LABELS.get(found.status, found.status)}).")]


def _forwarded(told: int, what: str) -> str:
    """Never say something was forwarded when nobody will receive it."""
    if told:
        return f"{what} đã được chuyển cho Sở Nội vụ."
    return (f"{what} đã được lưu; hiện chưa có cán bộ Sở Nội vụ nào nhận tin qua bot, nên "
            "Sở Nội vụ sẽ thấy trong báo cáo (hãy báo trực tiếp nếu cần gấp).")


def _file_dict(message: Incoming) -> dict[str, object] | None:
    if message.file is None:
        return None
    f = message.file
    # a Bot API that answers with an absolute file path puts the bot token in the URL: the
    # file id is enough to fetch it again, the token is never stored
    url = None if f.url and has_token(f.url) else f.url
    return {"kind": f.kind, "file_id": f.file_id, "name": f.name, "size": f.size, "url": url}
