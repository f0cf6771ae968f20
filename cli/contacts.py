"""`nhacviec contacts`: list and link the people who receive reminders (admin side)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from cli import help_vi
from cli.common import fail, with_app

if TYPE_CHECKING:  # loaded by the commands that use them: `--help` stays quick
    from storage.contacts import ContactRow

if TYPE_CHECKING:
    from cli.bootstrap import App

CHANNELS = ("telegram", "zalo", "console")


def register(app: typer.Typer) -> None:
    group = help_vi.typer_app(help="Đầu mối và cán bộ điều phối nhận nhắc việc.",
                        invoke_without_command=True)
    app.add_typer(group, name="contacts")
    register_revoke(group)

    @group.callback()
    def show(ctx: typer.Context) -> None:
        """Liệt kê các liên hệ đang liên kết."""
        from storage.contacts import list_contacts

        if ctx.invoked_subcommand:
            return

        async def work(built: App) -> list[ContactRow]:
            async with built.db.uow() as uow:
                return await list_contacts(uow.session)

        rows = with_app(work)
        if not rows:
            typer.echo("Chưa có liên hệ nào.")
        for row in rows:
            state = "" if row.reachable else "\tKHÔNG LIÊN LẠC ĐƯỢC"
            typer.echo(f"{row.id}\t{row.role}\t{row.agency or '—'}\t{row.channel}:{row.chat_id}"
                       f"\t{row.name}{state}")

    @group.command("add")
    def add(
        agency: Annotated[str | None, typer.Argument(help="Tên cơ quan (đầu mối)")] = None,
        channel: Annotated[str, typer.Option(help="telegram, zalo hoặc console")] = "telegram",
        chat_id: Annotated[str, typer.Option("--chat-id", help="Mã chat trên nền tảng")] = "",
        name: Annotated[str, typer.Option(help="Tên hiển thị")] = "",
        role: Annotated[str, typer.Option(help="focal (đầu mối) hoặc coordinator")] = "focal",
    ) -> None:
        """Liên kết một chat với một cơ quan (đầu mối) hoặc với Sở Nội vụ (điều phối)."""
        from storage.contacts import ContactError, add_contact

        if channel not in CHANNELS:
            fail(f"kênh «{channel}» không hợp lệ; chọn một trong {', '.join(CHANNELS)}")
        if not chat_id.strip():
            fail("cần --chat-id")

        async def work(built: App) -> int:
            async with built.db.uow() as uow:
                contact_id = await add_contact(uow.session, agency, channel, chat_id.strip(),
                                               name, role, dt.datetime.now(dt.UTC))
                await uow.commit()
            return contact_id

        try:
            contact_id = with_app(work)
        except ContactError as exc:
            fail(str(exc))
        target = agency or "điều phối"
        typer.echo(f"Đã liên kết liên hệ {contact_id}: {channel}:{chat_id} → {target}.")


def register_revoke(group: typer.Typer) -> None:
    @group.command("revoke")
    def revoke(contact_id: Annotated[int, typer.Argument(
            help="Mã liên hệ (xem: nhacviec contacts)")]) -> None:
        """Thu hồi liên kết của một liên hệ (đầu mối nghỉ việc, chuyển công tác…)."""
        from storage.answers import unlink
        from storage.contacts import list_contacts

        async def work(built: App) -> bool:
            async with built.db.uow() as uow:
                rows = await list_contacts(uow.session)
                if not any(row.id == contact_id for row in rows):
                    return False
                await unlink(uow.session, contact_id, dt.datetime.now(dt.UTC))
                await uow.commit()
            return True

        if not with_app(work):
            fail(f"không có liên hệ đang liên kết mang mã {contact_id}")
        typer.echo(f"Đã thu hồi liên hệ {contact_id}; người này không nhận nhắc việc nữa.")


def register_invite(app: typer.Typer) -> None:
    @app.command("invite")
    def invite(
        agency: Annotated[str | None, typer.Argument(help="Tên cơ quan (bỏ trống khi mời "
                                                          "cán bộ điều phối)")] = None,
        role: Annotated[str, typer.Option(help="focal (đầu mối) hoặc coordinator")] = "focal",
    ) -> None:
        """Tạo mã mời một lần (hết hạn sau 7 ngày) cho đầu mối của một cơ quan."""
        from bot.enrolling import INVITE_TTL, invite_text
        from storage import invites
        from storage.contacts import ContactError

        if role not in {"focal", "coordinator"}:
            fail("vai trò phải là focal hoặc coordinator")
        if role == "focal" and not agency:
            fail("cần tên cơ quan cho đầu mối")

        async def work(built: App) -> str:
            username = None
            telegram = built.channels.get("telegram")
            if telegram is not None:
                try:
                    await telegram.start()
                    username = getattr(telegram, "username", None)
                finally:
                    await telegram.close()
            async with built.db.uow() as uow:
                code, name = await invites.create(uow.session, agency, role, "cli", INVITE_TTL,
                                                  dt.datetime.now(dt.UTC))
                await uow.commit()
            return invite_text(code, name, username)

        try:
            typer.echo(with_app(work))
        except ContactError as exc:
            fail(str(exc))
