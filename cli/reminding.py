"""`nhacviec remind`: preview the reminder calendar, or run today's sweep and deliver it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import date_option, fail, settings, with_app

if TYPE_CHECKING:  # loaded by the commands that use them: `--help` stays quick
    from cli.bootstrap import App
    from scheduler.sweep import PreviewRow, SweepResult

# `remind` waits this long for retries (rate limits, short back-offs); later ones are left
# in the outbox for `nhacviec run`.
DRAIN_PATIENCE_SECONDS = 120.0
STAGE_LABELS = {"before": "nhắc trước hạn", "due": "đến hạn", "overdue": "quá hạn",
                "escalation": "báo Sở Nội vụ", "checkin": "cập nhật tháng",
                "digest": "tổng hợp tuần"}


def register(app: typer.Typer) -> None:
    @app.command("remind")
    def remind(
        today: Annotated[str | None, typer.Option(
            help="Ngày chạy dd/mm/yyyy (mặc định hôm nay)")] = None,
        until: Annotated[str | None, typer.Option(help="Xem trước đến ngày dd/mm/yyyy")] = None,
        dry_run: Annotated[bool, typer.Option(
            "--dry-run", help="Chỉ xem trước, không ghi, không gửi")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="In dạng JSON")] = False,
    ) -> None:
        """Chạy đợt nhắc việc của một ngày, hoặc xem trước lịch nhắc (--dry-run)."""
        from cli.bootstrap import build

        loaded = settings()
        start = date_option(today, "--today")
        end = date_option(until, "--until")
        if start is not None:
            loaded = loaded.model_copy(update={"today": start})
        built = build(loaded)
        day = built.today()
        if end is not None and not dry_run:
            fail("--until chỉ dùng cùng --dry-run (xem trước, giả định không ai trả lời)")
        if end is not None and end < day:
            fail("--until phải sau --today")
        if dry_run:
            rows = with_app(lambda a: a.sweeper().preview(day, end or day), app=built)
            typer.echo(_json(rows) if as_json else _table(rows))
            return
        typer.echo(_summary(with_app(_deliver, app=built)))


@dataclasses.dataclass(frozen=True)
class Delivered:
    """What one `remind` did, for its summary."""

    result: SweepResult
    before: dict[str, int]  # outbox rows by state, before and after this run
    after: dict[str, int]
    day_ran: bool  # the day had been swept (by this run or an earlier one)
    last: dt.date | None  # the latest day swept


async def _deliver(app: App) -> Delivered:
    from storage import outbox, reminders

    async with app.db.uow() as uow:
        before = await outbox.backlog(uow.session)
    result = await app.sweeper().run(app.today())
    for channel in app.channels.values():
        await channel.start()
    try:
        await app.dispatcher().drain(patience=DRAIN_PATIENCE_SECONDS)
    finally:
        for channel in app.channels.values():
            await channel.close()
    async with app.db.uow() as uow:
        after = await outbox.backlog(uow.session)
        day_ran = await reminders.swept_on(uow.session, result.day)
        last = await reminders.last_swept(uow.session)
    return Delivered(result, before, after, day_ran, last)


def _json(rows: list[PreviewRow]) -> str:
    def plain(row: PreviewRow) -> dict[str, object]:
        data = dataclasses.asdict(row)
        data["date"] = row.date.isoformat()
        data["due_date"] = row.due_date.isoformat() if row.due_date else None
        return data

    return json.dumps([plain(row) for row in rows], ensure_ascii=False, indent=1)


def _table(rows: list[PreviewRow]) -> str:
    from words.texts import date_vn

    if not rows:
        return "Không có nhắc việc nào trong khoảng ngày này."
    lines = []
    for row in rows:
        who = row.recipient or "(chưa có đầu mối — không gửi được)"
        due = f" · hạn {date_vn(row.due_date)}" if row.due_date else ""
        left = f" ({row.days_left:+d} ngày)" if row.days_left is not None else ""
        lines.append(f"{date_vn(row.date)}  {STAGE_LABELS.get(row.stage, row.stage):<16} "
                     f"{row.task or '—':<8} {row.agency or 'Sở Nội vụ'} → {who}{due}{left}")
    return "\n".join(lines)


OUTBOX_STATES = {"pending": "chờ gửi", "failed": "chờ gửi lại", "claimed": "sắp gửi",
                 "sending": "đang gửi",
                 "sent": "đã gửi", "dead": "không gửi được", "folded": "gộp vào tin sau",
                 "cancelled": "đã hủy"}


def _summary(done: Delivered) -> str:
    """What this run did, in Vietnamese: which day ran (or why none did) and what it sent."""
    from words.texts import date_vn

    result = done.result
    if result.ran:
        head = (f"Đợt nhắc ngày {date_vn(result.day)}"
                + (f" (gửi bù từ {date_vn(result.since)})" if result.since < result.day else "")
                + f": {result.reminders} nhắc việc, {result.messages} tin nhắn.")
    elif done.day_ran:
        head = (f"Đợt nhắc ngày {date_vn(result.day)} đã chạy trước đó; lần này chỉ gửi "
                "những tin còn tồn.")
    else:
        head = (f"Ngày {date_vn(result.day)} không chạy: các đợt nhắc đã chạy đến ngày "
                f"{date_vn(done.last) if done.last else '?'}, ngày đã qua không chạy lại; lần "
                "này chỉ gửi những tin còn tồn.")
    sent = done.after.get("sent", 0) - done.before.get("sent", 0)
    waiting = {state: n for state, n in done.after.items() if state != "sent" and n}
    rest = ", ".join(f"{OUTBOX_STATES.get(state, state)}: {n}"
                     for state, n in sorted(waiting.items()))
    return (f"{head}\nLần này đã gửi {sent} tin."
            + (f" Hộp thư đi còn — {rest}." if rest else " Hộp thư đi không còn tin nào chờ."))
