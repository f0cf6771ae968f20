"""Logging set-up: one line per event (text or JSON), secrets redacted from every record."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable

# Invite codes travel as "/start <code>" and "?start=<code>"; libraries log update payloads
# at DEBUG, so the code after either is masked too.
INVITE = re.compile(r"(/start(?:@\w+)?\s+|[?&]start=)[^\s'\"&,)}\]]+")


class Redact(logging.Filter):
    """Replace every configured secret (bot tokens, …) and every invite code in a record."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for secret in self.secrets:
            message = message.replace(secret, "***")
        message = INVITE.sub(r"\1***", message)
        record.msg, record.args = message, None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps({"time": self.formatTime(record), "level": record.levelname,
                           "logger": record.name, "message": record.getMessage()},
                          ensure_ascii=False)


def setup(level: str, fmt: str, secrets: Iterable[str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(Redact(secrets))
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
