"""`nhacviec contacts`: list and link the people who receive reminders (admin side)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli import help_vi
from cli.common import fail, with_app
from words.texts import date_vn

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
    register_import(group)

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


def register_import(group: typer.Typer) -> None:
    @group.command("import")
    def import_sheet(
        file: Annotated[Path, typer.Argument(help="Danh sách đầu mối (.xlsx hoặc .csv): Cơ "
                                                  "quan, Họ tên, Nền tảng, Mã chat, Số điện "
                                                  "thoại")],
        dry_run: Annotated[bool, typer.Option("--dry-run",
                                              help="Chỉ kiểm tra, không ghi")] = False,
    ) -> None:
        """Liên kết một lần cả danh sách đầu mối tỉnh đã có; dòng chỉ có số điện thoại được
        tạo mã mời. Có dòng sai thì không ghi gì."""
        from bot.enrolling import INVITE_TTL
        from cli.contact_sheet import check, read_sheet
        from storage import invites
        from storage.contacts import ContactError, add_contact, find_agency

        if not file.is_file():
            fail(f"không tìm thấy tệp {file}")
        rows, problems = read_sheet(file)
        if problems:
            fail(problems[0])
        if not rows:
            fail(f"{file.name}: không có dòng đầu mối nào dưới dòng tiêu đề")
        problems = [p for p in (check(row) for row in rows) if p]

        async def work(built: App) -> tuple[list[str], list[str]]:
            found, said = list(problems), []
            now = built.now()
            async with built.db.uow() as uow:
                for row in rows:
                    if check(row):
                        continue
                    try:
                        agency_id = await find_agency(uow.session, row.agency)
                        if row.chat_id:
                            await add_contact(uow.session, row.agency, row.platform,
                                              row.chat_id, row.name, "focal", now)
                            said.append(f"dòng {row.line}: {row.name or row.chat_id} → "
                                        f"{row.agency} ({row.platform}:{row.chat_id})")
                        elif dry_run:
                            said.append(f"dòng {row.line}: {row.name} ({row.phone}) — sẽ tạo "
                                        f"mã mời đầu mối của {row.agency}")
                        else:
                            codes = await invites.create_many(uow.session, [agency_id],
                                                              "focal", "cli:sheet", INVITE_TTL,
                                                              now)
                            said.append(f"dòng {row.line}: {row.name} ({row.phone}) — gửi "
                                        f"«/start {codes[agency_id]}» cho bot để nhận nhắc "
                                        f"việc của {row.agency}")
                    except ContactError as exc:
                        found.append(f"dòng {row.line}: {exc}")
                if not found and not dry_run:
                    await uow.commit()
            return found, said

        found, said = with_app(work)
        if found:
            for problem in found:
                typer.echo(f"Lỗi: {problem}", err=True)
            fail(f"{len(found)} dòng sai: không liên kết ai; sửa tệp rồi chạy lại")
        for line in said:
            typer.echo(line)
        verb = "Sẽ liên kết" if dry_run else "Đã liên kết"
        typer.echo(f"{verb} {len(said)} đầu mối từ {file.name}"
                   + (" (chạy thử: chưa ghi gì)." if dry_run else "."))


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
        every: Annotated[bool, typer.Option(
            "--all", help="Mã mời cho mọi cơ quan chủ trì chưa có đầu mối")] = False,
        plan: Annotated[str | None, typer.Option(
            "--plan", help="Với --all: chỉ các cơ quan chủ trì của kế hoạch này")] = None,
        group: Annotated[str | None, typer.Option(
            "--group", help="Với --all: chỉ các cơ quan của nhóm này, ví dụ «UBND các xã, "
                            "phường»")] = None,
        output: Annotated[Path | None, typer.Option(
            "-o", "--output", help="Với --all: ghi bảng mã mời (.xlsx, in được trên A4, có mã "
                                   "QR) vào tệp này")] = None,
        renew: Annotated[bool, typer.Option(
            "--renew", help="Với --all: tạo mã mới cả cho cơ quan đã có mã mời còn hạn")] = False,
    ) -> None:
        """Tạo mã mời một lần (hết hạn sau 7 ngày) cho đầu mối của một cơ quan, hoặc cho mọi
        cơ quan chủ trì chưa có đầu mối (--all)."""
        if role not in {"focal", "coordinator"}:
            fail("vai trò phải là focal hoặc coordinator")
        if every:
            if agency:
                fail("--all tạo mã cho mọi cơ quan chủ trì; bỏ tên cơ quan, hoặc bỏ --all")
            if role != "focal":
                fail("--all chỉ mời đầu mối của cơ quan (--role focal)")
            _invite_all(plan, group, output, renew)
            return
        if plan or group or output or renew:
            fail("--plan, --group, --renew và -o chỉ dùng cùng --all")
        if role == "focal" and not agency:
            fail("cần tên cơ quan cho đầu mối (hoặc --all cho mọi cơ quan chưa có đầu mối)")
        _invite_one(agency, role)


async def _bot_username(built: App) -> str | None:
    """The bot's Telegram username, for deep links; None without Telegram or while it is
    unreachable (the codes and `/start` texts still work; the links are left out)."""
    telegram = built.channels.get("telegram")
    if telegram is None:
        return None
    try:
        await telegram.start()
        return getattr(telegram, "username", None)
    except Exception as exc:
        from cli.faults import platform

        typer.echo(f"Cảnh báo: không hỏi được tên bot Telegram ({platform(exc)}); mã mời vẫn "
                   "dùng được, chỉ thiếu đường dẫn Telegram.", err=True)
        return None
    finally:
        await telegram.close()


def _invite_one(agency: str | None, role: str) -> None:
    from bot.enrolling import INVITE_TTL, invite_text
    from storage import invites
    from storage.contacts import ContactError

    async def work(built: App) -> str:
        username = await _bot_username(built)
        async with built.db.uow() as uow:
            code, name = await invites.create(uow.session, agency, role, "cli", INVITE_TTL,
                                              built.now())
            await uow.commit()
        return invite_text(code, name, username)

    try:
        typer.echo(with_app(work))
    except ContactError as exc:
        fail(str(exc))


def _invite_all(plan: str | None, group: str | None, output: Path | None, renew: bool
                ) -> None:
    from bot.enrolling import INVITE_TTL, deep_link
    from reports.invite_sheet import InviteLine, write
    from storage import invites, queries

    async def work(built: App) -> tuple[list[InviteLine], list[str], str, int]:
        username = await _bot_username(built)
        now = built.now()
        async with built.db.uow() as uow:
            codes = {row.code for row in await queries.plans(uow.session)}
            if plan is not None and plan not in codes:
                fail(f"không có kế hoạch «{plan}»; xem: nhacviec plans")
            found = await invites.leads_without_focal(uow.session, plan)
            if group is not None:
                members = _group_members(group, {row.directory for row in found})
                found = [row for row in found if row.name in members]
            pending = 0
            if not renew:
                fresh = {row.agency_id for row in await invites.leads_without_focal(
                    uow.session, plan, pending_since=now)}
                pending = sum(row.agency_id not in fresh for row in found)
                found = [row for row in found if row.agency_id in fresh]
            kept = [row for row in found if row.resolved and row.kind != "external"]
            left = [row.name for row in found if row not in kept]
            codes_by_id = await invites.create_many(
                uow.session, [row.agency_id for row in kept], "focal", "cli:all", INVITE_TTL,
                now)
            await uow.commit()
        expires = (now + INVITE_TTL).astimezone(built.settings.zone).date()
        lines = [InviteLine(row.name, codes_by_id[row.agency_id],
                            deep_link(username, codes_by_id[row.agency_id]), expires)
                 for row in kept]
        return lines, left, plan or ", ".join(sorted(codes)), pending

    lines, left, plans, pending = with_app(work)
    if pending:
        typer.echo(f"{pending} cơ quan đã có mã mời còn hạn, chưa dùng: không tạo lại (thêm "
                   "--renew để tạo mã mới cho cả các cơ quan này).")
    if not lines:
        typer.echo("Không có mã mới nào cần tạo." if pending else
                   "Mọi cơ quan chủ trì đã có đầu mối" + (f" (nhóm «{group}»)" if group else "")
                   + "; không tạo mã nào.")
    elif output is not None:
        write(lines, output, f"Mã mời đầu mối nhận nhắc việc — kế hoạch {plans}")
        typer.echo(f"Đã tạo {len(lines)} mã mời (hết hạn {date_vn(lines[0].expires)}) và ghi "
                   f"bảng mã vào {output}.")
    else:
        for line in lines:
            typer.echo(f"{line.agency}\t{line.code}\t{line.link or '/start ' + line.code}")
        typer.echo(f"Đã tạo {len(lines)} mã mời (hết hạn {date_vn(lines[0].expires)}); thêm "
                   "-o moi.xlsx để có bảng in kèm mã QR.")
    if left:
        typer.echo(f"Không tạo mã cho {len(left)} đơn vị ngoài tỉnh hoặc chưa nhận ra (liên "
                   "kết trực tiếp bằng nhacviec contacts add): " + ", ".join(left[:20])
                   + (" …" if len(left) > 20 else ""))


def _group_members(group: str, directories: set[str]) -> set[str]:
    """Names of the agencies a directory group stands for (nested groups expanded)."""
    from config.directories import load_named
    from plan.agencies import DirectoryError

    members: set[str] = set()
    known = False
    for name in directories:
        try:
            directory = load_named(name)
        except (DirectoryError, OSError, ValueError):
            continue
        target = directory.match_name(group)
        if target is not None and target in directory.groups:
            known = True
            members |= set(directory.members_of(target))
    if not known:
        fail(f"không có nhóm cơ quan «{group}» trong danh mục của các kế hoạch đang theo dõi "
             "(ví dụ: «UBND các xã, phường», «Các sở, ban, ngành tỉnh»)")
    return members
