"""Enrollment: `/start <mã>` links a chat to an agency; `/huy` unlinks; `/moi` invites."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from bot.types import Incoming, Reply
from storage import answers, invites
from storage.answers import Who
from storage.contacts import ContactError
from storage.uow import UnitOfWork

log = logging.getLogger("nhacviec.bot")
MAX_FAILURES = 5
INVITE_TTL = dt.timedelta(days=7)
_REFUSALS = {"wrong": "Mã mời không đúng.", "used": "Mã mời này đã được dùng.",
             "expired": "Mã mời đã hết hạn; hãy xin Sở Nội vụ mã mới."}


def invite_text(code: str, agency: str | None, bot_username: str | None) -> str:
    link = f"https://t.me/{bot_username}?start={code}" if bot_username else None
    lines = [f"Mã mời cho {agency or 'cán bộ điều phối (Sở Nội vụ)'}: {code} "
             f"(dùng một lần, hết hạn sau {INVITE_TTL.days} ngày)."]
    if link:
        lines.append(f"Telegram: mở {link}")
    lines.append(f"Zalo hoặc Telegram: gửi cho bot tin nhắn /start {code}")
    return "\n".join(lines)


class Enrolling:
    def __init__(self, now: Callable[[], dt.datetime], bot_username: Callable[[], str | None]
                 ) -> None:
        self.now, self.bot_username = now, bot_username

    async def start(self, uow: UnitOfWork, message: Incoming, code: str) -> Reply | int:
        """The new contact's id, or a refusal."""
        session = uow.session
        if await invites.recent_failures(session, message.channel, message.chat_id,
                                         self.now()) >= MAX_FAILURES:
            log.warning("refused: too many wrong codes from %s:%s", message.channel,
                        message.chat_id)
            return Reply("Bạn đã nhập sai mã quá nhiều lần. Hãy thử lại sau một giờ.")
        outcome, contact = await invites.redeem(session, code, message.channel, message.chat_id,
                                                message.sender_name, self.now())
        if contact is None:
            await invites.failed(session, message.channel, message.chat_id, self.now())
            log.warning("refused: %s invite code from %s:%s", outcome, message.channel,
                        message.chat_id)
            return Reply(_REFUSALS[outcome])
        return contact

    async def invite(self, uow: UnitOfWork, who: Who, argument: str) -> Reply:
        role = "focal"
        words = argument.split()
        if words and words[-1].lower() in {"dieuphoi", "điều_phối", "coordinator"}:
            role, argument = "coordinator", " ".join(words[:-1])
        if role == "focal" and not argument.strip():
            return Reply("Hãy ghi tên cơ quan, ví dụ: /moi Sở Tư pháp "
                         "(thêm «dieuphoi» để mời cán bộ Sở Nội vụ).")
        try:
            code, agency = await invites.create(uow.session, argument.strip() or None, role,
                                                f"contact:{who.contact_id}", INVITE_TTL,
                                                self.now())
        except ContactError as exc:
            return Reply(f"Không tạo được mã mời: {exc}")
        return Reply(invite_text(code, agency, self.bot_username()))

    async def leave(self, uow: UnitOfWork, who: Who) -> Reply:
        await answers.unlink(uow.session, who.contact_id, self.now())
        return Reply("Đã hủy liên kết. Bạn sẽ không nhận nhắc việc nữa.")
