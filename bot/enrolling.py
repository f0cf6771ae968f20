"""Enrollment: `/start <mã>` links a chat to an agency; `/huy` unlinks; `/moi` invites."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from bot.types import Incoming, Reply
from plan.names import match_name
from plan.text import fold
from storage import answers, invites
from storage.answers import Who
from storage.contacts import ContactError, colleagues, set_away
from storage.uow import UnitOfWork
from words.texts import date_vn, parse_date_vn

log = logging.getLogger("nhacviec.bot")
MAX_FAILURES = 5
# every chat together: many chats guessing in parallel are refused as one (74-bit codes make
# guessing hopeless anyway; this bounds what a flood can write)
MAX_FAILURES_ANYWHERE, ANYWHERE_WINDOW = 100, dt.timedelta(minutes=10)
INVITE_TTL = dt.timedelta(days=7)
_REFUSALS = {"wrong": "Mã mời không đúng.", "used": "Mã mời này đã được dùng.",
             "expired": "Mã mời đã hết hạn; hãy xin Sở Nội vụ mã mới.",
             "coordinator": "Bạn đang là cán bộ điều phối (Sở Nội vụ) và vẫn giữ vai trò đó. "
                            "Mã này mời đầu mối của một cơ quan: hãy gửi nó cho người đó (mã "
                            "vẫn còn hiệu lực)."}


def deep_link(bot_username: str | None, code: str) -> str | None:
    """The Telegram link that opens the bot with `/start <code>` already typed."""
    return f"https://t.me/{bot_username}?start={code}" if bot_username else None


def invite_text(code: str, agency: str | None, bot_username: str | None) -> str:
    link = deep_link(bot_username, code)
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
        if await invites.recent_failures_anywhere(session, self.now(), ANYWHERE_WINDOW) \
                >= MAX_FAILURES_ANYWHERE:
            log.warning("refused: too many wrong invite codes from every chat in the last "
                        "%s; a flood of guesses?", ANYWHERE_WINDOW)
            return Reply("Đang có quá nhiều mã mời sai được gửi tới bot; tạm ngừng nhận mã mời "
                         "trong ít phút. Hãy thử lại sau 10 phút.")
        outcome, contact = await invites.redeem(session, code, message.channel, message.chat_id,
                                                message.sender_name, self.now())
        if contact is None and outcome == "coordinator":
            return Reply(_REFUSALS[outcome])
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

    async def away(self, uow: UnitOfWork, who: Who, argument: str, today: dt.date) -> Reply:
        """`/vangmat 20/12/2026 [người thay]`: no reminders to this focal point until then;
        a colleague of the same agency covers. `/vangmat huy`: back."""
        if who.coordinator or who.agency_id is None:
            return Reply("Lệnh /vangmat dành cho đầu mối của cơ quan.")
        day_text, _, stand_in_name = argument.strip().partition(" ")
        if fold(day_text) in {"huy", "het", "ve"}:
            await set_away(uow.session, who.contact_id, None, None)
            return Reply("Đã ghi nhận bạn đã trở lại; bot nhắc việc cho bạn như thường.")
        until = parse_date_vn(day_text) if day_text else None
        if until is None or not today < until <= today + dt.timedelta(days=366):
            return Reply("Cách dùng: /vangmat <ngày trở lại, dd/mm/yyyy> [tên người thay] — "
                         "ngày sau hôm nay, trong vòng một năm. Ví dụ: /vangmat "
                         f"{date_vn(today + dt.timedelta(days=14))} Trần Văn Bình. "
                         "Gõ /vangmat huy khi đã trở lại.")
        others = await colleagues(uow.session, who.contact_id)
        stand_in = None
        if stand_in_name.strip():
            match = match_name(stand_in_name, [(name, []) for _, name in others])
            if match.found is None:
                names = ", ".join(name for _, name in others) or "chưa có ai"
                return Reply(f"Không có đầu mối «{stand_in_name.strip()}» của {who.agency}. "
                             f"Đầu mối khác hiện có: {names}. Người thay chưa đăng ký thì "
                             "nhờ Sở Nội vụ tạo mã mời (/moi) cho người đó trước.")
            stand_in = next(i for i, name in others if name == match.found)
        await set_away(uow.session, who.contact_id, until, stand_in)
        covering = [name for i, name in others if stand_in in (None, i)]
        if not covering:
            return Reply(f"Đã ghi nhận bạn vắng đến {date_vn(until)}. {who.agency} chưa có "
                         "đầu mối nào khác: nhắc việc trong thời gian này sẽ báo Sở Nội vụ là "
                         "chưa có người nhận. Nên nhờ Sở Nội vụ tạo mã mời cho người thay.")
        return Reply(f"Đã ghi nhận bạn vắng đến {date_vn(until)}: bot không nhắc bạn đến "
                     f"ngày đó; {', '.join(covering)} tiếp tục nhận nhắc việc của "
                     f"{who.agency}. Gõ /vangmat huy nếu về sớm.")

    async def leave(self, uow: UnitOfWork, who: Who) -> Reply:
        await answers.unlink(uow.session, who.contact_id, self.now())
        return Reply("Đã hủy liên kết. Bạn sẽ không nhận nhắc việc nữa.")
