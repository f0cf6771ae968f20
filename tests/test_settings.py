"""Settings fail fast with a message naming the variable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from config.settings import SettingsError, load_settings
from storage.db import async_url


def test_defaults_are_the_embedded_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NHACVIEC_DATABASE_URL", raising=False)
    settings = load_settings(_env_file=None)
    assert settings.database_url == "sqlite:///./data/nhacviec.db"
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.remind_days_before == [14, 7, 3, 1]
    assert settings.remind_at == dt.time(8, 0)


def test_lists_and_dates_come_from_plain_environment_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NHACVIEC_REMIND_DAYS_BEFORE", "3, 10,1")
    monkeypatch.setenv("NHACVIEC_TODAY", "2023-09-29")
    monkeypatch.setenv("NHACVIEC_ADMIN_IDS", "telegram:1001, zalo:abc")
    settings = load_settings(_env_file=None)
    assert settings.remind_days_before == [10, 3, 1]
    assert settings.today == dt.date(2023, 9, 29)
    assert settings.admin_ids == ["telegram:1001", "zalo:abc"]


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("NHACVIEC_TIMEZONE", "Asia/Hanoi_City", "múi giờ"),
    ("NHACVIEC_DATABASE_URL", "mysql://x", "sqlite:///"),
    ("NHACVIEC_REMIND_DAYS_BEFORE", "0,7", "từ 1 đến 365"),
    ("NHACVIEC_TODAY", "31/02/2023", "viết dạng dd/mm/yyyy, ví dụ 27/03/2023"),
    ("NHACVIEC_LOG_FORMAT", "xml", "phải là một trong: 'text' hoặc 'json'"),
    ("NHACVIEC_REMIND_AT", "8 giờ", "cần giờ dạng HH:MM, ví dụ 08:00"),
    ("NHACVIEC_CHECKIN_DAY", "31", "không được quá 28"),
    ("NHACVIEC_HTTP_ENABLED", "có", "cần true hoặc false"),
    ("NHACVIEC_BACKUP_KEEP", "mười", "cần một số nguyên"),
    ("NHACVIEC_ADMIN_IDS", "123456", "thiếu tên nền tảng; viết dạng telegram:123456789"),
])
def test_wrong_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str,
                                        expected: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    assert name in str(caught.value) and expected in str(caught.value)


@pytest.mark.parametrize(("url", "expected"), [
    ("sqlite:///./data/x.db", "sqlite+aiosqlite:///./data/x.db"),
    ("postgresql://postgres@127.0.0.1:5432/test", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"),
    ("postgres://u:p@h/db", "postgresql+asyncpg://u:p@h/db"),
    ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
])
def test_the_async_driver_is_chosen_for_plain_urls(url: str, expected: str) -> None:
    assert async_url(url) == expected


def test_env_example_documents_every_setting() -> None:
    import re
    from pathlib import Path

    from config.settings import Settings

    example = (Path(__file__).resolve().parent.parent / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"NHACVIEC_[A-Z_]+", example))
    # NHACVIEC_ENV_FILE names the settings file itself (config.settings.env_file)
    assert documented == {f"NHACVIEC_{name.upper()}" for name in Settings.model_fields} | {
        "NHACVIEC_ENV_FILE"}


def test_days_are_read_as_people_write_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NHACVIEC_TODAY", "27/03/2023")
    monkeypatch.setenv("NHACVIEC_EXTRA_DAYS_OFF", "2/9/2023, 2023-09-01")
    settings = load_settings(_env_file=None)
    assert settings.today == dt.date(2023, 3, 27)
    assert settings.extra_days_off == [dt.date(2023, 9, 2), dt.date(2023, 9, 1)]


def test_a_misspelled_setting_is_warned_about_with_the_closest_name(tmp_path: Path) -> None:
    from config.settings import unknown_names

    env = tmp_path / ".env"
    env.write_text("NHACVIEC_TELEGRAM_BOT_TOKN=1\n# NHACVIEC_NOT_READ=1\n", encoding="utf-8")
    warned = unknown_names({"NHACVIEC_REMIND_DAY_BEFORE": "3", "NHACVIEC_TODAY": "x",
                            "PATH": "/bin"}, env)
    assert warned == [
        "Cảnh báo: không có thiết lập NHACVIEC_REMIND_DAY_BEFORE (bị bỏ qua); có phải "
        "NHACVIEC_REMIND_DAYS_BEFORE?",
        "Cảnh báo: không có thiết lập NHACVIEC_TELEGRAM_BOT_TOKN (bị bỏ qua); có phải "
        "NHACVIEC_TELEGRAM_BOT_TOKEN?"]
