"""`nhacviec agencies merge|rename|changes`: agencies change (the 2025 mergers), history stays."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from cli import help_vi
from cli.common import fail, with_app

if TYPE_CHECKING:  # loaded by the commands that use them: `--help` stays quick
    from storage.agency_changes import ChangeReport
    from storage.models import AgencyChange

if TYPE_CHECKING:
    from cli.bootstrap import App

agencies_app = help_vi.typer_app(
    help="Gộp, đổi tên cơ quan (nhiệm vụ, đầu mối và lịch sử đi theo).",
    no_args_is_help=True)
_NOTE = typer.Option("--note", help="Căn cứ, ví dụ số quyết định sáp nhập")


def register(app: typer.Typer) -> None:
    app.add_typer(agencies_app, name="agencies")


def _apply(kind: str, old: str, new: str, note: str) -> ChangeReport:
    from storage.agency_changes import AgencyChangeError, merge, rename

    async def work(built: App) -> ChangeReport:
        async with built.db.uow() as uow:
            change = merge if kind == "merge" else rename
            report = await change(uow.session, old, new, dt.datetime.now(dt.UTC), note)
            await uow.commit()
        return report

    try:
        return with_app(work)
    except AgencyChangeError as exc:
        fail(str(exc))


@agencies_app.command("merge")
def agencies_merge(old: str, new: str, note: Annotated[str, _NOTE] = "") -> None:
    """Gộp cơ quan OLD vào NEW: nhiệm vụ đang mở, đầu mối chuyển sang NEW; lịch sử giữ nguyên."""
    report = _apply("merge", old, new, note)
    kept = (f"; {report.kept_with_old} phân công NEW đã có nên giữ ở «{old}» (đánh dấu gỡ, "
            "lịch sử giữ nguyên)") if report.kept_with_old else ""
    typer.echo(f"Đã gộp «{old}» vào «{new}» ({', '.join(report.directories)}): chuyển "
               f"{report.moved_assignments} phân công, {report.moved_contacts} đầu mối{kept}. "
               "Các lần nhập lại kế hoạch sẽ tự chuyển tên cũ sang tên mới.")


@agencies_app.command("rename")
def agencies_rename(old: str, new: str, note: Annotated[str, _NOTE] = "") -> None:
    """Đổi tên cơ quan OLD thành NEW (giữ nguyên nhiệm vụ, đầu mối, lịch sử)."""
    report = _apply("rename", old, new, note)
    typer.echo(f"Đã đổi tên «{old}» thành «{new}» ({', '.join(report.directories)}). Các lần "
               "nhập lại kế hoạch sẽ tự chuyển tên cũ sang tên mới.")


@agencies_app.command("changes")
def agencies_changes() -> None:
    """Liệt kê các lần gộp, đổi tên cơ quan."""
    from storage.agency_changes import list_changes

    async def work(built: App) -> list[AgencyChange]:
        async with built.db.uow() as uow:
            return await list_changes(uow.session)

    rows = with_app(work)
    if not rows:
        typer.echo("Chưa có lần gộp, đổi tên nào.")
    for row in rows:
        action = "gộp vào" if row.kind == "merge" else "đổi tên thành"
        typer.echo(f"{row.changed_at:%d/%m/%Y}\t{row.directory}\t«{row.old_name}» {action} "
                   f"«{row.new_name}»\t{row.note}")
