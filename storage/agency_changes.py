"""Merging and renaming agencies without losing or rewriting anyone's history.

A merge moves the old body's open assignments and its contacts to the new body (an
assignment the new body already has stays with the old one, marked removed, so its answers
are kept as they were); a rename changes the name in place. Both are recorded, and every
re-import maps the old name to the new one, so the plan's old wording keeps landing on the
body that now does the work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from plan.text import fold
from storage import tallies
from storage.models import Agency, AgencyChange, Assignment, Contact, Task


class AgencyChangeError(ValueError):
    """The change cannot be made; the message says why, in Vietnamese."""


@dataclass(frozen=True)
class ChangeReport:
    directories: list[str]
    moved_assignments: int
    kept_with_old: int
    moved_contacts: int


async def _by_name(session: AsyncSession, name: str) -> dict[str, Agency]:
    """Agencies of that name (diacritics and case aside), by directory."""
    rows = (await session.execute(select(Agency))).scalars().all()
    return {a.directory: a for a in rows if fold(a.name) == fold(name)}


async def rename(session: AsyncSession, old: str, new: str, now: dt.datetime,
                 note: str = "") -> ChangeReport:
    olds, news = await _by_name(session, old), await _by_name(session, new)
    if not olds:
        raise AgencyChangeError(f"không có cơ quan «{old}» trong các kế hoạch đã nạp")
    taken = sorted(set(olds) & set(news))
    if taken:
        raise AgencyChangeError(f"đã có cơ quan «{new}» (danh mục {', '.join(taken)}); muốn "
                                "gộp hai cơ quan thì dùng `nhacviec agencies merge`")
    for directory, agency in olds.items():
        session.add(AgencyChange(directory=directory, old_name=agency.name, new_name=new,
                                 kind="rename", note=note, changed_at=now))
        agency.name = new
    await session.flush()
    return ChangeReport(sorted(olds), 0, 0, 0)


async def merge(session: AsyncSession, old: str, new: str, now: dt.datetime,
                note: str = "") -> ChangeReport:
    olds, news = await _by_name(session, old), await _by_name(session, new)
    if not olds:
        raise AgencyChangeError(f"không có cơ quan «{old}» trong các kế hoạch đã nạp")
    pairs = [(olds[d], news[d]) for d in sorted(olds) if d in news]
    if not pairs:
        raise AgencyChangeError(f"không có cơ quan «{new}» cùng danh mục với «{old}»; muốn đổi "
                                "tên thì dùng `nhacviec agencies rename`")
    if any(a.id == b.id for a, b in pairs):
        raise AgencyChangeError("hai tên là cùng một cơ quan")
    moved = kept = contacts = 0
    plans: set[int] = set()
    for source, target in pairs:
        m, k, p = await _move_assignments(session, source.id, target.id, now)
        moved, kept, plans = moved + m, kept + k, plans | p
        result = await session.execute(update(Contact).where(Contact.agency_id == source.id)
                                       .values(agency_id=target.id))
        contacts += int(result.rowcount or 0)  # type: ignore[attr-defined]
        session.add(AgencyChange(directory=source.directory, old_name=source.name,
                                 new_name=target.name, kind="merge", note=note,
                                 moved_assignments=m, moved_contacts=contacts,
                                 changed_at=now))
    await session.flush()
    if plans:
        await tallies.rebuild(session, sorted(plans))
    return ChangeReport([a.directory for a, _ in pairs], moved, kept, contacts)


async def _move_assignments(session: AsyncSession, source: int, target: int,
                            now: dt.datetime) -> tuple[int, int, set[int]]:
    """Move live assignments; the ones the target already has stay behind, removed."""
    rows = (await session.execute(
        select(Assignment, Task.plan_id).join(Task, Task.id == Assignment.task_id)
        .where(Assignment.agency_id.in_([source, target])))).all()
    held = {(a.task_id, a.role) for a, _ in rows if a.agency_id == target}
    moved = kept = 0
    plans: set[int] = set()
    for assignment, plan_id in rows:
        if assignment.agency_id != source or assignment.removed_at is not None:
            continue
        plans.add(plan_id)
        if (assignment.task_id, assignment.role) in held:
            assignment.removed_at = now
            kept += 1
        else:
            assignment.agency_id = target
            moved += 1
    return moved, kept, plans


async def mapping(session: AsyncSession, directory: str) -> dict[str, str]:
    """Old name → current name for a directory, following chains of changes."""
    rows = (await session.execute(
        select(AgencyChange.old_name, AgencyChange.new_name)
        .where(AgencyChange.directory == directory).order_by(AgencyChange.id))).all()
    direct = {old: new for old, new in rows}
    resolved: dict[str, str] = {}
    for old in direct:
        name, seen = old, {old}
        while name in direct and direct[name] not in seen:
            name = direct[name]
            seen.add(name)
        resolved[old] = name
    return resolved


async def list_changes(session: AsyncSession) -> list[AgencyChange]:
    """Every merge and rename, oldest first."""
    return list((await session.execute(select(AgencyChange).order_by(AgencyChange.id)))
                .scalars())
