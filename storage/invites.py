"""One-time invite codes: random (72 bits), stored hashed, expiring, single-use."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.contacts import find_agency, scope_directories
from storage.models import Agency, Assignment, Contact, EnrollAttempt, Invite, Plan, Task
from words.codes import SAFE

ATTEMPT_WINDOW = dt.timedelta(hours=1)
CODE_LENGTH = 15


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().encode()).hexdigest()


def new_code() -> str:
    """15 characters (74 random bits) of an alphabet without look-alikes (no 0/o, 1/l/i:
    words.codes.SAFE): fits a Telegram deep link and is read off a sheet without mistakes."""
    return "".join(secrets.choice(SAFE) for _ in range(CODE_LENGTH))


async def create(session: AsyncSession, agency: str | None, role: str, created_by: str,
                 ttl: dt.timedelta, now: dt.datetime) -> tuple[str, str | None]:
    """A fresh code for an agency (or for a coordinator); returns (code, canonical agency)."""
    agency_id = await find_agency(session, agency) if agency else None
    code = new_code()
    session.add(Invite(code_hash=_hash(code), agency_id=agency_id, role=role,
                       created_by=created_by, created_at=now, expires_at=now + ttl))
    await session.flush()
    name = None
    if agency_id is not None:
        name = (await session.execute(select(Agency.name).where(Agency.id == agency_id))
                ).scalar_one()
    return code, name


async def recent_failures_anywhere(session: AsyncSession, now: dt.datetime,
                                   window: dt.timedelta) -> int:
    """Wrong codes typed in any chat lately: many chats guessing at once are one attacker."""
    return int((await session.execute(
        select(func.count()).select_from(EnrollAttempt).where(
            EnrollAttempt.at > now - window))).scalar_one())


async def recent_failures(session: AsyncSession, channel: str, chat_id: str,
                          now: dt.datetime) -> int:
    return int((await session.execute(
        select(func.count()).select_from(EnrollAttempt).where(
            EnrollAttempt.channel == channel, EnrollAttempt.chat_id == chat_id,
            EnrollAttempt.at > now - ATTEMPT_WINDOW))).scalar_one())


async def redeem(session: AsyncSession, code: str, channel: str, chat_id: str, name: str,
                 now: dt.datetime) -> tuple[str, int | None]:
    """('ok', contact id) or (reason, None) with reason in wrong | used | expired |
    coordinator (a linked coordinator typed a focal point's code: it stays a coordinator and
    the code stays unused, for the person it was meant for)."""
    invite = (await session.execute(select(Invite).where(Invite.code_hash == _hash(code)))
              ).scalar_one_or_none()
    if invite is None or invite.used_at is not None:
        return ("wrong" if invite is None else "used"), None
    expires = invite.expires_at if invite.expires_at.tzinfo else invite.expires_at.replace(
        tzinfo=dt.UTC)
    if expires <= now:
        return "expired", None
    linked = (await session.execute(select(Contact.role).where(
        Contact.channel == channel, Contact.chat_id == chat_id,
        Contact.unlinked_at.is_(None)))).scalar_one_or_none()
    if linked == "coordinator" and invite.role != "coordinator":
        return "coordinator", None
    claimed = await session.execute(update(Invite).where(Invite.id == invite.id,
                                                         Invite.used_at.is_(None))
                                    .values(used_at=now).returning(Invite.id))
    if claimed.scalar_one_or_none() is None:
        return "used", None
    contact = (await session.execute(select(Contact).where(
        Contact.channel == channel, Contact.chat_id == chat_id))).scalar_one_or_none()
    if contact is None:
        contact = Contact(channel=channel, chat_id=chat_id)
        session.add(contact)
    contact.agency_id, contact.role, contact.display_name = invite.agency_id, invite.role, name
    contact.reachable, contact.unreachable_reason = True, None
    contact.linked_at, contact.unlinked_at = now, None
    await session.flush()
    invite.used_by = contact.id
    return "ok", contact.id


async def failed(session: AsyncSession, channel: str, chat_id: str, now: dt.datetime) -> None:
    session.add(EnrollAttempt(channel=channel, chat_id=chat_id, at=now))
    await session.flush()


@dataclass(frozen=True)
class Invitee:
    """A lead agency of the active plans without a linked focal point."""

    agency_id: int
    name: str
    directory: str
    kind: str
    resolved: bool


async def leads_without_focal(session: AsyncSession, plan_code: str | None = None,
                              pending_since: dt.datetime | None = None) -> list[Invitee]:
    """Agencies leading a live task of the active plans (the real ones when a real plan is
    active: storage.contacts.scope_directories) that no linked focal point covers yet; with
    `pending_since`, also none that holds a focal invite still unused and valid then."""
    scope = await scope_directories(session)
    covered = select(Contact.agency_id).where(Contact.unlinked_at.is_(None),
                                              Contact.role == "focal",
                                              Contact.agency_id.is_not(None))
    query = (select(Agency.id, Agency.name, Agency.directory, Agency.kind, Agency.resolved)
             .join(Assignment, Assignment.agency_id == Agency.id).join(Task).join(Plan)
             .where(Plan.active, Task.withdrawn_at.is_(None), Assignment.removed_at.is_(None),
                    Assignment.role == "lead", Agency.id.not_in(covered),
                    Agency.directory.in_(scope))
             .distinct())
    if plan_code is not None:
        query = query.where(Plan.code == plan_code)
    if pending_since is not None:
        query = query.where(Agency.id.not_in(select(Invite.agency_id).where(
            Invite.used_at.is_(None), Invite.expires_at > pending_since,
            Invite.role == "focal", Invite.agency_id.is_not(None))))
    rows = (await session.execute(query)).all()
    found = [Invitee(*row) for row in rows]
    return sorted(found, key=lambda row: (row.directory, row.name))


async def create_many(session: AsyncSession, agency_ids: list[int], role: str,
                      created_by: str, ttl: dt.timedelta, now: dt.datetime
                      ) -> dict[int, str]:
    """One fresh code per agency, in one insert: {agency id: code}."""
    codes = {agency_id: new_code() for agency_id in agency_ids}
    if codes:
        await session.execute(insert(Invite), [
            {"code_hash": _hash(code), "agency_id": agency_id, "role": role,
             "created_by": created_by, "created_at": now, "expires_at": now + ttl}
            for agency_id, code in codes.items()])
    return codes
