"""What the coordinators decide about an assignment: confirm or return a completion, keep or
reassign a refused one, pause and resume. Buttons on Telegram, commands everywhere:

    /xacnhan                         completions waiting, refusals waiting
    /xacnhan <mã> dat                confirm · /xacnhan <mã> tralai <lý do>  return
    /giaolai <mã> <cơ quan>          reassign · /giaolai <mã> giu  keep
    /tamdung <mã|số hiệu> [dd/mm/yyyy] [lý do]   · /tieptuc <mã|số hiệu>
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from bot.types import Reply
from plan.text import fold
from storage import answers, lifecycle, outbox, queries
from storage.answers import Target, Who
from storage.contacts import ContactError, find_agency
from storage.uow import UnitOfWork
from tracking import status as rules
from words.codes import code_to_id
from words.messages import assignment_code
from words.texts import STATUS_LABELS, date_vn, parse_date_vn

FOLLOW_UP = dt.timedelta(days=2)
_YES = {"dat", "dong y", "dongy", "ok", "xac nhan", "xacnhan", "co"}
_BACK = {"tralai", "tra lai", "khong dat", "khongdat"}
_DATE = re.compile(r"^(?:den\s+(?:ngay\s+)?)?(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})\b")


class Deciding:
    def __init__(self, today: Callable[[], dt.date], now: Callable[[], dt.datetime]) -> None:
        self.today, self.now = today, now

    async def _target(self, uow: UnitOfWork, code: str) -> Target | Reply:
        number = code_to_id(code.lstrip("#"))
        item = await answers.target(uow.session, number, lock=True) if number else None
        if item is None or not item.open:
            return Reply(f"Không tìm thấy nhiệm vụ có mã «{code}». Mã in trong tin nhắn, "
                         "dạng #a7; xem bằng /chitiet <số hiệu>.")
        return item

    async def waiting(self, uow: UnitOfWork) -> list[Reply]:
        rows = await lifecycle.waiting_for_coordinators(uow.session)
        if not rows:
            return [Reply("Không có báo hoàn thành hay đề nghị trả lại nào đang chờ xử lý.")]
        lines = ["Đang chờ Sở Nội vụ xử lý:"]
        for assignment_id, status, agency, ref, day, said in rows[:40]:
            code = assignment_code(assignment_id)
            what = "báo hoàn thành" if status == rules.AWAITING else "đề nghị trả lại"
            how = (f"/xacnhan {code} dat · /xacnhan {code} tralai <lý do>"
                   if status == rules.AWAITING else f"/giaolai {code} <cơ quan> · "
                   f"/giaolai {code} giu")
            lines.append(f"• #{code} {ref} — {agency} {what} ngày {date_vn(day)}"
                         f"{': ' + said if said else ''}\n  {how}")
        return [Reply("\n".join(lines))]

    async def confirm_command(self, uow: UnitOfWork, who: Who, argument: str) -> list[Reply]:
        words = argument.split(maxsplit=2)
        if not words:
            return await self.waiting(uow)
        verdict = fold(" ".join(words[1:2]))
        if len(words) < 2 or verdict not in _YES | _BACK:
            return [Reply("Cách dùng: /xacnhan <mã> dat — hoặc /xacnhan <mã> tralai <lý do>")]
        if verdict in _YES:
            return await self.confirm(uow, who, words[0], True, "")
        return await self.confirm(uow, who, words[0], False, words[2] if len(words) > 2 else "")

    async def confirm(self, uow: UnitOfWork, who: Who, code: str, ok: bool,
                      reason: str) -> list[Reply]:
        item = await self._target(uow, code)
        if isinstance(item, Reply):
            return [item]
        if item.status != rules.AWAITING:
            return [Reply(f"{item.ref} ({item.agency}) không có báo hoàn thành nào chờ xác "
                          f"nhận (tình trạng: {STATUS_LABELS.get(item.status, item.status)}).")]
        if not ok and not reason:
            await answers.wait_for(uow.session, who.contact_id, "return", item.id,
                                   self.now() + FOLLOW_UP)
            return [Reply(f"{item.ref}: vì sao trả lại? Hãy gõ lý do (sẽ gửi cho "
                          f"{item.agency}).")]
        if ok:
            await lifecycle.confirm(uow.session, item, who.contact_id, self.now(), self.today())
            told = (f"Sở Nội vụ đã xác nhận hoàn thành {item.ref} (báo ngày "
                    f"{date_vn(item.done_on)}). Cảm ơn!")
            said = f"Đã xác nhận hoàn thành {item.ref} ({item.agency})."
        else:
            await lifecycle.send_back(uow.session, item, who.contact_id, reason, self.now(),
                                      self.today())
            told = (f"Sở Nội vụ trả lại {item.ref} để hoàn thiện: {reason}. Khi xong, gõ "
                    f"{assignment_code(item.id)} xong <số văn bản>.")
            said = f"Đã trả lại {item.ref} cho {item.agency}: {reason}."
        await self._tell_agency(uow, item, f"confirm:{item.id}:{self.now().timestamp()}", told)
        return [Reply(said)]

    async def follow_up_return(self, uow: UnitOfWork, who: Who, assignment_id: int,
                               reason: str) -> list[Reply]:
        await answers.stop_waiting(uow.session, who.contact_id)
        return await self.confirm(uow, who, assignment_code(assignment_id), False, reason)

    async def reassign_command(self, uow: UnitOfWork, who: Who, argument: str) -> list[Reply]:
        code, _, rest = argument.strip().partition(" ")
        rest = rest.strip()
        if not code or not rest:
            return [Reply("Cách dùng: /giaolai <mã> <tên cơ quan> — hoặc /giaolai <mã> giu "
                          "để giữ nguyên.")]
        return await self.reassign(uow, who, code, rest)

    async def reassign(self, uow: UnitOfWork, who: Who, code: str, to: str) -> list[Reply]:
        item = await self._target(uow, code)
        if isinstance(item, Reply):
            return [item]
        if fold(to) in {"giu", "giu nguyen"}:
            if item.status != rules.REFUSED:
                return [Reply(f"{item.ref} không có đề nghị trả lại nào đang chờ.")]
            await lifecycle.keep(uow.session, item, who.contact_id, self.now(), self.today())
            await self._tell_agency(uow, item, f"keep:{item.id}:{self.now().timestamp()}",
                                    f"Sở Nội vụ giữ nguyên phân công {item.ref} cho "
                                    f"{item.agency}; đề nghị tiếp tục thực hiện.")
            return [Reply(f"Đã giữ nguyên phân công {item.ref} cho {item.agency}.")]
        try:
            agency_id = await find_agency(uow.session, to)
        except ContactError as error:
            return [Reply(f"Không giao lại được: {error}")]
        name = await queries.agency_name(uow.session, agency_id)
        if agency_id == item.agency_id:
            return [Reply(f"{item.ref} đang giao cho {name}.")]
        if not await lifecycle.reassign(uow.session, item, agency_id, name, who.contact_id,
                                        self.now(), self.today()):
            return [Reply(f"{name} đã có phân công {item.ref} với cùng vai trò; không giao "
                          "lại được.")]
        await self._tell_agency(uow, item, f"moved:{item.id}:{self.now().timestamp()}",
                                f"Sở Nội vụ đã giao {item.ref} cho {name}; {item.agency} "
                                "không còn phải báo cáo nhiệm vụ này.")
        moved = await answers.target(uow.session, item.id)
        if moved is not None:
            await self._tell_agency(
                uow, moved, f"given:{item.id}:{self.now().timestamp()}",
                f"Sở Nội vụ giao cho {name} nhiệm vụ #{assignment_code(item.id)} {item.ref}: "
                f"{item.content[:200]} — hạn {date_vn(item.due)}. Gõ /nhiemvu để xem.")
        return [Reply(f"Đã giao lại {item.ref} từ {item.agency} cho {name}; lịch sử và các "
                      "báo cáo trước được giữ nguyên.")]

    async def pause_command(self, uow: UnitOfWork, who: Who, argument: str) -> list[Reply]:
        key, _, rest = argument.strip().partition(" ")
        if not key:
            return [Reply("Cách dùng: /tamdung <mã hoặc số hiệu> [đến dd/mm/yyyy] [lý do] — "
                          "ví dụ: /tamdung VII.2 đến 30/06/2023 chờ hướng dẫn của Bộ")]
        rest = rest.strip()
        until = None
        found = _DATE.match(fold(rest))
        if found:
            until = parse_date_vn(found.group(1))
            if until is None:
                return [Reply(f"Ngày «{found.group(1)}» không có thật; hãy gõ dd/mm/yyyy.")]
            if until <= self.today():
                return [Reply(f"Ngày tiếp tục {date_vn(until)} phải sau hôm nay.")]
            rest = rest[found.end():].strip()
        items = await self._targets(uow, key)
        if isinstance(items, Reply):
            return [items]
        paused = [i for i in items if i.status not in (rules.DONE, rules.NOT_APPLICABLE)]
        for item in paused:
            await lifecycle.pause(uow.session, item, who.contact_id, until, rest, self.now(),
                                  self.today())
        if not paused:
            return [Reply("Không có phân công nào đang mở để tạm dừng.")]
        when = f"đến {date_vn(until)} (tự tiếp tục từ ngày đó)" if until else \
            "cho đến khi có lệnh /tieptuc"
        return [Reply(f"Đã tạm dừng {len(paused)} phân công của {paused[0].ref} {when}. "
                      "Trong thời gian này bot không nhắc và không tính quá hạn.")]

    async def resume_command(self, uow: UnitOfWork, who: Who, argument: str) -> list[Reply]:
        items = await self._targets(uow, argument.strip())
        if isinstance(items, Reply):
            return [items]
        paused = [i for i in items if i.status == rules.PAUSED]
        for item in paused:
            await lifecycle.resume(uow.session, item, who.contact_id, self.now(), self.today())
        if not paused:
            return [Reply("Không có phân công nào đang tạm dừng ở đây.")]
        return [Reply(f"Đã cho tiếp tục {len(paused)} phân công của {paused[0].ref}.")]

    async def _targets(self, uow: UnitOfWork, key: str) -> list[Target] | Reply:
        """An assignment by code, or every live assignment of a task by its ref."""
        if not key:
            return Reply("Hãy ghi mã (#a7) hoặc số hiệu nhiệm vụ (VII.2).")
        if "." in key:
            rows = await queries.task_detail(uow.session, key)
            items = [await answers.target(uow.session, row[0], lock=True) for row in rows]
            found = [i for i in items if i is not None and i.open]
            return found or Reply(f"Không có nhiệm vụ số hiệu {key} trong các kế hoạch.")
        item = await self._target(uow, key)
        return item if isinstance(item, Reply) else [item]

    async def _tell_agency(self, uow: UnitOfWork, item: Target, key: str, note: str) -> None:
        for contact in await queries.focal_contacts(uow.session, item.agency_id):
            await outbox.queue_notice(uow.session, contact, key, note, self.today(), self.now())
