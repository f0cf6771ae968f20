"""`nhacviec inbox`: updates set aside because the bot died handling them, and handling them
again once the cause is fixed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from cli import help_vi
from cli.common import fail, with_app

if TYPE_CHECKING:
    from cli.bootstrap import App
    from storage import inbox


def register(app: typer.Typer) -> None:
    group = help_vi.typer_app(help="Tin nhận đã để riêng (bot dừng khi xử lý) và xử lý lại.",
                              invoke_without_command=True)
    app.add_typer(group, name="inbox")

    @group.callback()
    def show(ctx: typer.Context) -> None:
        """Liệt kê tin đã để riêng."""
        from storage import inbox

        if ctx.invoked_subcommand:
            return

        async def work(built: App) -> list[inbox.DeadRow]:
            async with built.db.uow() as uow:
                return await inbox.dead(uow.session)

        rows = with_app(work)
        if not rows:
            typer.echo("Không có tin nào bị để riêng.")
        for row in rows:
            typer.echo(f"{row.id}\t{row.platform}\t{row.received_at:%d/%m/%Y %H:%M}\t"
                       f"{row.error or ''}\t{row.text}")

    @group.command("retry")
    def retry(
        ids: Annotated[list[int] | None, typer.Argument(help="Số của tin (xem: nhacviec inbox)")
                       ] = None,
        every: Annotated[bool, typer.Option("--all", help="Mọi tin đã để riêng")] = False,
    ) -> None:
        """Xử lý lại tin đã để riêng (sau khi đã khắc phục nguyên nhân)."""
        from storage import inbox

        if not ids and not every:
            fail("ghi số của tin (xem: nhacviec inbox) hoặc --all")

        async def work(built: App) -> int:
            async with built.db.uow() as uow:
                count = await inbox.retry_dead(uow.session, None if every else ids, built.now())
                await uow.commit()
            return count

        count = with_app(work)
        typer.echo(f"Đã đưa {count} tin vào hàng xử lý lại; bot đang chạy sẽ xử lý trong vài "
                   "giây." if count else "Không có tin nào như vậy đang bị để riêng.")
