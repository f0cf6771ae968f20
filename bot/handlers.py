"""The conversation router: who is writing, what they mean, what they may do.

Channel-agnostic: adapters turn their wire format into `Incoming` and send back the `Reply`s.
Each incoming message is one transaction; anything that fails leaves nothing half-stored.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import zoneinfo
from collections.abc import Awaitable, Callable, Collection
from dataclasses import replace

from bot import keyboards, metrics
from bot.answering import Answering
from bot.coordinator import Coordinator
from bot.deciding import Deciding
from bot.enrolling import Enrolling
from bot.protocol import MAX_TEXT, Answer, parse_answer, usage
from bot.types import Fetch, Incoming, Reply
from bot.uploading import Prepared, Uploading, drop_number
from ingest.bounded import DEFAULT_LIMITS, Limits
from plan.names import match_name
from plan.text import fold
from storage import answers, queries
from storage.answers import Who
from storage.contacts import add_contact
from storage.uow import Database, UnitOfWork
from tracking.calendar import WorkCalendar
from words import texts
from words.messages import assignment_code

log = logging.getLogger("nhacviec.bot")
NOT_REGISTERED = ("Bạn chưa được đăng ký nhận nhắc việc. Hãy xin Sở Nội vụ mã mời rồi gửi "
                  "/start <mã>.")
COORDINATOR_ONLY = "Lệnh này dành cho cán bộ Sở Nội vụ."
VIETNAM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
DueToday = Callable[[UnitOfWork, dt.date], Awaitable[dict[int, str]]]
BeforeCommit = Callable[[UnitOfWork, list[Reply]], Awaitable[None]]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Handlers:
    def __init__(self, db: Database, today: Callable[[], dt.date],
                 now: Callable[[], dt.datetime] = _utc_now, admin_ids: Collection[str] = (),
                 bot_username: Callable[[], str | None] = lambda: None,
                 due_today: DueToday | None = None,
                 zone: dt.tzinfo = VIETNAM, calendar: WorkCalendar | None = None,
                 directory: str | None = None, parse_limits: Limits = DEFAULT_LIMITS) -> None:
        self.db, self.today, self.now, self.admin_ids = db, today, now, set(admin_ids)
        self.due_today = due_today
        self.answering = Answering(today, now)
        self.deciding = Deciding(today, now)
        self.coordinator = Coordinator(today, now, zone, calendar, db.due_soon_days)
        self.enrolling = Enrolling(now, bot_username)
        self.uploading = Uploading(db, today, now, directory, limits=parse_limits)

    async def handle(self, message: Incoming, before_commit: BeforeCommit | None = None,
                     fetch: Fetch | None = None) -> list[Reply]:
        """One message, one transaction; `before_commit` joins it (the inbox marks the
        update handled there, so an update is never handled twice). `fetch` downloads a
        file the user sent; a plan file is fetched and read before the transaction opens."""
        if "\x00" in message.text or "\x00" in message.sender_name:  # PostgreSQL refuses NUL
            message = replace(message, text=message.text.replace("\x00", ""),
                              sender_name=message.sender_name.replace("\x00", ""))
        done = metrics.timer(message.channel)
        upload = (await self.uploading.prepare(message, fetch, self._admin(message))
                  if len(message.text) <= MAX_TEXT and self.uploading.wants(message) else None)
        async with self.db.uow() as uow:
            if len(message.text) > MAX_TEXT:
                replies = [Reply(texts.TOO_LONG.format(limit=MAX_TEXT))]
            elif upload is not None:
                replies = await self._upload(uow, message, upload)
            elif not message.text and message.file is None and message.button is None:
                replies = [Reply(texts.UNSUPPORTED_MESSAGE)]
            else:
                replies = await self._route(uow, message)
            if before_commit is not None:
                await before_commit(uow, replies)
            await uow.commit()
        done()
        return replies

    async def _route(self, uow: UnitOfWork, message: Incoming) -> list[Reply]:
        text = message.text.strip()
        command, _, argument = text.partition(" ") if text.startswith("/") else ("", "", "")
        command = fold(command.split("@", 1)[0])
        argument = argument.strip()
        who = await answers.who(uow.session, message.channel, message.chat_id)
        if command == "/start" and argument:
            joined = await self.enrolling.start(uow, message, argument)
            if isinstance(joined, Reply):
                return [joined]
            who = await answers.who(uow.session, message.channel, message.chat_id)
            assert who is not None
            return await self._welcome(uow, who)
        if who is None:
            who = await self._bootstrap_admin(uow, message)
        if who is None:
            log.warning("refused: unregistered %s:%s", message.channel, message.chat_id)
            return [Reply(NOT_REGISTERED)]
        if message.button is not None:
            return await self._button(uow, who, message)
        if command:
            return await self._command(uow, who, message, command, argument)
        answer = parse_answer(await self._ref_to_code(uow, who, text), self.today())
        if answer is None and message.reply_to and text:
            answer = await self._reply_answer(uow, who, message)
        if answer is not None:  # an explicit answer always wins over a pending question
            if who.waiting_kind is not None:
                await answers.stop_waiting(uow.session, who.contact_id)
            return await self.answering.text_answer(uow, who, message, answer)
        waiting = who.waiting(self.now())
        if waiting is not None and waiting[0] == "return" and who.coordinator and text:
            return await self.deciding.follow_up_return(uow, who, waiting[1], text)
        if waiting is not None:
            return await self.answering.follow_up(uow, who, message, *waiting)
        if message.reply_to and text:
            found = await self.answering.reply_note(uow, who, message)
            if found:
                return found
        return [Reply("Chưa hiểu tin nhắn này.\n" + await self._usage(uow, who)
                      + "\nGõ /trogiup để xem các lệnh.")]

    async def _upload(self, uow: UnitOfWork, message: Incoming, upload: Prepared
                      ) -> list[Reply]:
        who = (await answers.who(uow.session, message.channel, message.chat_id)
               or await self._bootstrap_admin(uow, message))
        if who is None:  # unlinked since `prepare` looked
            return [Reply(NOT_REGISTERED)]
        return await self.uploading.finish(uow, who, upload)

    async def _ref_to_code(self, uow: UnitOfWork, who: Who, text: str) -> str:
        """`I.1 xong` → `<mã> xong` when I.1 is one open assignment of the sender's agency."""
        first, _, rest = text.strip().partition(" ")
        if who.agency_id is None or not _REF.match(first.rstrip(".:")) or not rest:
            return text
        ref = first.rstrip(".:").upper()
        rows = [r for r in await queries.open_assignments(uow.session, who.agency_id)
                if r.ref.upper() == ref]
        return f"{assignment_code(rows[0].id)} {rest}" if len(rows) == 1 else text

    async def _reply_answer(self, uow: UnitOfWork, who: Who, message: Incoming) -> Answer | None:
        """A bare `xong` / `70%` replying to a reminder that lists one assignment."""
        listed = await answers.reminder_for_message(uow.session, who.contact_id,
                                                    message.reply_to or "")
        if len(listed) != 1:
            return None
        text = (message.text or "").strip()
        if _PERCENT_ONLY.match(text):
            text = f"dang {text}"
        return parse_answer(f"{assignment_code(listed[0])} {text}", self.today())

    def _admin(self, message: Incoming) -> bool:
        return f"{message.channel}:{message.chat_id}" in self.admin_ids

    async def _bootstrap_admin(self, uow: UnitOfWork, message: Incoming) -> Who | None:
        if not self._admin(message):
            return None
        await add_contact(uow.session, None, message.channel, message.chat_id,
                          message.sender_name or "Quản trị", "coordinator", self.now())
        return await answers.who(uow.session, message.channel, message.chat_id)

    async def _button(self, uow: UnitOfWork, who: Who, message: Incoming) -> list[Reply]:
        dropping = drop_number(message.button or "")
        if dropping is not None:
            if not who.coordinator:
                return [Reply(COORDINATOR_ONLY)]
            return [await self.uploading.drop(uow, who, dropping) or Reply(texts.UPLOAD_NONE)]
        parsed = keyboards.parse(message.button or "")
        if parsed is None:
            return [Reply("Nút này không còn hiệu lực.")]
        action, number = parsed
        if action in keyboards.COORDINATOR_ACTIONS:
            if not who.coordinator:
                log.warning("refused: contact %s pressed a decision button", who.contact_id)
                return [Reply(COORDINATOR_ONLY)]
            if action in {"ca", "cr"}:
                return await self.deciding.confirm(uow, who, assignment_code(number),
                                                   action == "ca", "")
            if action == "rk":
                return await self.deciding.reassign(uow, who, assignment_code(number), "giu")
            return await self.answering.decide(uow, who, number, action == "xa")
        return await self.answering.button(uow, who, message, action, number)

    async def _command(self, uow: UnitOfWork, who: Who, message: Incoming, command: str,
                       argument: str) -> list[Reply]:
        everyone = {"/start": self._help, "/trogiup": self._help, "/help": self._help,
                    "/nhiemvu": self._tasks, "/kehoach": self._plans, "/coquan": self._agency}
        if command in everyone:
            return await everyone[command](uow, who, argument)
        if command == "/huy":  # a coordinator's waiting plan file first, else unlink
            number = int(argument) if argument.isascii() and argument.isdigit() else None
            dropped = await self.uploading.drop(uow, who, number) if who.coordinator else None
            return [dropped or await self.enrolling.leave(uow, who)]
        if command == "/vangmat":
            return [await self.enrolling.away(uow, who, argument, self.today())]
        if command == "/boqua":
            await answers.stop_waiting(uow.session, who.contact_id)
            return [Reply("Được. Bạn có thể gửi minh chứng sau bằng: <mã> xong <số văn bản>.")]
        if not who.coordinator:
            log.warning("refused: contact %s (%s) used %s", who.contact_id, who.agency, command)
            return [Reply(COORDINATOR_ONLY if command in _COORDINATOR_COMMANDS
                          else "Không có lệnh này. Gõ /trogiup để xem các lệnh.")]
        return await self._coordinator(uow, who, command, argument)

    async def _coordinator(self, uow: UnitOfWork, who: Who, command: str,
                           argument: str) -> list[Reply]:
        c = self.coordinator
        simple = {"/tonghop": c.summary, "/quahan": c.overdue, "/sapden": c.soon,
                  "/chuabaocao": c.unanswered, "/chitiet": c.detail, "/nhac": c.remind_now,
                  "/xuatbaocao": c.export, "/bieudo": c.chart}
        if command in simple:
            return await simple[command](uow, argument)
        d = self.deciding
        decisions = {"/xacnhan": d.confirm_command, "/giaolai": d.reassign_command,
                     "/tamdung": d.pause_command, "/tieptuc": d.resume_command}
        if command in decisions:
            return await decisions[command](uow, who, argument)
        if command == "/moi":
            return [await self.enrolling.invite(uow, who, argument)]
        if command == "/duyet":
            words = argument.split()
            if len(words) == 2 and words[0].isascii() and words[0].isdigit() \
                    and int(words[0]) < 2**31:  # "①" is a digit to str.isdigit, not to int
                approve = fold(words[1]) in {"dongy", "ok", "duyet", "co", "dong y"}
                return await self.answering.decide(uow, who, int(words[0]), approve)
            return await c.pending(uow)
        return [Reply("Không có lệnh này. Gõ /trogiup để xem các lệnh.")]

    async def _help(self, uow: UnitOfWork, who: Who, _argument: str) -> list[Reply]:
        text = texts.HELP + ("\n" + texts.HELP_COORDINATOR if who.coordinator else "")
        return [Reply(text + "\n" + await self._usage(uow, who))]

    async def _usage(self, uow: UnitOfWork, who: Who) -> str:
        """The text protocol's help with one of the reader's own open codes as the example."""
        rows = (await queries.open_assignments(uow.session, who.agency_id)
                if who.agency_id is not None else [])
        if not rows:
            return usage(None, self.today())
        # the extension example is a day after that assignment's own due date
        return usage(assignment_code(rows[0].id), max(self.today(), rows[0].due or self.today()))

    async def _plans(self, uow: UnitOfWork, _who: Who, _argument: str) -> list[Reply]:
        rows = await queries.plans(uow.session)
        if not rows:
            return [Reply(texts.NO_PLANS)]
        lines = ["Các kế hoạch:"] + [
            f"• {r.code} ({texts.date_vn(r.issued_on)}) — {r.title or ''}: {r.tasks} nhiệm vụ, "
            f"{r.assignments} phân công, {'đang theo dõi' if r.active else 'đã tắt'}" for r in rows]
        return [Reply("\n".join(lines))]

    async def _tasks(self, uow: UnitOfWork, who: Who, argument: str) -> list[Reply]:
        if not who.coordinator or not argument:
            if who.agency_id is None:
                return [Reply(texts.ASK_AGENCY)]
            return [await self._agency_tasks(uow, who.agency_id, who.agency or "")]
        match = match_name(argument, await queries.agency_entries(uow.session))
        if match.found is None:
            hint = f" {match.question()}" if match.candidates else f" Thử /coquan {argument}"
            return [Reply(f"Không tìm thấy cơ quan «{argument}».{hint}")]
        from storage.contacts import find_agency

        return [await self._agency_tasks(uow, await find_agency(uow.session, match.found),
                                         match.found)]

    async def _agency_tasks(self, uow: UnitOfWork, agency_id: int, agency: str,
                            due_today: dict[int, str] | None = None) -> Reply:
        rows = await queries.open_assignments(uow.session, agency_id)
        if not rows:
            return Reply(f"{agency}: không có nhiệm vụ chủ trì nào đang mở.")
        today = self.today()
        lines = [f"{agency} — {len(rows)} nhiệm vụ chủ trì chưa hoàn thành:"]
        for row in rows:
            left = texts.days_phrase(row.due, today)
            flag = f" ⏰ hôm nay: {due_today[row.id]}" if due_today and row.id in due_today else ""
            lines.append(f"• #{assignment_code(row.id)} {row.ref} {texts.shorten(row.content)}\n"
                         f"  Sản phẩm: {row.product or '—'} · Hạn: {texts.date_vn(row.due)}"
                         f"{' (' + left + ')' if left else ''} · "
                         f"{texts.STATUS_LABELS.get(row.status, row.status)}{flag}")
        buttons = keyboards.reminder_buttons(
            [(row.id, assignment_code(row.id), row.ref, row.content) for row in rows[:8]])
        return Reply("\n".join(lines), buttons)

    async def _welcome(self, uow: UnitOfWork, who: Who) -> list[Reply]:
        if who.coordinator:
            return [Reply(f"Chào {who.name or 'anh/chị'}! Bạn đã được liên kết làm cán bộ điều "
                          "phối (Sở Nội vụ).\n" + texts.HELP_COORDINATOR)]
        due = await self.due_today(uow, self.today()) if self.due_today else {}
        tasks = await self._agency_tasks(uow, who.agency_id or 0, who.agency or "", due)
        hello = (f"Chào {who.name or 'anh/chị'}! Bạn đã được liên kết làm đầu mối của "
                 f"{who.agency}. Bot sẽ nhắc các nhiệm vụ do cơ quan chủ trì.\n\n")
        return [Reply(hello + tasks.text + "\n\n" + await self._usage(uow, who), tasks.buttons)]

    async def _agency(self, uow: UnitOfWork, _who: Who, argument: str) -> list[Reply]:
        if not argument:
            return [Reply("Hãy ghi tên cần tìm, ví dụ: /coquan tư pháp")]
        matches = await self._agency_matches(uow, argument)
        if not matches:
            return [Reply(f"Không có cơ quan nào gần với «{argument}».")]
        if len(matches) > 1:
            return [Reply(f"«{argument}» có thể là:\n" + "\n".join(f"• {n}" for n in matches))]
        return [Reply("Cơ quan phù hợp:\n" + "\n".join(f"• {name}" for name in matches))]

    async def _agency_matches(self, uow: UnitOfWork, text: str) -> list[str]:
        match = match_name(text, await queries.agency_entries(uow.session))
        return [match.found] if match.found else list(match.candidates)


_REF = re.compile(r"^(?:[A-HĐ]\.)?[IVXLC]+(?:\.\d{1,3}[a-z]?)+$", re.IGNORECASE)
_PERCENT_ONLY = re.compile(r"^[-−–]?\d{1,4}\s*%$")
_COORDINATOR_COMMANDS = {"/tonghop", "/quahan", "/sapden", "/chuabaocao", "/chitiet", "/duyet",
                         "/nhac", "/moi", "/xuatbaocao", "/bieudo", "/xacnhan", "/giaolai",
                         "/tamdung", "/tieptuc"}
