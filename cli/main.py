"""nhacviec command line. Bad input prints one Vietnamese error line and exits with code 2."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli import help_vi
from cli.common import date_option, fail, settings, with_app

if TYPE_CHECKING:  # the commands import what they use: `nhacviec --help` stays quick
    from cli.bootstrap import App
    from storage import queries
    from storage.importer import ImportReport

help_vi.install()  # before any help or error is drawn
app = help_vi.typer_app(help="Nhắc việc CCHC: theo dõi kế hoạch cải cách hành chính.",
                  no_args_is_help=True, add_completion=False)
db_app = help_vi.typer_app(help="Quản lý lược đồ cơ sở dữ liệu.", no_args_is_help=True)
plans_app = help_vi.typer_app(help="Các kế hoạch trong cơ sở dữ liệu.", invoke_without_command=True)
app.add_typer(db_app, name="db")
app.add_typer(plans_app, name="plans")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Tạo hoặc nâng cấp lược đồ cơ sở dữ liệu lên phiên bản mới nhất."""
    from storage.migrate import upgrade_from

    s = settings()
    from cli.faults import explain

    try:
        before, head = upgrade_from(s.database_url)
    except Exception as exc:
        said = explain(exc)
        if said is None and not isinstance(exc, OSError):
            raise
        fail(said or f"không kết nối được cơ sở dữ liệu: {exc}")
    if before is None:
        typer.echo(f"Đã tạo lược đồ cơ sở dữ liệu (phiên bản {head}).")
    elif before == head:
        typer.echo(f"Cơ sở dữ liệu đã ở phiên bản mới nhất ({head}); không có gì thay đổi.")
    else:
        typer.echo(f"Đã nâng cấp cơ sở dữ liệu từ phiên bản {before} lên {head}.")


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(
        help="Tệp kế hoạch: .docx, .xlsx, .pdf, .csv, .md/.txt (cả .doc, .xls, .odt, .ods, "
             ".rtf khi có LibreOffice)")],
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Chỉ đọc và báo cáo, không ghi")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="In kết quả đọc dạng JSON")] = False,
    directory_name: Annotated[str | None, typer.Option(
        "--directory", help="Danh mục cơ quan (tên có sẵn hoặc tệp .yaml); mặc định chọn theo "
                            "cơ quan ban hành kế hoạch")] = None,
    code: Annotated[str | None, typer.Option(help="Số hiệu kế hoạch nếu tệp không ghi")] = None,
    title: Annotated[str | None, typer.Option(help="Tên kế hoạch nếu tệp không ghi")] = None,
    date: Annotated[str | None, typer.Option(help="Ngày ban hành dd/mm/yyyy")] = None,
    with_duties: Annotated[bool, typer.Option(
        "--with-duties", help="Nhập cả các nhiệm vụ nêu trong nội dung văn bản (ngoài phụ lục)"
    )] = False,
    update_meta: Annotated[bool, typer.Option(
        "--update-meta", help="Nạp lại: cho phép đổi ngày ban hành, tên, cơ quan ban hành đã "
                              "lưu của kế hoạch")] = False,
    accept_matches: Annotated[bool, typer.Option(
        "--accept-matches", help="Nhập lại: coi các cặp nhiệm vụ chưa chắc chắn là cùng một "
                                 "nhiệm vụ (giữ lịch sử báo cáo)")] = False,
) -> None:
    """Đọc phụ lục kế hoạch và lưu thành nhiệm vụ, phân công (nhập lại sẽ cập nhật)."""
    from cli import importing
    from ingest.bounded import Limits
    from plan.agencies import DirectoryError
    from plan.model import PlanMeta
    from plan.rows import PlanFormatError
    from storage.importer import ImportRefused, MatchesUncertain, MetaChanged

    s = settings()
    overrides = PlanMeta(code=code, issued_on=date_option(date, "--date"), title=title)
    try:
        draft, choice = importing.read_plan(file, directory_name or s.agency_directory,
                                            overrides, Limits(s.parse_seconds,
                                                              s.parse_memory_mb))
    except PlanFormatError as exc:
        fail(f"{file}: {exc}")
    except DirectoryError as exc:
        fail(str(exc))
    found = choice.directory
    if with_duties:
        draft = importing.with_duties(draft)
    if dry_run:
        if as_json:
            typer.echo(importing.as_json(draft))
            return
        matches = importing.stored_matches(s, draft, accept_matches)
        typer.echo(importing.summary(draft, None, choice, matches))
        return

    async def store(built: App) -> ImportReport:
        return await importing.store_plan(built.db, draft, found, file.name, built.today(),
                                          accept_matches, update_meta)

    try:
        report = with_app(store)
    except MatchesUncertain as exc:
        fail(importing.uncertain_text(exc.pairs))
    except MetaChanged as exc:
        fail(f"{exc}. Không ghi gì. Nếu đúng là cần đổi, chạy lại với --update-meta")
    except ImportRefused as exc:
        fail(str(exc))
    typer.echo(importing.as_json(draft) if as_json else importing.summary(draft, report, choice))


