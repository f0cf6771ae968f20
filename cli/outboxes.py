"""`nhacviec outbox`: what is waiting to be sent, what could not be, and sending it again."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from cli import help_vi
from cli.common import fail, with_app

if TYPE_CHECKING:  # loaded by the commands that use them: `--help` stays quick
    from storage import outbox

if TYPE_CHECKING:
    from cli.bootstrap import App

STATES = {"pending": "chờ gửi", "claimed": "sắp gửi", "sending": "đang gửi",
          "failed": "chờ gửi lại",
          "sent": "đã gửi", "dead": "không gửi được", "cancelled": "đã hủy",
          "folded": "gộp sang ngày sau"}


def register(app: typer.Typer) -> None:
    group = help_vi.typer_app(help="Hộp thư đi: tin chờ gửi, tin không gửi được, gửi lại.",
                        invoke_without_command=True)
    app.add_typer(group, name="outbox")

    @group.callback()
    def show(ctx: typer.Context) -> None:
        """Đếm tin theo trạng thái."""
        from storage import outbox

        if ctx.invoked_subcommand:
            return

        async def work(built: App) -> dict[str, int]:
            async with built.db.uow() as uow:
                return await outbox.backlog(uow.session)

        counts = with_app(work)
        if not counts:
            typer.echo("Hộp thư đi trống.")
        for state, n in sorted(counts.items()):
            typer.echo(f"{STATES.get(state, state)}: {n}")

    @group.command("dead")
    def dead() -> None:
        """Liệt kê tin không gửi được (người dùng chặn bot, tài khoản không còn, …)."""
        from storage import outbox

        async def work(built: App) -> list[outbox.DeadRow]:
            async with built.db.uow() as uow:
                return await outbox.dead(uow.session)

        rows = with_app(work)
        if not rows:
            typer.echo("Không có tin nào bị bỏ.")
        for row in rows:
            typer.echo(f"{row.id}\t{row.send_on:%d/%m/%Y}\t{row.channel}:{row.chat_id}\t"
                       f"{row.who or 'đầu mối'} ({row.agency or 'Sở Nội vụ'})\t"
                       f"{row.attempts} lần\t{row.error or ''}")

    @group.command("retry")
    def retry(
        ids: Annotated[list[int] | None, typer.Argument(help="Số tin (xem outbox dead)")] = None,
        every: Annotated[bool, typer.Option("--all", help="Gửi lại mọi tin không gửi được")]
        = False,
    ) -> None:
        """Gửi lại tin không gửi được, sau khi đã khắc phục nguyên nhân."""
        from storage import outbox

        if not ids and not every:
            fail("cần số tin (xem: nhacviec outbox dead) hoặc --all")
        if ids and every:
            fail("chọn số tin hoặc --all, không dùng cả hai")

        async def work(built: App) -> int:
            async with built.db.uow() as uow:
                n = await outbox.retry_dead(uow.session, None if every else list(ids or []),
                                            dt.datetime.now(dt.UTC))
                await uow.commit()
            return n

        n = with_app(work)
        if not n:
            fail("không có tin nào như vậy trong số tin không gửi được")
        typer.echo(f"Đã đưa {n} tin vào hàng gửi lại; `nhacviec run` (hoặc remind) sẽ gửi.")
