"""One typed settings object, read once at start-up from the environment and `.env`.

Every key is `NHACVIEC_<NAME>`; a wrong value stops the program with a message that names
the variable and says what is expected.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
DIRECTORIES_DIR = PACKAGE_DIR / "agencies"
EXAMPLE_PLAN = PACKAGE_DIR / "examples" / "kh-272-2023-kien-giang.csv"


class SettingsError(ValueError):
    """Configuration is wrong; the message is ready to print."""


def _int_list(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        except ValueError:
            raise ValueError("cần các số nguyên cách nhau bởi dấu phẩy, ví dụ 14,7,3,1") from None
    return value


def _str_list(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def parse_day(text: str) -> dt.date:
    """A day as people write it here (dd/mm/yyyy, d/m/yyyy) or as ISO (yyyy-mm-dd), the same
    reading as the bot's (words.texts.parse_date_vn); a wrong one says how to write it."""
    from words.texts import parse_date_vn

    found = parse_date_vn(text)
    if found is None:
        raise ValueError(f"ngày «{text.strip()}» không đúng; viết dạng dd/mm/yyyy, ví dụ "
                         "27/03/2023")
    return found


def _day(value: Any) -> Any:
    return parse_day(value) if isinstance(value, str) and value.strip() else value


def _days(value: Any) -> Any:
    listed = _str_list(value)
    return [parse_day(part) if isinstance(part, str) else part for part in listed] \
        if isinstance(listed, list) else listed


PLATFORMS = ("telegram", "zalo", "console")
# pydantic's English messages, said in Vietnamese (with what a right value looks like)
_MESSAGES = {
    "int_parsing": "cần một số nguyên, ví dụ 3",
    "float_parsing": "cần một số, ví dụ 30",
    "bool_parsing": "cần true hoặc false",
    "time_parsing": "cần giờ dạng HH:MM, ví dụ 08:00",
    "date_parsing": "cần ngày dạng dd/mm/yyyy, ví dụ 27/03/2023",
    "date_from_datetime_parsing": "cần ngày dạng dd/mm/yyyy, ví dụ 27/03/2023",
    "literal_error": "phải là một trong: {expected}",
    "greater_than_equal": "phải từ {ge} trở lên",
    "less_than_equal": "không được quá {le}",
    "greater_than": "phải lớn hơn {gt}",
    "less_than": "phải nhỏ hơn {lt}",
}


class Settings(BaseSettings):
    """All of nhacviec's settings; see `.env.example` for what each one does."""

    model_config = SettingsConfigDict(env_prefix="NHACVIEC_", env_file=".env",
                                      env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite:///./data/nhacviec.db"
    timezone: str = "Asia/Ho_Chi_Minh"
    agency_directory: str | None = None  # None: chosen per plan from its issuer and date
    today: dt.date | None = None

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    zalo_bot_token: SecretStr | None = None
    zalo_api_base_url: str = "https://bot-api.zaloplatforms.com"
    admin_ids: Annotated[list[str], NoDecode] = Field(default_factory=list)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1:8080"
    http_enabled: bool = False  # /healthz /readyz /metrics at webhook_listen, even when polling

    remind_days_before: Annotated[list[int], NoDecode] = Field(
        default_factory=lambda: [14, 7, 3, 1])
    remind_at: dt.time = dt.time(8, 0)
    overdue_every_working_days: int = Field(default=3, ge=1, le=60)
    escalate_after_days: int = Field(default=7, ge=1, le=365)
    digest_weekday: int = Field(default=0, ge=0, le=6)
    checkin_day: int = Field(default=20, ge=1, le=28)
    checkin_min_days: int = Field(default=30, ge=1, le=365)
    due_soon_working_days: int = Field(default=3, ge=0, le=30)  # "sắp đến hạn" threshold
    remind_coordinating: bool = False
    extra_days_off: Annotated[list[dt.date], NoDecode] = Field(default_factory=list)
    extra_working_days: Annotated[list[dt.date], NoDecode] = Field(default_factory=list)
    catchup_max_days: int = Field(default=31, ge=0, le=366)

    send_retry_base_seconds: float = Field(default=30.0, gt=0, le=86_400)
    send_retry_cap_seconds: float = Field(default=600.0, gt=0, le=86_400)
    send_lease_seconds: float = Field(default=120.0, gt=0, le=86_400)
    send_timeout_seconds: float = Field(default=10.0, gt=0, le=300)  # one platform request
    receive_claim_seconds: float = Field(default=60.0, ge=1, le=3600)  # an update in hand
    dispatch_interval_seconds: float = Field(default=5.0, gt=0, le=3600)
    telegram_rate_per_second: float = Field(default=30.0, gt=0, le=1000)
    telegram_rate_per_chat: float = Field(default=1.0, gt=0, le=100)
    zalo_rate_per_second: float = Field(default=10.0, gt=0, le=1000)
    zalo_rate_per_chat: float = Field(default=1.0, gt=0, le=100)

    # reading one plan file (CLI, chat upload or link): a worker killed past these
    parse_seconds: float = Field(default=20.0, ge=1, le=600)
    parse_memory_mb: int = Field(default=300, ge=50, le=8192)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"

    backup_dir: Path = Path("./data/backups")
    backup_keep: int = Field(default=14, ge=1, le=3650)
    backup_at: dt.time | None = None  # daily backup inside `nhacviec run`; None = off

    _parse_ints = field_validator("remind_days_before", mode="before")(_int_list)
    _parse_ids = field_validator("admin_ids", mode="before")(_str_list)
    _parse_day = field_validator("today", mode="before")(_day)
    _parse_dates = field_validator("extra_days_off", "extra_working_days", mode="before")(
        _days)

    @field_validator("admin_ids")
    @classmethod
    def _platform_prefix(cls, value: list[str]) -> list[str]:
        for entry in value:
            platform, _, chat = entry.partition(":")
            if platform not in PLATFORMS or not chat:
                raise ValueError(f"«{entry}» thiếu tên nền tảng; viết dạng telegram:123456789 "
                                 "hoặc zalo:<mã người dùng>, cách nhau bởi dấu phẩy")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{8,256}",
                                                  value.get_secret_value()):
            raise ValueError("cần 8–256 ký tự chữ, số, _ hoặc - (Telegram và Zalo đều nhận)")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value and not value.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ValueError("Telegram và Zalo chỉ gửi webhook tới địa chỉ https://")
        return value.rstrip("/") if value else value

    @field_validator("webhook_listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError("cần dạng host:port, ví dụ 127.0.0.1:8080")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"không biết múi giờ «{value}» (ví dụ đúng: Asia/Ho_Chi_Minh)"
                             ) from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql", "postgres")):
            raise ValueError("cần URL dạng sqlite:///đường/dẫn.db hoặc "
                             "postgresql://user@host:5432/tên_csdl")
        return value

    @field_validator("remind_days_before")
    @classmethod
    def _positive_days(cls, value: list[int]) -> list[int]:
        if any(day < 1 or day > 365 for day in value):
            raise ValueError("các số ngày nhắc trước phải từ 1 đến 365, ví dụ 14,7,3,1")
        return sorted(set(value), reverse=True)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


