"""Sweep benchmark: N assignments, of which a fixed ~2,000 owe a reminder on the swept day.

`--setup` fills a fresh database; `--day K` sweeps the K-th benchmark day in this process and
prints one JSON line (seconds, peak MB, reminders). Cost should follow the reminders due, not N.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import resource
import time

from sqlalchemy import delete, insert

from scheduler.policy import ReminderPolicy
from scheduler.sweep import Sweeper
from storage.migrate import upgrade
from storage.models import Agency, Assignment, Contact, Plan, Section, SweepRun, Task
from storage.uow import Database
from tracking.calendar import WorkCalendar

AGENCIES = 100
DAYS = [dt.date(2026, 3, 10), dt.date(2026, 3, 11), dt.date(2026, 3, 12)]  # Tue–Thu, no check-in
DUE_TASKS_PER_DAY = 7  # × 100 agencies × 3 days ≈ 2,100 assignments with a stage
QUARTER_END = dt.date(2026, 3, 31)  # Tuesday: "Quý I/2026" work is due
QUARTER_TASKS = 20  # × 100 agencies: 2,000 assignments due at the quarter's end
# The kinds of day a year brings: (day swept, days since the last sweep)
KINDS = {"normal": (DAYS[0], 1), "checkin": (dt.date(2026, 3, 20), 1),
         "quarter": (QUARTER_END, 1), "catchup": (dt.date(2026, 3, 19), 8)}
NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


async def setup(url: str, size: int) -> None:
    db = Database.from_url(url)
    tasks = size // AGENCIES
    async with db.uow() as uow:
        s = uow.session
        await s.execute(insert(Plan), [{"id": 1, "code": "BENCH", "directory": "bench",
                                        "active": True, "created_at": NOW, "updated_at": NOW}])
        await s.execute(insert(Section), [{"id": 1, "plan_id": 1, "numeral": "I", "position": 0}])
        await s.execute(insert(Agency), [{"id": a, "directory": "bench", "name": f"Cơ quan {a}",
                                          "kind": "department", "aliases": [], "resolved": True}
                                         for a in range(1, AGENCIES + 1)])
        await s.execute(insert(Contact), [{"agency_id": a, "channel": "console", "chat_id": str(a),
                                           "display_name": "", "role": "focal", "reachable": True,
                                           "linked_at": NOW} for a in range(1, AGENCIES + 1)])
        due_soon = [day + dt.timedelta(days=7) for day in DAYS]
        rows = []
        for t in range(1, tasks + 1):
            special = t <= DUE_TASKS_PER_DAY * len(DAYS)
            quarter = not special and t <= DUE_TASKS_PER_DAY * len(DAYS) + QUARTER_TASKS
            due = due_soon[(t - 1) % len(DAYS)] if special else (
                QUARTER_END if quarter else dt.date(2026, 12, 31))
            rows.append({"id": t, "plan_id": 1, "section_id": 1, "ref": f"I.{t}",
                         "number": str(t), "position": t, "content": f"Nhiệm vụ {t}",
                         "product": "", "lead_text": "", "coordinating_text": "",
                         "deadline_text": "", "deadline_kind": "date", "due_date": due,
                         "note": "", "source_line": t})
        await s.execute(insert(Task), rows)
        batch = []
        for t in range(1, tasks + 1):
            batch += [{"task_id": t, "agency_id": a, "role": "lead", "status": "chua_thuc_hien"}
                      for a in range(1, AGENCIES + 1)]
            if len(batch) >= 50_000:
                await s.execute(insert(Assignment), batch)
                batch = []
        if batch:
            await s.execute(insert(Assignment), batch)
        await uow.commit()
    await db.dispose()


async def sweep(url: str, day: dt.date, gap: int = 1) -> dict[str, float]:
    """Sweep `day` as if the last sweep ran `gap` days before (8: a week of downtime)."""
    db = Database.from_url(url)
    async with db.uow() as uow:
        await uow.session.execute(delete(SweepRun))
        await uow.session.execute(insert(SweepRun), [{
            "run_date": day - dt.timedelta(days=gap), "caught_up_from": day,
            "owner": "bench", "started_at": NOW, "finished_at": NOW}])
        await uow.commit()
    sweeper = Sweeper(db, WorkCalendar.vietnam([2025, 2026, 2027]), ReminderPolicy(), "bench")
    started = time.perf_counter()
    result = await sweeper.run(day)
    elapsed = time.perf_counter() - started
    await db.dispose()
    return {"sweep_s": elapsed, "reminders": result.reminders, "messages": result.messages}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--setup", action="store_true")
    parser.add_argument("--day", type=int, default=0)
    parser.add_argument("--kind", choices=sorted(KINDS))
    args = parser.parse_args()
    if args.setup:
        upgrade(args.url)
        started = time.perf_counter()
        asyncio.run(setup(args.url, args.size))
        print(json.dumps({"setup_s": time.perf_counter() - started}))
        return
    day, gap = KINDS[args.kind] if args.kind else (DAYS[args.day], 1)
    result = asyncio.run(sweep(args.url, day, gap))
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
