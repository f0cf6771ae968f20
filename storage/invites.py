"""One-time invite codes: random (72 bits), stored hashed, expiring, single-use."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.contacts import find_agency
from storage.models import Contact, EnrollAttempt, Invite

ATTEMPT_WINDOW = dt.timedelta(hours=1)


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().encode()).hexdigest()


def new_code() -> str:
    """15 characters of [a-z2-7]: fits a Telegram deep link and is easy to type on a phone."""
    return base64.b32encode(secrets.token_bytes(9)).decode().lower().rstrip("=")


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
        from storage.models import Agency

        name = (await session.execute(select(Agency.name).where(Agency.id == agency_id))
                ).scalar_one()
    return code, name


async def recent_failures(session: AsyncSession, channel: str, chat_id: str,
                          now: dt.datetime) -> int:
    return int((await session.execute(
        select(func.count()).select_from(EnrollAttempt).where(
            EnrollAttempt.channel == channel, EnrollAttempt.chat_id == chat_id,
            EnrollAttempt.at > now - ATTEMPT_WINDOW))).scalar_one())


async def redeem(session: AsyncSession, code: str, channel: str, chat_id: str, name: str,
                 now: dt.datetime) -> tuple[str, int | None]:
    """('ok', contact id) or (reason, None) with reason in wrong | used | expired."""
    invite = (await session.execute(select(Invite).where(Invite.code_hash == _hash(code)))
              ).scalar_one_or_none()
    if invite is None or invite.used_at is not None:
        return ("wrong" if invite is None else "used"), None
    expires = invite.expires_at if invite.expires_at.tzinfo else invite.expires_at.replace(
        tzinfo=dt.UTC)
    if expires <= now:
        return "expired", None
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
