"""`nhacviec report`: the progress report as .xlsx, .csv or .md, and its chart as .png."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import date_option, fail, settings, with_app

if TYPE_CHECKING:  # loaded by the commands that use them: `--help` stays quick
    from cli.bootstrap import App
    from reports.state import Scope
    from storage.uow import UnitOfWork


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report(
        as_of: Annotated[str | None, typer.Option(
            "--as-of", help="Tình hình tính đến hết ngày dd/mm/yyyy (mặc định hôm nay)")] = None,
        fmt: Annotated[str, typer.Option(
            "--format", help="xlsx (3 trang tính), csv (bảng tiến độ) hoặc md (tổng hợp)")
        ] = "xlsx",
        output: Annotated[Path | None, typer.Option(
            "-o", "--output", help="Tệp kết quả (mặc định bao-cao-cchc-<ngày>.<định dạng>; "
            "md không có -o thì in ra màn hình)")] = None,
        chart: Annotated[Path | None, typer.Option(
            "--chart", help="Vẽ thêm biểu đồ ra tệp .png")] = None,
        no_history: Annotated[bool, typer.Option(
            "--no-history", help="Bỏ trang «Lịch sử» (mọi báo cáo đã nhận) cho tệp nhỏ, nhanh")
        ] = False,
        plan: Annotated[list[str] | None, typer.Option(
            "--plan", help="Chỉ kế hoạch có số hiệu này (lặp lại được); mặc định mọi kế "
            "hoạch đang theo dõi")] = None,
    ) -> None:
        """Xuất báo cáo tiến độ cho Sở Nội vụ."""
        from cli.bootstrap import build
        from reports import build as reports

        if fmt not in reports.FORMATS:
            fail(f"--format «{fmt}» không hỗ trợ; chọn một trong: {', '.join(reports.FORMATS)}")
        if chart is not None and chart.suffix.lower() != ".png":
            fail("--chart phải là tệp .png")
        built = build(settings())
        day = date_option(as_of, "--as-of")
        if day is not None and day > built.today():
            fail(f"--as-of {day:%d/%m/%Y} là ngày trong tương lai; chưa có số liệu của ngày đó")
        target = output
        if target is None and fmt != "md":
            target = Path(f"bao-cao-cchc-{(day or built.today()).isoformat()}.{fmt}")
        for path in (target, chart):
            if path is not None and not path.parent.exists():
                fail(f"thư mục «{path.parent}» không tồn tại")
        message = with_app(lambda a: _report(a, day, list(plan or []), fmt, target, chart,
                                             not no_history), app=built)
        typer.echo(message)


async def _report(app: App, as_of: dt.date | None, plans: list[str], fmt: str,
                  target: Path | None, chart: Path | None, history: bool) -> str:
    from reports import build as reports
    from reports.state import scope

    s = scope(app.today(), as_of, app.settings.zone, plans, app.calendar(),
              app.settings.due_soon_working_days)
    async with app.db.uow() as uow:
        await _check_plans(uow, s)
        lines = []
        if target is None:
            lines.append((await reports.markdown(uow.session, s)).rstrip())
        else:
            written = await reports.write(uow.session, s, fmt, target, app.settings.zone,
                                          history)
            extra = f", {written.answers} báo cáo trong «Lịch sử»" if fmt == "xlsx" and history \
                else ""
            lines.append(f"Đã ghi {target} ({written.assignments} phân công chủ trì{extra}), "
                         f"tính đến hết ngày {s.day:%d/%m/%Y}.")
        if chart is not None:
            chart.write_bytes(await reports.picture(uow.session, s))
            lines.append(f"Đã vẽ biểu đồ {chart}.")
    return "\n".join(lines)


async def _check_plans(uow: UnitOfWork, s: Scope) -> None:
    from storage import queries

    known = {row.code: row for row in await queries.plans(uow.session)}
    unknown = [code for code in s.plans if code not in known]
    if unknown:
        fail(f"không có kế hoạch {', '.join(unknown)}; các kế hoạch đã nhập: "
             f"{', '.join(known) or 'chưa có'}")
    if not s.plans and not any(row.active for row in known.values()):
        fail("chưa có kế hoạch nào đang theo dõi; hãy chạy: nhacviec import <tệp kế hoạch>")
