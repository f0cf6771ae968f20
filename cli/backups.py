"""`nhacviec backup` and `nhacviec restore`: the stored answers must survive anything."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import fail, run_async, settings

if TYPE_CHECKING:  # loaded by the commands that use them: `--help` stays quick
    from config.settings import Settings


def register(app: typer.Typer) -> None:
    @app.command("backup")
    def backup_command(
        output: Annotated[Path | None, typer.Option(
            "-o", "--output", help="Tệp sao lưu: .json.gz (mọi CSDL), .db (SQLite), .dump "
            "(PostgreSQL, cần pg_dump)")] = None,
        rotate: Annotated[bool, typer.Option(
            "--rotate", help="Ghi vào NHACVIEC_BACKUP_DIR và chỉ giữ NHACVIEC_BACKUP_KEEP tệp "
            "mới nhất")] = False,
    ) -> None:
        """Sao lưu toàn bộ dữ liệu (kế hoạch, đầu mối, báo cáo, hàng đợi tin)."""
        from storage.backup import BackupError

        s = settings()
        try:
            target, counts, removed = run_async(make_backup(s, output, rotate))
        except BackupError as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"không sao lưu được: {exc}")
        typer.echo(f"Đã sao lưu vào {target}: {_total(counts)}."
                   + (f" Đã xóa {len(removed)} bản cũ." if removed else ""))

    @app.command("restore")
    def restore_command(
        source: Annotated[Path, typer.Argument(help="Tệp sao lưu (.json.gz, .db, .dump)")],
        force: Annotated[bool, typer.Option(
            "--force", help="Cho phép thay toàn bộ dữ liệu của CSDL đang có dữ liệu")] = False,
    ) -> None:
        """Khôi phục dữ liệu từ tệp sao lưu vào một CSDL trống."""
        from storage import backup as backups
        from storage.backup import BackupError

        s = settings()
        try:
            counts = run_async(backups.restore(s.database_url, source, force))
        except BackupError as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"không khôi phục được: {exc}")
        typer.echo(f"Đã khôi phục từ {source}: {_total(counts)}.")


async def make_backup(s: Settings, output: Path | None, rotate: bool
                      ) -> tuple[Path, dict[str, int], list[Path]]:
    """One backup; with `rotate`, into the backup folder, keeping the newest `backup_keep`."""
    from storage import backup as backups
    from storage.backup import BackupError

    if output is None:
        stamp = dt.datetime.now(s.zone).strftime("%Y%m%d-%H%M%S")
        folder = s.backup_dir if rotate else Path(".")
        output = folder / f"nhacviec-{stamp}{backups.default_suffix(s.database_url)}"
    if not output.parent.exists():
        if not rotate:
            raise BackupError(f"thư mục «{output.parent}» không tồn tại")
        output.parent.mkdir(parents=True)
    counts = await backups.backup(s.database_url, output)
    removed: list[Path] = []
    if rotate:
        kept = sorted(output.parent.glob("nhacviec-*"), key=lambda p: p.name, reverse=True)
        for old in kept[s.backup_keep:]:
            old.unlink()
            removed.append(old)
    return output, counts, removed


def _total(counts: dict[str, int]) -> str:
    main = {"plans": "kế hoạch", "tasks": "nhiệm vụ", "contacts": "đầu mối",
            "status_reports": "báo cáo", "outbox": "tin nhắn"}
    parts = [f"{counts.get(table, 0)} {label}" for table, label in main.items()]
    return ", ".join(parts) + f" — tổng {sum(counts.values())} dòng"
