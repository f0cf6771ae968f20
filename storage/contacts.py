"""Contacts: who receives reminders for which agency, on which channel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from plan.names import match_name
from plan.text import fold
from storage.models import Agency, Contact, Plan


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


DEMO_PREFIX = "DEMO-"  # the bundled example plan's number (cli.demo)


class AgencyAmbiguous(ContactError):
    """A name found in the directories of several active plans: the person must choose."""

    def __init__(self, name: str, choices: list[str]) -> None:
        self.choices = choices
        listed = "; ".join(f"{n}) {choice}" for n, choice in enumerate(choices, 1))
        super().__init__(f"«{name}» có trong danh mục của nhiều kế hoạch đang theo dõi: "
                         f"{listed}. Hãy ghi rõ một lựa chọn (tên @danh-mục) như trên.")


async def scope_directories(session: AsyncSession) -> list[str]:
    """Directories a typed name is resolved against: those of the active plans, the demo's
    only while no real plan is active, every directory when no plan is loaded yet."""
    rows = (await session.execute(select(Plan.code, Plan.directory).where(Plan.active)
                                  .order_by(Plan.id))).all()
    real = [directory for code, directory in rows if not code.startswith(DEMO_PREFIX)]
    return list(dict.fromkeys(real or [directory for _, directory in rows]))


def split_qualifier(name: str) -> tuple[str, str | None]:
    """`Sở Tư pháp @an-giang-2025` → ("Sở Tư pháp", "an-giang-2025")."""
    base, at, qualifier = name.rpartition("@")
    if at and base.strip() and qualifier.strip() and " " not in qualifier.strip():
        return base.strip(), qualifier.strip()
    return name.strip(), None


async def find_agency(session: AsyncSession, name: str) -> int:
    """The agency a person means (see plan.names), in the directories of the active plans
    (`scope_directories`); refuses with "Có phải …?" when unknown and lists the choices when
    the name is in several directories — never the first one found."""
    typed, qualifier = split_qualifier(name)
    scope = await scope_directories(session)
    if qualifier is not None:
        if qualifier not in scope:
            raise ContactError(f"không có kế hoạch đang theo dõi nào dùng danh mục "
                               f"«{qualifier}»; các danh mục: {', '.join(scope) or 'chưa có'}")
        scope = [qualifier]
    query = select(Agency.id, Agency.name, Agency.aliases, Agency.directory).where(
        Agency.kind != "group")
    if scope:
        query = query.where(Agency.directory.in_(scope))
    rows = (await session.execute(query.order_by(Agency.id))).all()
    entries = {row.name: list(row.aliases or []) for row in rows}
    match = match_name(typed, list(entries.items()))
    if match.found is not None:
        found = [row for row in rows if row.name == match.found]
        if len(found) == 1:
            return int(found[0].id)
        raise AgencyAmbiguous(typed, [f"{row.name} @{row.directory}" for row in found])
    hint = f" {match.question()}" if match.candidates else ""
    raise ContactError(f"không có cơ quan «{typed}» trong các kế hoạch đã nạp.{hint}")


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
