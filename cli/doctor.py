"""`nhacviec doctor`: one table of ✓/✗ an IT officer can read before calling anyone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.common import run_async

if TYPE_CHECKING:  # loaded by the commands that use them: `--help` stays quick
    import httpx

    from config.settings import Settings
    from storage.uow import Database

BACKLOG = dt.timedelta(hours=1)  # an undelivered message older than this is a problem


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def register(app: typer.Typer) -> None:
    @app.command("doctor")
    def doctor(
        timeout: Annotated[float, typer.Option(help="Giây chờ mỗi nền tảng chat")] = 10.0,
    ) -> None:
        """Kiểm tra cấu hình, CSDL, token, webhook, đồng hồ, danh mục, đầu mối, hàng đợi,
        số liệu báo cáo."""
        from rich.console import Console
        from rich.table import Table

        from config.settings import SettingsError, load_settings

        try:
            s = load_settings()
        except SettingsError as exc:
            results = [Check("Cấu hình", False, str(exc))]
        else:
            results = [Check("Cấu hình", True, "đọc được mọi biến NHACVIEC_*")]
            results += run_async(_checks(s, timeout))
        table = Table(title="nhacviec doctor", show_lines=False)
        for column in ("", "Hạng mục", "Kết quả"):
            table.add_column(column)
        for check in results:
            table.add_row("✓" if check.ok else "✗", check.name, check.detail)
        Console(width=200).print(table)
        failed = [c.name for c in results if not c.ok]
        if failed:
            typer.echo(f"Có {len(failed)} mục cần xử lý: {', '.join(failed)}.")
            raise typer.Exit(1)
        typer.echo("Mọi thứ ổn.")


async def _checks(s: Settings, timeout: float) -> list[Check]:
    import httpx

    from storage.uow import Database

    results = [_clock(s), _directory(s)]
    db = Database.from_url(s.database_url)
    try:
        results += await _database(db, dt.datetime.now(s.zone).date())
    finally:
        await db.dispose()
    async with httpx.AsyncClient(timeout=timeout) as http:
        if s.telegram_bot_token:
            token = s.telegram_bot_token.get_secret_value()
            results += await _platform(
                http, "Telegram", f"{s.telegram_api_base_url}{token}",
                f"{s.webhook_url}/telegram/webhook" if s.webhook_url else "")
        if s.zalo_bot_token:
            results += await _platform(
                http, "Zalo", f"{s.zalo_api_base_url}/bot{s.zalo_bot_token.get_secret_value()}",
                f"{s.webhook_url}/zalo/webhook" if s.webhook_url else "")
    if not (s.telegram_bot_token or s.zalo_bot_token):
        results.append(Check("Nền tảng chat", False, "chưa đặt NHACVIEC_TELEGRAM_BOT_TOKEN "
                                                     "hay NHACVIEC_ZALO_BOT_TOKEN: bot chỉ "
                                                     "chạy trên console"))
    return results


def _clock(s: Settings) -> Check:
    now = dt.datetime.now(s.zone)
    detail = f"{now:%d/%m/%Y %H:%M} giờ {s.timezone} (UTC{now:%z})"
    if s.today:
        return Check("Đồng hồ", False, f"NHACVIEC_TODAY={s.today:%d/%m/%Y} đang giả lập ngày; "
                                       "bỏ biến này khi chạy thật · " + detail)
    return Check("Đồng hồ", True, detail)


def _directory(s: Settings) -> Check:
    from config.directories import available, load_named
    from plan.agencies import DirectoryError

    if s.agency_directory is None:
        return Check("Danh mục cơ quan", True, f"chọn theo cơ quan ban hành từng kế hoạch "
                                              f"({len(available())} danh mục có sẵn)")
    try:
        directory = load_named(s.agency_directory)
    except DirectoryError as exc:
        return Check("Danh mục cơ quan", False, str(exc))
    return Check("Danh mục cơ quan", True,
                 f"{s.agency_directory}: {len(directory.agencies)} cơ quan")


async def _database(db: Database, today: dt.date) -> list[Check]:
    from storage import health, outbox, tallies
    from storage.db import sqlite_exists
    from storage.migrate import current_revision, head_revision
    from tracking.status import Day

    url = db.engine.url
    if url.get_backend_name() == "sqlite" and not sqlite_exists(
            url.render_as_string(hide_password=False)):  # connecting would create it
        return [Check("Cơ sở dữ liệu", False, f"chưa có tệp «{url.database}»: chạy "
                                               "nhacviec db upgrade")]
    try:
        current = await current_revision(db.engine)
    except Exception as exc:  # unreachable server, wrong password…
        from cli.faults import explain

        return [Check("Cơ sở dữ liệu", False, explain(exc) or
                      f"không kết nối được máy chủ cơ sở dữ liệu ({type(exc).__name__})")]
    head = head_revision()
    if current != head:
        return [Check("Cơ sở dữ liệu", False, f"phiên bản {current or 'trống'}, cần {head}: "
                                               "chạy nhacviec db upgrade")]
    results = [Check("Cơ sở dữ liệu", True, f"{db.engine.dialect.name}, phiên bản {head}")]
    async with db.uow() as uow:
        # the weekly digest's list: lead agencies with open work and no reachable focal point
        digest = await outbox.digest_data(uow.session, Day.of(today, db.calendar), limit=5)
        found = await health.vitals(uow.session)
        differ = await tallies.check(uow.session, repair=False)
    missing, total = digest.without_contact, digest.without_contact_total
    results.append(Check("Đầu mối", not missing,
                         "mọi cơ quan chủ trì đã có đầu mối" if not missing else
                         f"{total} cơ quan chủ trì chưa có đầu mối nhận được tin: "
                         + ", ".join(missing) + (" …" if total > len(missing) else "")
                         + " — mời tất cả một lần: nhacviec invite --all -o moi.xlsx"))
    states: dict[str, int] = {}
    for (_, state), n in found.outbox.items():
        states[state] = states.get(state, 0) + n
    age = dt.datetime.now(dt.UTC) - found.oldest_pending if found.oldest_pending else None
    summary = ", ".join(f"{state}: {n}" for state, n in sorted(states.items())) or "trống"
    late = age is not None and age > BACKLOG
    dead_hint = " · xem: nhacviec outbox dead" if states.get("dead") else ""
    results.append(Check("Hàng đợi tin", not late and not states.get("dead"),
                         summary + (f" · tin chờ lâu nhất {age.total_seconds() / 3600:.1f} giờ"
                                    if late and age else "") + dead_hint))
    results.append(Check("Tin nhận", not found.inbox_failing and not found.inbox_dead,
                         (f"{found.inbox_waiting} tin đang xử lý" if not found.inbox_failing else
                          f"{found.inbox_failing} tin nhận chưa xử lý được, đang thử lại; lỗi "
                          f"gần nhất: {found.inbox_error or '—'}")
                         + (f" · {found.inbox_dead} tin đã để riêng vì bot dừng khi xử lý: "
                            "nhacviec inbox" if found.inbox_dead else "")))
    results.append(Check("Số liệu báo cáo", not differ,
                         "khớp với đếm lại từ đầu" if not differ else
                         f"{differ} số đếm lệch so với đếm lại; lần quét hằng ngày sẽ sửa, "
                         "hoặc chạy lại nhacviec import"))
    return results


async def _platform(http: httpx.AsyncClient, name: str, base: str, expected: str
                    ) -> list[Check]:
    import httpx

    try:
        me = await _call(http, f"{base}/getMe")
        info = await _call(http, f"{base}/getWebhookInfo")
    except (httpx.HTTPError, ValueError) as exc:
        from cli.faults import platform

        return [Check(f"{name}: token", False, _clean(platform(exc), base))]
    if not me.get("ok"):
        return [Check(f"{name}: token", False, f"bị từ chối: {me.get('description', me)}")]
    who = me["result"].get("username") or me["result"].get("account_name") or "?"
    checks = [Check(f"{name}: token", True, f"hợp lệ (bot {who})")]
    url = str((info.get("result") or {}).get("url", ""))
    if url == expected:
        detail = f"webhook {url}" if url else "không đặt webhook (nhận tin bằng long polling)"
        error = (info.get("result") or {}).get("last_error_message")
        checks.append(Check(f"{name}: webhook", not error, detail + (f" · lỗi: {error}"
                                                                   if error else "")))
    else:
        checks.append(Check(f"{name}: webhook", False,
                            f"đang là «{url or 'không có'}», cấu hình cần "
                            f"«{expected or 'không có'}»: khởi động lại nhacviec run"))
    return checks


async def _call(http: httpx.AsyncClient, url: str) -> dict[str, Any]:
    response = await http.post(url, json={})  # both platforms take POST with a JSON body
    data = response.json()
    if not isinstance(data, dict):
        raise ValueError("trả lời không phải JSON")
    return data


def _clean(message: str, base: str) -> str:
    """Errors quote the URL, and the URL holds the token: never print it."""
    return message.replace(base, "<api>")
