"""`nhacviec doctor` against the local fake platforms: ✓ when all is well, ✗ and exit 1 when
not — and the bot token never appears in what it prints."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import update
from typer.testing import CliRunner

from cli.main import app
from fakes.telegram import FakeTelegram
from fakes.zalo import FakeZalo
from storage.models import Tally
from storage.uow import Database

runner = CliRunner()


def env_for(db_url: str, telegram: tuple[FakeTelegram, str], zalo: tuple[FakeZalo, str],
            **extra: str) -> dict[str, str]:
    return {"NHACVIEC_DATABASE_URL": db_url,
            "NHACVIEC_TELEGRAM_BOT_TOKEN": telegram[0].token,
            "NHACVIEC_TELEGRAM_API_BASE_URL": telegram[1],
            "NHACVIEC_ZALO_BOT_TOKEN": zalo[0].token, "NHACVIEC_ZALO_API_BASE_URL": zalo[1],
            **extra}


async def doctor(env: dict[str, str], *args: str) -> tuple[int, str]:
    done = await asyncio.to_thread(runner.invoke, app, ["doctor", *args], env=env)
    return done.exit_code, done.output


async def test_all_green_then_each_problem_is_named(
        db_url: str, telegram: tuple[FakeTelegram, str], zalo: tuple[FakeZalo, str],
        example_path: Path) -> None:
    env = env_for(db_url, telegram, zalo)
    code, out = await doctor(env)
    assert code == 1 and "chạy nhacviec db upgrade" in out  # not migrated yet
    assert (await asyncio.to_thread(runner.invoke, app, ["db", "upgrade"], env=env)).exit_code == 0
    code, out = await doctor(env)
    assert code == 0, out
    assert "✓" in out and "hợp lệ (bot nhacviec_test_bot)" in out and "Mọi thứ ổn." in out
    assert "long polling" in out and "Asia/Ho_Chi_Minh" in out
    await asyncio.to_thread(runner.invoke, app, ["import", str(example_path)], env=env)
    code, out = await doctor(env)
    assert code == 1 and "cơ quan chủ trì chưa có đầu mối" in out
    assert "khớp với đếm lại từ đầu" in out
    wrong = dict(env, NHACVIEC_TELEGRAM_BOT_TOKEN="999999:WRONG-token-for-test")
    code, out = await doctor(wrong)
    assert code == 1 and "Telegram: token" in out and "Unauthorized" in out
    assert "WRONG-token" not in out and telegram[0].token not in out
    hooked = dict(env, NHACVIEC_WEBHOOK_URL="https://bot.example.gov.vn",
                  NHACVIEC_WEBHOOK_SECRET="a-long-enough-secret")
    code, out = await doctor(hooked)
    assert code == 1 and "cấu hình cần" in out and "khởi động lại nhacviec run" in out
    code, out = await doctor(dict(env, NHACVIEC_TIMEZONE="Mars/Olympus"))
    assert code == 1 and "NHACVIEC_TIMEZONE" in out


async def test_unreachable_platform_is_a_red_line_not_a_crash(
        db_url: str, telegram: tuple[FakeTelegram, str], zalo: tuple[FakeZalo, str]) -> None:
    env = env_for(db_url, telegram, zalo,
                  NHACVIEC_ZALO_API_BASE_URL="http://127.0.0.1:9")  # nothing listens there
    await asyncio.to_thread(runner.invoke, app, ["db", "upgrade"], env=env)
    code, out = await doctor(env, "--timeout", "2")
    assert code == 1 and "Zalo: token" in out and zalo[0].token not in out


async def test_a_report_count_that_drifted_is_named(
        db_url: str, telegram: tuple[FakeTelegram, str], zalo: tuple[FakeZalo, str],
        example_path: Path) -> None:
    env = env_for(db_url, telegram, zalo)
    await asyncio.to_thread(runner.invoke, app, ["db", "upgrade"], env=env)
    await asyncio.to_thread(runner.invoke, app, ["import", str(example_path)], env=env)
    db = Database.from_url(db_url)
    async with db.uow() as uow:  # a hand edit of the table
        await uow.session.execute(update(Tally).where(Tally.id == 1).values(n=Tally.n + 1))
        await uow.commit()
    await db.dispose()
    code, out = await doctor(env)
    assert code == 1 and "Có 2 mục cần xử lý: Đầu mối, Số liệu báo cáo." in out


def test_doctor_and_directory_check_say_faults_in_vietnamese(tmp_path: Path) -> None:
    """The driver's "[Errno 111] Connection refused", httpx's "All connection attempts
    failed" and PyYAML's "expected ',' or ']'" reached the IT officer as they were."""
    from socket import socket

    with socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    runner = CliRunner()
    database = runner.invoke(app, ["doctor"], env={
        "NHACVIEC_DATABASE_URL": f"postgresql://nobody@127.0.0.1:{port}/x"})
    platform = runner.invoke(app, ["doctor"], env={
        "NHACVIEC_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "NHACVIEC_TELEGRAM_BOT_TOKEN": "1:abc",
        "NHACVIEC_TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot"})
    broken = tmp_path / "bad.yaml"
    broken.write_text("name: x\nagencies:\n  - name: [a\n", encoding="utf-8")
    yaml = runner.invoke(app, ["directory", "check", str(broken)])
    said = database.output + platform.output + yaml.output
    assert "máy chủ cơ sở dữ liệu (bị từ chối)" in database.output
    assert "không kết nối được máy chủ của nền tảng (bị từ chối)" in platform.output
    assert "thiếu dấu phẩy hoặc dấu «]»" in yaml.output
    for english in ("Connection refused", "All connection attempts", "expected ','",
                    "Errno"):
        assert english not in said