ENV_FILE_VARIABLE = "NHACVIEC_ENV_FILE"  # where the settings file is (default ./.env)


def env_file() -> Path:
    """The settings file: NHACVIEC_ENV_FILE (the service's /etc/nhacviec/nhacviec.env, so a
    command run by hand reads what the service reads), else ./.env."""
    return Path(os.environ.get(ENV_FILE_VARIABLE) or ".env")


def load_settings(**overrides: Any) -> Settings:
    """Read settings once; turn validation errors into one readable message."""
    path = env_file()
    if os.environ.get(ENV_FILE_VARIABLE) and not path.is_file():
        raise SettingsError(f"Cấu hình sai:\n  {ENV_FILE_VARIABLE}: không có tệp {path}")
    try:
        return Settings(**{"_env_file": path, **overrides})
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = "NHACVIEC_" + "_".join(str(p) for p in error["loc"][:1]).upper()
            message = str(error["msg"]).removeprefix("Value error, ")
            if error["type"] in _MESSAGES:
                message = _MESSAGES[error["type"]].format(**{
                    k: str(v).replace(" or ", " hoặc ")
                    for k, v in (error.get("ctx") or {}).items()})
            shown = "***" if "TOKEN" in name or "SECRET" in name else repr(error.get("input"))
            lines.append(f"  {name}: {message} (giá trị: {shown})")
        raise SettingsError("Cấu hình sai:\n" + "\n".join(lines)) from None


def unknown_names(environ: Mapping[str, str], settings_file: Path | None = None) -> list[str]:
    """NHACVIEC_* names that are no setting (a typo is otherwise silently ignored), each with
    the closest known name, as warnings to print."""
    import difflib

    known = {f"NHACVIEC_{name.upper()}" for name in Settings.model_fields} | {ENV_FILE_VARIABLE}
    names = {n for n in environ if n.startswith("NHACVIEC_")}
    settings_file = settings_file or env_file()
    if settings_file.is_file():
        for line in settings_file.read_text(encoding="utf-8", errors="replace").splitlines():
            name = line.split("=", 1)[0].strip().removeprefix("export ").strip()
            if "=" in line and name.startswith("NHACVIEC_"):
                names.add(name)
    warnings = []
    for name in sorted(names - known):
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f"; có phải {close[0]}?" if close else ""
        warnings.append(f"Cảnh báo: không có thiết lập {name} (bị bỏ qua){hint}")
    return warnings
