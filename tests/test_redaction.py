"""Secrets never reach logs or error lines: tokens, the webhook secret, invite codes — in the
message, in arguments, in tracebacks, at every level."""

from __future__ import annotations

import io
import logging

import pytest

from cli import logs

TOKEN = "123456789:AAH-abcdefghijklmnopqrstuvwxyz_0123"
ZALO = "4455667788:zalo-secret-token-value-for-tests-xyz"
WEBHOOK = "s3cret_TOKEN-1"


@pytest.fixture
def captured() -> io.StringIO:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(logs.Redact([TOKEN, ZALO, WEBHOOK]))
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log = logging.getLogger("test.redaction")
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG)
    log.propagate = False
    yield out
    logs.remember([])


def test_every_kind_of_secret_is_masked_at_debug(captured: io.StringIO) -> None:
    log = logging.getLogger("test.redaction")
    log.debug("POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
    log.debug("zalo token %s, header X-Telegram-Bot-Api-Secret-Token: %s", ZALO, WEBHOOK)
    log.debug("update {'text': '/start Kq7xYz2M', 'link': 'https://t.me/b?start=Kq7xYz2M'}")
    log.debug("an unconfigured one: https://x/bot987654321:ZZZ-abcdefghijklmnopqrstuvwxyz_98/y")
    try:
        raise RuntimeError(f"Client error for url https://api.telegram.org/bot{TOKEN}/x")
    except RuntimeError:
        log.exception("send failed")
    text = captured.getvalue()
    for secret in (TOKEN, ZALO, WEBHOOK, "Kq7xYz2M", "987654321:ZZZ"):
        assert secret not in text, secret
    assert text.count("***") >= 7 and "Traceback" in text and "RuntimeError" in text


def test_cli_error_lines_are_masked_too(capsys: pytest.CaptureFixture[str]) -> None:
    import typer

    from cli.common import fail

    logs.remember([WEBHOOK])
    with pytest.raises(typer.Exit):
        fail(f"không kết nối được https://api.telegram.org/bot{TOKEN}/getMe (secret {WEBHOOK})")
    err = capsys.readouterr().err
    assert err.startswith("Lỗi: ") and TOKEN not in err and WEBHOOK not in err
    logs.remember([])


def test_an_evidence_file_is_kept_without_a_url_that_holds_the_bot_token() -> None:
    """A local Bot API server answers getFile with an absolute path: the URL built from it
    holds the token, and it was stored in the evidence row."""
    from bot.answering import _file_dict
    from bot.types import FileRef, Incoming

    token = "123456789:AAEhBOweik6ad6PsVGZKB8Nyz9KEo8Hc1xA"
    message = Incoming("telegram", "1", "", "Lan", file=FileRef(
        "document", "BQAC-1", "bao-cao.pdf", 1200, f"http://127.0.0.1:8081/file/bot{token}/"
        "var/lib/telegram-bot-api/documents/file_1.pdf"))
    kept = _file_dict(message)
    assert kept is not None and kept["file_id"] == "BQAC-1" and kept["url"] is None
    assert token not in str(kept)


def test_invite_codes_are_masked_in_any_case_and_in_the_invite_reply() -> None:
    from config.redaction import mask_codes

    for text in ("/START K7M2Q9XZPA4W8CD", "https://t.me/nhacviec_bot?start=k7m2q9xzpa4w8cd",
                 "Mã mời cho Sở Tư pháp: kxmzqhxzpabwkcd (dùng một lần, hết hạn sau 7 ngày)."):
        masked = mask_codes(text)
        assert "***" in masked and "k7m2q9xzpa4w8cd" not in masked.lower()
        assert "kxmzqhxzpabwkcd" not in masked
    assert mask_codes("Sở Khoa học và Công nghệ báo cáo") == "Sở Khoa học và Công nghệ báo cáo"
