"""Channel-agnostic conversation: a neutral message in, reply texts out.

Adapters (console now; Telegram and Zalo next) translate their wire format into
`Incoming` and send back whatever this returns.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable
from dataclasses import dataclass

from bot import texts
from plan.text import fold
from storage import queries
from storage.uow import Database


@dataclass(frozen=True)
class Incoming:
    """One message from a user, whatever the platform."""

    sender: str
    text: str
    agency: str | None = None  # the agency the sender speaks for, when known


class Handlers:
    """Answers commands by asking storage; knows nothing of any chat platform."""

    def __init__(self, db: Database, clock: Callable[[], dt.date]) -> None:
        self.db = db
        self.clock = clock

    async def handle(self, message: Incoming) -> list[str]:
        text = message.text.strip()
        command, _, argument = text.partition(" ")
        command = fold(command.split("@", 1)[0])
        routes = {"/start": self._help, "/trogiup": self._help, "/help": self._help,
                  "/kehoach": self._plans, "/nhiemvu": self._tasks, "/coquan": self._agency}
        route = routes.get(command)
        if route is None:
            return [texts.UNKNOWN]
        return await route(argument.strip(), message)

    async def _help(self, _argument: str, _message: Incoming) -> list[str]:
        return [texts.HELP]

    async def _plans(self, _argument: str, _message: Incoming) -> list[str]:
        async with self.db.uow() as uow:
            rows = await queries.plans(uow.session)
        if not rows:
            return [texts.NO_PLANS]
        lines = ["Các kế hoạch:"]
        for row in rows:
            state = "đang theo dõi" if row.active else "đã tắt"
            lines.append(f"• {row.code} ({texts.date_vn(row.issued_on)}) — {row.title or ''}: "
                         f"{row.tasks} nhiệm vụ, {row.assignments} phân công, {state}")
        return ["\n".join(lines)]

    async def _tasks(self, argument: str, message: Incoming) -> list[str]:
        wanted = argument or message.agency
        if not wanted:
            return [texts.ASK_AGENCY]
        agency = await self._find_agency(wanted)
        if agency is None:
            return [f"Không tìm thấy cơ quan «{wanted}». Thử /coquan {wanted}"]
        async with self.db.uow() as uow:
            rows = await queries.open_assignments(uow.session, agency)
        if not rows:
            return [f"{agency}: không có nhiệm vụ chủ trì nào đang mở."]
        today = self.clock()
        lines = [f"{agency} — {len(rows)} nhiệm vụ chủ trì chưa hoàn thành:"]
        for row in rows:
            due = texts.date_vn(row.due)
            left = texts.days_phrase(row.due, today)
            lines.append(f"• {row.ref} {texts.shorten(row.content)}\n"
                         f"  Sản phẩm: {row.product or '—'} · Hạn: {due}"
                         f"{' (' + left + ')' if left else ''} · "
                         f"{texts.STATUS_LABELS.get(row.status, row.status)}")
        return ["\n".join(lines)]

    async def _agency(self, argument: str, _message: Incoming) -> list[str]:
        if not argument:
            return ["Hãy ghi tên cần tìm, ví dụ: /coquan tư pháp"]
        matches = await self._agency_matches(argument)
        if not matches:
            return [f"Không có cơ quan nào gần với «{argument}»."]
        return ["Cơ quan phù hợp:\n" + "\n".join(f"• {name}" for name in matches)]

    async def _find_agency(self, text: str) -> str | None:
        matches = await self._agency_matches(text)
        return matches[0] if matches else None

    async def _agency_matches(self, text: str) -> list[str]:
        async with self.db.uow() as uow:
            names = await queries.agency_names(uow.session)
        key = fold(text)
        by_key = {fold(name): name for name in names}
        if key in by_key:
            return [by_key[key]]
        contained = [name for k, name in by_key.items() if key in k]
        if contained:
            return contained[:10]
        close = difflib.get_close_matches(key, list(by_key), n=5, cutoff=0.6)
        return [by_key[k] for k in close]
