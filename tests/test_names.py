"""One way to find an agency from what a person typed, everywhere it is asked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.handlers import Handlers
from bot.types import Incoming
from plan.agencies import Directory
from plan.names import match_name
from storage.contacts import ContactError, add_contact
from storage.uow import Database
from tests.engine_helpers import contact, load_example

ENTRIES = [("Sở Tư pháp", ["STP"]), ("Sở Khoa học và Công nghệ", ["Sở KH&CN"]),
           ("Văn phòng UBND tỉnh", ["VP UBND tỉnh"]), ("Sở Tài chính", [])]


@pytest.mark.parametrize(("typed", "found"), [
    ("Sở Tư pháp", "Sở Tư pháp"), ("so tu phap", "Sở Tư pháp"), ("Sở Tư phap", "Sở Tư pháp"),
    ("STP", "Sở Tư pháp"), ("tư pháp", "Sở Tư pháp"), ("sở kh & cn", "Sở Khoa học và Công nghệ"),
    ("Sở KHCN", "Sở Khoa học và Công nghệ"), ("vp ubnd tinh", "Văn phòng UBND tỉnh"),
    ("tai chinh", "Sở Tài chính")])
def test_names_abbreviations_and_missing_diacritics(typed: str, found: str) -> None:
    assert match_name(typed, ENTRIES).found == found


def test_a_typo_gets_a_question_not_a_bare_refusal() -> None:
    match = match_name("Sở Tư phá", ENTRIES)
    assert match.found is None and match.question().startswith("Có phải «Sở Tư pháp»")
    assert match_name("sở", ENTRIES).found is None  # too vague: several candidates offered
    assert len(match_name("sở", ENTRIES).candidates) == 3


async def test_bot_and_invite_answer_with_the_same_question(
        db: Database, example_path: Path, directory: Directory) -> None:
    await load_example(db, example_path, directory)
    await contact(db, None, "dp", role="coordinator", channel="telegram")
    bot = Handlers(db, lambda: dt.date(2023, 2, 1), lambda: dt.datetime(2023, 2, 1, tzinfo=dt.UTC))
    [reply] = await bot.handle(Incoming("telegram", "dp", "/nhiemvu Sở Tư phá"))
    assert "Không tìm thấy cơ quan «Sở Tư phá». Có phải «Sở Tư pháp»?" in reply.text
    [found] = await bot.handle(Incoming("telegram", "dp", "/nhiemvu stp"))
    assert found.text.startswith("Sở Tư pháp —")
    async with db.uow() as uow:
        with pytest.raises(ContactError, match="Có phải «Sở Tư pháp»"):
            await add_contact(uow.session, "Sở Tư phá", "telegram", "x", "x", "focal",
                              dt.datetime(2023, 2, 1, tzinfo=dt.UTC))
