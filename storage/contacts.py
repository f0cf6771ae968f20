"""Contacts: who receives reminders for which agency, on which channel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from plan.names import match_name
from plan.text import fold
from storage.models import Agency, Contact


class ContactError(ValueError):
    """A contact cannot be added as asked; the message is for the user."""


@dataclass(frozen=True)
class ContactRow:
    id: int
    agency: str | None
    channel: str
    chat_id: str
    name: str
    role: str
    reachable: bool


async def find_agency(session: AsyncSession, name: str) -> int:
    """The agency a person means (see plan.names); refuses with "Có phải …?" otherwise."""
    rows = (await session.execute(select(Agency.id, Agency.name, Agency.aliases)
                                  .where(Agency.kind != "group"))).all()
    match = match_name(name, [(row.name, row.aliases or []) for row in rows])
    if match.found is not None:
        return int(next(row.id for row in rows if row.name == match.found))
    hint = f" {match.question()}" if match.candidates else ""
    raise ContactError(f"không có cơ quan «{name}» trong các kế hoạch đã nạp.{hint}")


async def add_contact(session: AsyncSession, agency: str | None, channel: str, chat_id: str,
                      name: str, role: str, now: dt.datetime) -> int:
    """Link a chat to an agency (focal) or to Sở Nội vụ's coordinators; refuses duplicates."""
    if role not in {"focal", "coordinator"}:
        raise ContactError("vai trò phải là focal (đầu mối) hoặc coordinator (điều phối)")
    if role == "focal" and not agency:
        raise ContactError("đầu mối phải thuộc một cơ quan")
    agency_id = await find_agency(session, agency) if agency else None
    existing = (await session.execute(select(Contact).where(
        Contact.channel == channel, Contact.chat_id == chat_id))).scalar_one_or_none()
    if existing is not None and existing.unlinked_at is None:
        raise ContactError(f"chat {channel}:{chat_id} đã được liên kết (mã liên hệ {existing.id})")
    if existing is None:
        existing = Contact(channel=channel, chat_id=chat_id)
        session.add(existing)
    existing.agency_id, existing.display_name, existing.role = agency_id, name, role
    existing.reachable, existing.unreachable_reason = True, None
    existing.linked_at, existing.unlinked_at = now, None
    await session.flush()
    return existing.id


async def list_contacts(session: AsyncSession) -> list[ContactRow]:
    rows = await session.execute(
        select(Contact.id, Agency.name, Contact.channel, Contact.chat_id, Contact.display_name,
               Contact.role, Contact.reachable)
        .outerjoin(Agency, Agency.id == Contact.agency_id)
        .where(Contact.unlinked_at.is_(None)).order_by(Contact.id))
    return [ContactRow(*row) for row in rows]


async def console_contact(session: AsyncSession, agency: str | None, now: dt.datetime) -> str:
    """The console user's chat id: focal point of `agency`, or a coordinator without one."""
    chat_id = "console:" + (fold(agency).replace(" ", "-") if agency else "dieuphoi")
    existing = (await session.execute(select(Contact.id).where(
        Contact.channel == "console", Contact.chat_id == chat_id,
        Contact.unlinked_at.is_(None)))).first()
    if existing is None:
        await add_contact(session, agency, "console", chat_id, "Console",
                          "focal" if agency else "coordinator", now)
    return chat_id


async def colleagues(session: AsyncSession, contact_id: int) -> list[tuple[int, str]]:
    """(id, name) of the other linked focal points of a contact's agency."""
    agency = select(Contact.agency_id).where(Contact.id == contact_id).scalar_subquery()
    rows = await session.execute(
        select(Contact.id, Contact.display_name)
        .where(Contact.agency_id == agency, Contact.id != contact_id, Contact.role == "focal",
               Contact.unlinked_at.is_(None)).order_by(Contact.id))
    return [(row_id, name) for row_id, name in rows]


async def set_away(session: AsyncSession, contact_id: int, until: dt.date | None,
                   stand_in: int | None) -> None:
    """Away until a day (None: back now), with the colleague who covers meanwhile."""
    await session.execute(update(Contact).where(Contact.id == contact_id)
                          .values(away_until=until, stand_in_id=stand_in))
