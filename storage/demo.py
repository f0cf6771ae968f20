"""The bundled example plan gives way to the first real plan.

A database that holds only the demo (DEMO-272/KH-UBND, loaded by `nhacviec demo`) is a
trial database: when a real plan is imported into it, the demo's tasks, answers, reminders
and sample console focal points are removed in the same transaction, so a real focal point
can never be bound to the demo's agencies or reminded of its 2023 deadlines. Agencies stay
(rows other tables may point to); they are out of reach because names resolve only against
the active plans' directories (storage.contacts.scope_directories).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.contacts import DEMO_PREFIX
from storage.models import (
    Assignment,
    Contact,
    Conversation,
    ExtensionRequest,
    ImportRun,
    Invite,
    OutboxMessage,
    Plan,
    ReminderItem,
    Section,
    StatusReport,
    Tally,
    Task,
    TaskChange,
)


@dataclass(frozen=True)
class DemoRemoved:
    code: str
    tasks: int
    unlinked: int  # focal points on a chat platform bound to the demo's agencies


async def remove_demo_before(session: AsyncSession, incoming_code: str,
                             now: dt.datetime) -> DemoRemoved | None:
    """Remove the demo when it is the only plan and a real plan comes in; else nothing."""
    if incoming_code.startswith(DEMO_PREFIX):
        return None
    plans = (await session.execute(select(Plan.id, Plan.code))).all()
    if len(plans) != 1 or not plans[0].code.startswith(DEMO_PREFIX):
        return None
    plan_id, code = plans[0]
    tasks = len((await session.execute(select(Task.id).where(Task.plan_id == plan_id))).all())
    focal = select(Contact.id).where(Contact.agency_id.is_not(None))
    console_focal = focal.where(Contact.channel == "console")
    for statement in (
        delete(ReminderItem), delete(OutboxMessage), delete(Conversation),
        delete(StatusReport), delete(ExtensionRequest), delete(Tally),
        delete(TaskChange), delete(ImportRun), delete(Assignment), delete(Task),
        delete(Section), delete(Plan),
        update(Invite).where(Invite.used_by.in_(console_focal)).values(used_by=None),
        delete(Invite).where(Invite.used_at.is_(None), Invite.agency_id.is_not(None)),
    ):
        await session.execute(statement)
    await session.execute(delete(Contact).where(Contact.id.in_(console_focal)))
    unlinked = (await session.execute(
        update(Contact).where(Contact.id.in_(focal), Contact.unlinked_at.is_(None))
        .values(unlinked_at=now).returning(Contact.id))).all()
    return DemoRemoved(code, tasks, len(unlinked))