@plans_app.callback()
def plans_list(ctx: typer.Context) -> None:
    """Liệt kê các kế hoạch."""
    if ctx.invoked_subcommand:
        return

    from storage import queries

    async def work(built: App) -> list[queries.PlanRow]:
        async with built.db.uow() as uow:
            return await queries.plans(uow.session)

    rows = with_app(work)
    if not rows:
        typer.echo("Chưa có kế hoạch nào.")
    for row in rows:
        state = "đang theo dõi" if row.active else "đã tắt"
        typer.echo(f"{row.code}\t{row.tasks} nhiệm vụ\t{row.assignments} phân công\t{state}\t"
                   f"{row.title or ''}")


def _toggle(code: str, active: bool) -> None:
    from storage import queries

    async def work(built: App) -> bool:
        async with built.db.uow() as uow:
            found = await queries.set_active(uow.session, code, active)
            await uow.commit()
        return found

    if not with_app(work):
        fail(f"không có kế hoạch «{code}»")
    typer.echo(f"Đã {'bật' if active else 'tắt'} theo dõi kế hoạch {code}.")


@plans_app.command("activate")
def plans_activate(code: str) -> None:
    """Bật theo dõi một kế hoạch."""
    _toggle(code, True)


@plans_app.command("deactivate")
def plans_deactivate(code: str) -> None:
    """Tắt theo dõi một kế hoạch (dữ liệu vẫn giữ nguyên)."""
    _toggle(code, False)


@plans_app.command("confirmation")
def plans_confirmation(
        code: str,
        state: Annotated[str, typer.Argument(help="on: Sở Nội vụ xác nhận; off: không cần")],
) -> None:
    """Bật/tắt bước Sở Nội vụ xác nhận hoàn thành của một kế hoạch (mặc định: bật)."""
    if state not in ("on", "off"):
        fail(f"«{state}» không hợp lệ: dùng on hoặc off, ví dụ: nhacviec plans confirmation "
             f"{code} off")
    from storage import queries

    async def work(built: App) -> bool:
        async with built.db.uow() as uow:
            found = await queries.set_confirmation(uow.session, code, state == "on")
            await uow.commit()
        return found

    if not with_app(work):
        fail(f"không có kế hoạch «{code}»")
    typer.echo(f"Kế hoạch {code}: báo hoàn thành "
               + ("chờ Sở Nội vụ xác nhận." if state == "on" else "được ghi nhận ngay, không "
                  "cần xác nhận."))


from cli import (  # noqa: E402  (they register their commands)
    agencies,
    backups,
    contacts,
    demo,
    directories,
    doctor,
    inboxes,
    outboxes,
    reminding,
    reporting,
    running,
)

contacts.register(app)
contacts.register_invite(app)
reminding.register(app)
reporting.register(app)
backups.register(app)
doctor.register(app)
outboxes.register(app)
inboxes.register(app)
running.register(app)
demo.register(app)
directories.register(app)
agencies.register(app)


def main() -> None:  # pragma: no cover - console entry for `python -m cli.main`
    sys.exit(app())


if __name__ == "__main__":  # pragma: no cover
    main()
