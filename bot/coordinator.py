"""Coordinator (Sở Nội vụ) commands: summaries, overdue and soon-due lists, details, decisions."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

from bot.types import Attachment, Reply
from reports import build, figures
from reports.progress import section_progress
from reports.rows import local_time
from reports.state import CATEGORIES, CATEGORY_LABELS, Scope, scope
from storage import answers, outbox, queries
from storage.uow import UnitOfWork, default_calendar
from tracking.calendar import WorkCalendar
from tracking.status import DUE_SOON_WORKING_DAYS, Day, deadline
from words.codes import code_to_id
from words.messages import assignment_code
from words.texts import ROLE_LABELS, STATUS_LABELS, date_vn, days_phrase, parse_date_vn, shorten


class Coordinator:
    def __init__(self, today: Callable[[], dt.date], now: Callable[[], dt.datetime],
                 zone: dt.tzinfo, calendar: WorkCalendar | None = None,
                 due_soon_days: int = DUE_SOON_WORKING_DAYS) -> None:
        self.today, self.now, self.zone = today, now, zone
        self.calendar, self.due_soon_days = calendar, due_soon_days

    def _scope(self, argument: str) -> Scope | Reply:
        """`/xuatbaocao` = today; `/xuatbaocao 31/03/2023` = as of that day."""
        text = argument.strip()
        if not text:
            return scope(self.today(), None, self.zone, calendar=self._calendar(),
                         soon_days=self.due_soon_days)
        day = parse_date_vn(text)  # dd/mm/yyyy, or YYYY-MM-DD as the CLI also takes
        if day is None:
            return Reply(f"Ngày «{text}» không đúng dạng dd/mm/yyyy, ví dụ: /xuatbaocao "
                         f"{self.today():%d/%m/%Y}")
        if day > self.today():
            return Reply("Chưa có số liệu của ngày trong tương lai.")
        return scope(self.today(), day, self.zone, calendar=self._calendar(),
                     soon_days=self.due_soon_days)

    def _day(self, soon_days: int | None = None) -> Day:
        return Day.of(self.today(), self._calendar(), self.due_soon_days
                      if soon_days is None else soon_days)

    def _calendar(self) -> WorkCalendar:
        """The reminders' working-day calendar, so "quá hạn" means the same everywhere."""
        if self.calendar is None:
            self.calendar = default_calendar()
        return self.calendar

    async def export(self, uow: UnitOfWork, argument: str) -> list[Reply]:
        s = self._scope(argument)
        if isinstance(s, Reply):
            return [s]
        with tempfile.TemporaryDirectory(prefix="nhacviec-") as folder:
            data = await build.workbook_bytes(uow.session, s, self.zone, Path(folder))
        return [Reply(f"Báo cáo tiến độ tính đến hết ngày {date_vn(s.day)} (Tổng hợp, Tiến độ, "
                      "Chi tiết nhiệm vụ, Theo cơ quan, Xếp hạng cơ quan, Lịch sử).",
                      attachment=Attachment(f"bao-cao-cchc-{s.day.isoformat()}.xlsx", data))]

    async def chart(self, uow: UnitOfWork, argument: str) -> list[Reply]:
        s = self._scope(argument)
        if isinstance(s, Reply):
            return [s]
        png = await build.picture(uow.session, s)
        return [Reply(f"Biểu đồ tiến độ tính đến hết ngày {date_vn(s.day)}.",
                      attachment=Attachment(f"bieu-do-{s.day.isoformat()}.png", png, "photo"))]

    async def summary(self, uow: UnitOfWork, argument: str) -> list[Reply]:
        """The same figures as the report (reports.figures), in a few chat lines."""
        s = self._scope(argument)
        if isinstance(s, Reply):
            return [s]
        found = (await figures.compute(uow.session, s)).summary
        lines = [f"Tổng hợp đến hết ngày {date_vn(s.day)}: {found.total} phân công chủ trì"]
        lines += [f"• {CATEGORY_LABELS[key]}: {found.counts[key]}" for key in CATEGORIES
                  if found.counts.get(key)]
        lines += [f"  trong đó {STATUS_LABELS[key].lower()}: {n}"
                  for key, n in sorted(found.statuses.items()) if n]
        lines.append("Theo mục (nhiệm vụ xong hết / số nhiệm vụ · phân công xong / số phân "
                     "công):")
        for row in await section_progress(uow.session, s):
            lines.append(f"• {shorten(row.label, 60)}: {row.tasks_done}/{row.tasks} nhiệm vụ"
                         f" · {row.assignments_done}/{row.assignments} phân công")
        lines.append(f"Chưa báo cáo lần nào: {found.never_answered} phân công · chưa có đầu "
                     f"mối: {len(found.no_contact)} cơ quan. Chi tiết: /xuatbaocao, /bieudo")
        return [Reply("\n".join(lines))]

    async def overdue(self, uow: UnitOfWork, _argument: str) -> list[Reply]:
        """One line per task (a task led by 102 communes is one line), then the agencies
        most behind; cut lists say how many they leave out."""
        data = await outbox.digest_data(uow.session, self._day(), limit=15)
        if not data.overdue_by_task:
            return [Reply("Không có nhiệm vụ quá hạn.")]
        lines = [f"Quá hạn chưa hoàn thành: {data.overdue_tasks} nhiệm vụ, "
                 f"{data.overdue_agencies} cơ quan."]
        lines += [f"• {ref} {shorten(content, 60)}: {n} cơ quan quá hạn"
                  for ref, content, n in data.overdue_by_task]
        if data.overdue_tasks > len(data.overdue_by_task):
            lines.append(f"… và {data.overdue_tasks - len(data.overdue_by_task)} nhiệm vụ khác")
        lines.append("Cơ quan nhiều việc quá hạn nhất:")
        lines += [f"• {name}: {count}" for name, count in data.overdue_by_agency]
        if data.overdue_agencies > len(data.overdue_by_agency):
            lines.append(f"… và {data.overdue_agencies - len(data.overdue_by_agency)} cơ quan "
                         "khác")
        lines.append("Từng cơ quan của một nhiệm vụ: /chitiet <số nhiệm vụ>, ví dụ /chitiet "
                     f"{data.overdue_by_task[0][0]}")
        return [Reply("\n".join(lines))]

    async def soon(self, uow: UnitOfWork, argument: str) -> list[Reply]:
        """Due soon = `tracking.status` DUE_SOON: up to N working days left (default 3)."""
        typed = argument.strip()
        days = int(typed) if typed.isascii() and typed.isdigit() and int(typed) <= 60 \
            else self.due_soon_days
        today, day = self.today(), self._day(days)
        rows = await queries.due_between(uow.session, day.last_passed + dt.timedelta(days=1),
                                         day.soon_until, limit=20_000)  # grouped by task below
        if not rows:
            return [Reply(f"Không có nhiệm vụ nào đến hạn trong {days} ngày làm việc tới.")]
        lines = [f"Sắp đến hạn (trong {days} ngày làm việc tới, đến {date_vn(day.soon_until)}):"]
        by_task: dict[tuple[str, dt.date], list[tuple[str, str, int]]] = {}
        for ref, agency, due, status, aid in rows:
            by_task.setdefault((ref, due), []).append((agency, status, aid))
        calendar = self._calendar()
        for (ref, due), group in by_task.items():  # a task led by 35 agencies is one line
            when = days_phrase(due, today, legal=deadline(due, calendar))
            if len(group) == 1:
                agency, status, aid = group[0]
                lines.append(f"• #{assignment_code(aid)} {ref} — {agency}: hạn {date_vn(due)} "
                             f"({when}), {STATUS_LABELS.get(status, status)}")
            else:
                lines.append(f"• {ref} — {len(group)} cơ quan chưa hoàn thành: hạn "
                             f"{date_vn(due)} ({when}). Từng cơ quan: /chitiet {ref}")
        return [Reply("\n".join(lines))]

    async def unanswered(self, uow: UnitOfWork, _argument: str) -> list[Reply]:
        total, by_agency = await queries.never_answered(uow.session, self._day().last_passed)
        data = await outbox.digest_data(uow.session, self._day(), limit=30)
        no_contact, rest = data.without_contact, data.without_contact_total - len(
            data.without_contact)
        lines = [f"Phân công đã đến hạn mà chưa có báo cáo nào: {total}"]
        lines += [f"• {line}" for line in by_agency]
        lines.append("Cơ quan chủ trì chưa có đầu mối: "
                     + (", ".join(no_contact) if no_contact else "không có")
                     + (f" và {rest} cơ quan khác" if rest > 0 else ""))
        return [Reply("\n".join(lines))]

    async def detail(self, uow: UnitOfWork, argument: str) -> list[Reply]:
        key = argument.strip().lstrip("#")
        ref = key
        if key and "." not in key:
            number = code_to_id(key)
            found = await answers.target(uow.session, number) if number else None
            ref = found.ref if found else key
        rows = await queries.task_detail(uow.session, ref)
        if not rows:
            return [Reply("Hãy ghi mã hoặc số hiệu nhiệm vụ, ví dụ: /chitiet VII.2")]
        lines = [f"{rows[0][1]} — {shorten(rows[0][2], 160)}"]
        for assignment_id, _, _, agency, role, due, status in rows[:40]:
            lines.append(f"• #{assignment_code(assignment_id)} {agency} ({ROLE_LABELS[role]}): "
                         f"{STATUS_LABELS.get(status, status)}, hạn {date_vn(due)}")
            for at, st, percent, note, evidence, name in await answers.history(
                    uow.session, assignment_id, limit=3):
                extra = "; ".join(x for x in (f"{percent}%" if percent is not None else "",
                                              note or "", evidence or "") if x)
                when = local_time(at, self.zone)  # the local day, not UTC's
                lines.append(f"    {when:%d/%m/%Y %H:%M} {STATUS_LABELS.get(st, st)}"
                             f"{' — ' + extra if extra else ''}{' (' + name + ')' if name else ''}")
        return [Reply("\n".join(lines))]

    async def pending(self, uow: UnitOfWork) -> list[Reply]:
        rows = await answers.pending_extensions(uow.session)
        if not rows:
            return [Reply("Không có đề nghị gia hạn nào đang chờ duyệt.")]
        lines = ["Đề nghị gia hạn chờ duyệt (trả lời /duyet <số> dongy hoặc /duyet <số> khong):"]
        lines += [f"• Số {rid}: {agency} — {ref} đến {date_vn(date)} (hạn hiện tại "
                  f"{date_vn(current)}){' — ' + reason if reason else ''}"
                  for rid, agency, ref, date, reason, current in rows]
        return [Reply("\n".join(lines))]

    async def remind_now(self, uow: UnitOfWork, argument: str) -> list[Reply]:
        item = await answers.target(uow.session, code_to_id(argument.strip().lstrip("#")) or 0)
        if item is None or not item.open:
            return [Reply("Hãy ghi mã nhiệm vụ, ví dụ: /nhac a7")]
        contacts = await queries.focal_contacts(uow.session, item.agency_id)
        note = (f"Sở Nội vụ nhắc: #{assignment_code(item.id)} {item.ref} — "
                f"{shorten(item.content, 110)}; hạn {date_vn(item.due)} "
                f"({days_phrase(item.due, self.today()) or 'chưa có ngày cố định'}).")
        for contact in contacts:
            await outbox.queue_notice(uow.session, contact, f"manual:{item.id}:{self.now()}",
                                      note, self.today(), self.now(), about=item.id,
                                      stage="nudge")
        if not contacts:
            return [Reply(f"{item.agency} chưa có đầu mối nhận nhắc việc.")]
        return [Reply(f"Đã xếp lịch gửi nhắc {item.ref} cho {len(contacts)} đầu mối của "
                      f"{item.agency}.")]
