"""`#mã` codes: new ones avoid look-alike characters, ones already sent keep working."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from plan.agencies import Directory
from storage.migrate import downgrade, upgrade
from storage.models import Assignment
from storage.uow import Database
from tests.engine_helpers import load_example
from words import codes
from words.codes import MAX_ID, CodeScheme

LOOK_ALIKES = set("01ilo")


@given(st.integers(min_value=1, max_value=MAX_ID), st.integers(min_value=0, max_value=10**6))
def test_every_id_has_one_code_and_new_codes_have_no_look_alikes(assignment_id: int,
                                                                 legacy_max: int) -> None:
    scheme = CodeScheme(legacy_max)
    code = scheme.encode(assignment_id)
    assert scheme.decode(code) == assignment_id
    assert scheme.decode(code.upper()) == assignment_id and scheme.decode("#" + code) == \
        assignment_id
    if assignment_id > legacy_max:
        assert not LOOK_ALIKES & set(code)


def test_old_codes_stay_valid_and_cannot_be_mistaken_for_new_ones() -> None:
    scheme = CodeScheme(legacy_max=500)  # codes 1 … "dw" were sent before the upgrade
    assert scheme.encode(367) == "a7" and scheme.decode("a7") == 367  # as sent in 2023
    assert scheme.encode(24) == "o" and scheme.decode("o") == 24
    assert len(scheme.encode(501)) == 3  # one longer than any old code
    assert scheme.decode("zz") is None  # base 36 of 1295: not an id of the old scheme
    assert scheme.decode("o0l") is None and scheme.decode("") is None
    assert CodeScheme().decode("a7") == 8 * 31 + 5  # a new database: every code is safe


async def test_upgrading_a_database_with_assignments_keeps_their_codes(
        db: Database, db_url: str, example_path: Path, directory: Directory) -> None:
    await load_example(db, example_path, directory)
    async with db.uow() as uow:
        last = (await uow.session.execute(select(func.max(Assignment.id)))).scalar_one()
    await db.dispose()
    await asyncio.to_thread(downgrade, db_url, "0008")
    await asyncio.to_thread(upgrade, db_url)
    try:
        await db.load_codes()
        assert codes.assignment_code(last) == format_base36(last)
        assert codes.code_to_id(format_base36(last)) == last
    finally:
        codes.use(CodeScheme())


async def test_a_new_database_hands_out_safe_codes(db: Database) -> None:
    await db.load_codes()
    assert codes.assignment_code(24) == "t"  # base 36 would have said "o"
    assert codes.code_to_id("t") == 24


def format_base36(value: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while value:
        value, digit = divmod(value, 36)
        out = digits[digit] + out
    return out


@pytest.fixture(autouse=True)
def _reset_scheme() -> None:
    codes.use(CodeScheme())
