"""nhacviec command line. Bad input prints one Vietnamese error line and exits with code 2."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer

from bot.console import PROMPT, run_console
from cli import importing
from cli.bootstrap import App, build
from config.directories import load_directory
from config.settings import Settings, SettingsError, load_settings
from plan.agencies import Directory, DirectoryError
from plan.model import PlanMeta
from plan.rows import PlanFormatError
from storage import queries
from storage.importer import ImportRefused, ImportReport
from storage.migrate import upgrade
from storage.uow import NotMigratedError

app = typer.Typer(help="Nhắc việc CCHC: theo dõi kế hoạch cải cách hành chính.",
                  no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Quản lý lược đồ cơ sở dữ liệu.", no_args_is_help=True)
plans_app = typer.Typer(help="Các kế hoạch trong cơ sở dữ liệu.", invoke_without_command=True)
app.add_typer(db_app, name="db")
app.add_typer(plans_app, name="plans")
T = TypeVar("T")


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"Lỗi: {message}", err=True)
    raise typer.Exit(code)


def settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        fail(str(exc))


def directory(s: Settings, name: str | None) -> Directory:
    try:
        return load_directory(s.directory_path(name))
    except DirectoryError as exc:
        fail(str(exc))


def with_app(work: Callable[[App], Awaitable[T]], migrated: bool = True) -> T:
    """Run one async job against a freshly built app; always close the database."""
    built = build(settings())

    async def main() -> T:
        try:
            if migrated:
                await built.db.check_migrated()
            return await work(built)
        finally:
            await built.db.dispose()

    try:
        return asyncio.run(main())
    except NotMigratedError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"không kết nối được cơ sở dữ liệu: {exc}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Tạo hoặc nâng cấp lược đồ cơ sở dữ liệu lên phiên bản mới nhất."""
    s = settings()
    try:
        upgrade(s.database_url)
    except OSError as exc:
        fail(f"không kết nối được cơ sở dữ liệu: {exc}")
    typer.echo("Cơ sở dữ liệu đã ở phiên bản mới nhất.")


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="Tệp kế hoạch: .txt, .csv, .xlsx hoặc .docx")],
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Chỉ đọc và báo cáo, không ghi")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="In kết quả đọc dạng JSON")] = False,
    directory_name: Annotated[str | None, typer.Option(
        "--directory", help="Danh mục cơ quan (tên có sẵn hoặc đường dẫn .yaml)")] = None,
    code: Annotated[str | None, typer.Option(help="Số hiệu kế hoạch nếu tệp không ghi")] = None,
    title: Annotated[str | None, typer.Option(help="Tên kế hoạch nếu tệp không ghi")] = None,
    date: Annotated[str | None, typer.Option(help="Ngày ban hành YYYY-MM-DD")] = None,
) -> None:
    """Đọc phụ lục kế hoạch và lưu thành nhiệm vụ, phân công (nhập lại sẽ cập nhật)."""
    s = settings()
    found = directory(s, directory_name)
    overrides = PlanMeta(code=code, issued_on=_date_option(date), title=title)
    try:
        draft = importing.read_plan(file, found, overrides)
    except PlanFormatError as exc:
        fail(f"{file}: {exc}")
    if dry_run:
        typer.echo(importing.as_json(draft) if as_json else importing.summary(draft, None))
        return

    async def store(built: App) -> ImportReport:
        return await importing.store_plan(built.db, draft, found, file.name)

    try:
        report = with_app(store)
    except ImportRefused as exc:
        fail(str(exc))
    typer.echo(importing.as_json(draft) if as_json else importing.summary(draft, report))


def _date_option(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"ngày «{value}» không đúng dạng YYYY-MM-DD")


@plans_app.callback()
def plans_list(ctx: typer.Context) -> None:
    """Liệt kê các kế hoạch."""
    if ctx.invoked_subcommand:
        return

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


@app.command("run")
def run_command(
    agency: Annotated[str | None, typer.Option(
        "--as", help="Trên console: nói chuyện với tư cách đầu mối của cơ quan này")] = None,
) -> None:
    """Chạy bot. Khi chưa cấu hình token Telegram/Zalo, bot chạy trên console."""
    s = settings()

    async def work(built: App) -> None:
        rows = await _plan_rows(built)
        loaded = "; ".join(f"{r.code}: {r.tasks} nhiệm vụ" for r in rows) or "chưa có kế hoạch"
        channels = [name for name, token in (("Telegram", s.telegram_bot_token),
                                             ("Zalo", s.zalo_bot_token)) if token]
        note = (f"\n(Đã cấu hình {', '.join(channels)}; các kênh này có ở bản sau, "
                "hiện chạy console.)") if channels else ""
        banner = (f"Nhắc việc CCHC — console. Kế hoạch: {loaded}. Hôm nay {built.today():%d/%m/%Y}."
                  f"{note}\nGõ /trogiup để xem lệnh, /thoat để thoát.")
        await run_console(built.handlers, agency, banner, read=lambda: input(PROMPT))

    with_app(work)


async def _plan_rows(built: App) -> list[queries.PlanRow]:
    async with built.db.uow() as uow:
        return await queries.plans(uow.session)


def main() -> None:  # pragma: no cover - console entry for `python -m cli.main`
    sys.exit(app())


if __name__ == "__main__":  # pragma: no cover
    main()
