"""Logging set-up: one line per event (text or JSON), secrets redacted from every record."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from collections.abc import Iterable

# Invite codes ("/start <code>" in any case, "?start=<code>", a code alone), a Telegram bot
# token anywhere (configured or not), the webhook secret as Telegram sends it back: the
# patterns live in config.redaction, shared with what storage keeps.
from config.redaction import HEADER, TOKEN, mask_codes

_secrets: list[str] = []


def redact(text: str) -> str:
    """`text` with every configured secret, bot token and invite code masked: for log
    records and for the CLI's error lines alike."""
    for secret in _secrets:
        text = text.replace(secret, "***")
    text = TOKEN.sub("***", text)
    text = HEADER.sub(r"\1***", text)
    return mask_codes(text)


class Redact(logging.Filter):
    """Mask secrets in a record's message and in its traceback, at every level."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        remember(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def remember(secrets: Iterable[str]) -> None:
    """The values to mask (tokens, the webhook secret); longest first, so a secret that
    contains another is masked whole."""
    _secrets[:] = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps({"time": self.formatTime(record), "level": record.levelname,
                           "logger": record.name, "message": record.getMessage()},
                          ensure_ascii=False)


def setup(level: str, fmt: str, secrets: Iterable[str], zone: dt.tzinfo | None = None) -> None:
    """Times in the configured zone (the province's clock, not the server's UTC)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(Redact(secrets))
    formatter = JsonFormatter() if fmt == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s")
    if zone is not None:
        formatter.converter = lambda seconds: (
            dt.datetime.fromtimestamp(seconds or 0, zone).timetuple())
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def quiet_console(level_set: bool) -> None:
    """On the console chat, log lines would interleave with the conversation: only warnings
    and errors are shown there, unless NHACVIEC_LOG_LEVEL asks for more."""
    if not level_set:
        logging.getLogger().setLevel(logging.WARNING)
