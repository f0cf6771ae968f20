"""The real python-telegram-bot client against the project's fake Bot API server."""

from __future__ import annotations

import pytest

from bot.channels.base import Permanent, RateLimited, Transient
from bot.channels.telegram import TelegramChannel
from fakes.telegram import FakeTelegram, Fault

Fake = tuple[FakeTelegram, str]


async def channel(telegram: Fake, token: str | None = None) -> TelegramChannel:
    fake, url = telegram
    made = TelegramChannel(token or fake.token, url, timeout=1.0)
    await made.start()
    return made


async def test_sends_and_returns_the_message_id(telegram: Fake) -> None:
    sender = await channel(telegram)
    assert await sender.send("1001", "Nhắc việc: I.1") == "1"
    assert await sender.send("1001", "lần hai") == "2"
    assert [m["text"] for m in telegram[0].sent(1001)] == ["Nhắc việc: I.1", "lần hai"]
    await sender.close()


async def test_long_text_is_split_at_line_boundaries_never_refused(telegram: Fake) -> None:
    sender = await channel(telegram)
    text = "\n".join(f"{n:04d} " + "x" * 90 for n in range(100))  # ~9,500 characters
    await sender.send("1002", text)
    parts = [m["text"] for m in telegram[0].sent(1002)]
    assert len(parts) == 3 and all(len(p) <= 4096 for p in parts)
    assert "\n".join(parts) == text
    await sender.close()


async def test_wrong_token_fails_at_start(telegram: Fake) -> None:
    with pytest.raises(Transient, match=r"Unauthorized|token"):
        await channel(telegram, token="999:WRONG")


@pytest.mark.parametrize(("setup", "error", "gone"), [
    (lambda f: f.blocked.add(2001), Permanent, True),
    (lambda f: f.deactivated.add(2001), Permanent, True),
    (lambda f: f.unknown.add(2001), Permanent, True),
])
async def test_blocked_deleted_or_unknown_chats_are_permanent(telegram: Fake, setup, error,
                                                              gone) -> None:  # type: ignore[no-untyped-def]
    setup(telegram[0])
    sender = await channel(telegram)
    with pytest.raises(error) as caught:
        await sender.send("2001", "xin chào")
    assert caught.value.contact_gone is gone
    await sender.close()


async def test_flood_refusal_carries_retry_after(telegram: Fake) -> None:
    telegram[0].arm(Fault("sendMessage", times=1, retry_after=7))
    sender = await channel(telegram)
    with pytest.raises(RateLimited) as caught:
        await sender.send("3001", "xin chào")
    assert caught.value.after == 7
    await sender.close()


@pytest.mark.parametrize("fault", [
    Fault("sendMessage", times=1, status=500, description="Internal Server Error"),
    Fault("sendMessage", times=1, status=502, description="Bad Gateway"),
    Fault("sendMessage", times=1, html=True),
    Fault("sendMessage", times=1, delay=2.5),  # past the client's 1 s timeout
])
async def test_server_errors_and_timeouts_are_transient(telegram: Fake, fault: Fault) -> None:
    telegram[0].arm(fault)
    sender = await channel(telegram)
    with pytest.raises(Transient):
        await sender.send("4001", "xin chào")
    await sender.close()


async def test_bursts_to_one_chat_earn_a_429_from_the_fake(telegram: Fake) -> None:
    sender = await channel(telegram)
    with pytest.raises(RateLimited):
        for n in range(10):
            await sender.send("5001", f"tin {n}")
    assert telegram[0].refusals == 1
    await sender.close()


def test_reminder_keyboards_fit_a_phone_screen() -> None:
    """One assignment: its answers two to a row; several: one button each, every label
    within LABEL_MAX characters (about a 360-px-wide screen), opening that assignment."""
    from bot import keyboards

    one = keyboards.reminder_buttons([(7, "p4", "VIII.1", "Kế hoạch CCHC năm 2023")])
    assert [len(row) for row in one] == [2, 2, 1]
    assert all(len(b.label) <= 16 for row in one for b in row)
    many = keyboards.reminder_buttons([
        (n, f"c{n}", f"V.{n}", "Danh mục, định mức và tiêu chuẩn sử dụng tài sản công rất dài")
        for n in range(1, 14)])
    assert [len(row) for row in many] == [1] * 13
    assert all(len(row[0].label) <= keyboards.LABEL_MAX for row in many)
    assert many[0][0].label.startswith("#c1 V.1 Danh mục") and many[0][0].label.endswith("…")
    assert keyboards.parse(many[4][0].data) == ("o", 5)
