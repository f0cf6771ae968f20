"""`nhacviec import`: read a plan file, show what it says, store it in one transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from cli.common import run_async
from config.settings import Settings
from ingest.plans import read_plan_limited as read_plan
from plan.agencies import Directory
from plan.export import draft_to_dict
from plan.matching import Matches
from plan.model import PlanDraft
from reports.plan_summary import summary, uncertain_text
from storage.db import is_sqlite, sqlite_exists
from storage.importer import ImportReport, import_plan, planned_matches
from storage.uow import Database

__all__ = ["as_json", "read_plan", "store_plan", "stored_matches", "summary", "uncertain_text",
           "with_duties"]


async def store_plan(db: Database, draft: PlanDraft, directory: Directory,
                     source: str, today: dt.date | None = None,
                     accept_matches: bool = False, update_meta: bool = False) -> ImportReport:
    async with db.uow() as uow:
        report = await import_plan(uow.session, draft, directory, source, today,
                                   accept_matches, update_meta)
        await uow.commit()
    return report


def stored_matches(s: Settings, draft: PlanDraft, accept: bool) -> Matches | None:
    """For a dry run: how the draft would match the stored plan, read-only; None when there
    is no database yet (a dry run never creates one) or no such plan in it."""
    if not draft.meta.code or (is_sqlite(s.database_url) and not sqlite_exists(s.database_url)):
        return None

    async def work() -> Matches | None:
        db = Database.from_url(s.database_url)
        try:
            await db.check_migrated()
            async with db.uow() as uow:
                return await planned_matches(uow.session, draft, accept)
        except Exception:  # no usable database: the dry run reads the file only
            return None
        finally:
            await db.dispose()

    return run_async(work())


def with_duties(draft: PlanDraft) -> PlanDraft:
    """The draft with its body-text duties added as tasks (`--with-duties`)."""
    return dataclasses.replace(draft, tasks=draft.tasks + draft.duties, duties=())


def as_json(draft: PlanDraft) -> str:
    return json.dumps(draft_to_dict(draft), ensure_ascii=False, indent=2)
