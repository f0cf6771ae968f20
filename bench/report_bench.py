"""Report benchmark: 100,000 lead assignments (1,000 tasks × 100 agencies) with 500,000
stored answers. `--setup` fills a fresh database; `--case figures` times the summary plus the
scoreboard (current, and rebuilt for a past day); `--case xlsx` writes the workbook's
100,000-row "Tiến độ" and the scoreboard, `--case xlsx-history` the whole workbook including
the 500,000 answers of "Lịch sử".
Each prints one JSON line; the peak memory is the process's.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import resource
import tempfile
import time
import zoneinfo
from pathlib import Path

from sqlalchemy import insert, text

from reports import build, figures
from reports.state import scope
from storage import tallies
from storage.migrate import upgrade
from storage.models import Agency, Assignment, Contact, Plan, Section, StatusReport, Task
from storage.uow import Database

AGENCIES, TASKS, SECTIONS = 100, 1_000, 10
TODAY = dt.date(2026, 7, 1)
PAST = dt.date(2026, 3, 31)
ZONE = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
STATUSES = ("dang_thuc_hien", "dang_thuc_hien", "vuong_mac", "xin_gia_han", "hoan_thanh")


async def setup(url: str) -> int:
    rng = random.Random(7)
    db = Database.from_url(url)
    async with db.uow() as uow:
        s = uow.session
        await s.execute(insert(Plan), [{"id": 1, "code": "BENCH", "directory": "bench",
                                        "active": True, "created_at": NOW, "updated_at": NOW}])
        await s.execute(insert(Section), [{"id": n, "plan_id": 1, "numeral": str(n),
                                           "title": f"Mục {n}", "position": n}
                                          for n in range(1, SECTIONS + 1)])
        await s.execute(insert(Agency), [{"id": a, "directory": "bench", "name": f"Cơ quan {a}",
                                          "kind": "department", "aliases": [], "resolved": True}
                                         for a in range(1, AGENCIES + 1)])
        await s.execute(insert(Contact), [{"id": a, "agency_id": a, "channel": "console",
                                           "chat_id": str(a), "display_name": f"Đầu mối {a}",
                                           "role": "focal", "reachable": True, "linked_at": NOW}
                                          for a in range(1, AGENCIES + 1)])
        await s.execute(insert(Task), [{
            "id": t, "plan_id": 1, "section_id": 1 + t % SECTIONS, "ref": f"{1 + t % SECTIONS}.{t}",
            "number": str(t), "position": t, "content": f"Nhiệm vụ cải cách hành chính số {t}",
            "product": "Báo cáo", "lead_text": "Các sở, ngành", "coordinating_text": "",
            "deadline_text": "", "deadline_kind": "date",
            "due_date": dt.date(2026, 1 + t % 12, 28), "note": "", "source_line": t}
            for t in range(1, TASKS + 1)])
        assignments: list[dict[str, object]] = []
        answers: list[dict[str, object]] = []
        stored = 0
        for t in range(1, TASKS + 1):
            for a in range(1, AGENCIES + 1):
                aid = len(assignments) + 1
                count = 6 if aid % 5 else 1  # 80,000 × 6 + 20,000 × 1 = 500,000
                day = dt.date(2026, 1, 5)
                status, done_on = "chua_thuc_hien", None
                for _ in range(count):
                    day = min(day + dt.timedelta(days=rng.randint(1, 30)), dt.date(2026, 6, 30))
                    status = rng.choice(STATUSES)
                    done_on = (done_on or day) if status == "hoan_thanh" else None
                    answers.append({"assignment_id": aid, "contact_id": a, "agency_id": a,
                                    "channel": "telegram", "status": status,
                                    "percent": rng.choice((None, 25, 50, 75)),
                                    "note": "Đang tổng hợp số liệu", "evidence": None,
                                    "raw_text": "ab dang 50% đang tổng hợp",
                                    "created_at": dt.datetime.combine(day, dt.time(3), dt.UTC),
                                    "answered_on": day})
                assignments.append({"id": aid, "task_id": t, "agency_id": a, "role": "lead",
                                    "status": status, "done_on": done_on})
            if len(answers) > 50_000 or t == TASKS:
                await s.execute(insert(Assignment.__table__), assignments[stored:])
                await s.execute(insert(StatusReport.__table__), answers)
                stored, answers = len(assignments), []
        await tallies.rebuild(s)
        await uow.commit()
    async with db.engine.connect() as connection:  # fresh statistics, as autovacuum would make
        await connection.execute(text("ANALYZE"))
        await connection.commit()
    await db.dispose()
    return len(assignments)


async def figures_case(url: str) -> dict[str, float]:
    db = Database.from_url(url)
    result: dict[str, float] = {}
    async with db.uow() as uow:
        await uow.session.execute(text("SELECT 1"))  # connected, as a running bot is
        for name, s in (("current_s", scope(TODAY, None, ZONE)),
                        ("past_s", scope(TODAY, PAST, ZONE))):
            started = time.perf_counter()
            found = await figures.compute(uow.session, s)
            result[name] = time.perf_counter() - started
            assert found.summary.total == AGENCIES * TASKS and len(found.scoreboard) == AGENCIES
    await db.dispose()
    return result


async def xlsx_case(url: str, history: bool) -> dict[str, float]:
    db = Database.from_url(url)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.xlsx"
        started = time.perf_counter()
        async with db.uow() as uow:
            written = await build.write(uow.session, scope(TODAY, None, ZONE), "xlsx", path, ZONE,
                                        history=history)
        elapsed = time.perf_counter() - started
        size = path.stat().st_size / 1e6
    await db.dispose()
    return {"xlsx_s": elapsed, "rows": written.assignments, "answers": written.answers,
            "file_mb": size}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--setup", action="store_true")
    parser.add_argument("--case", choices=("figures", "xlsx", "xlsx-history"),
                        default="figures")
    args = parser.parse_args()
    if args.setup:
        upgrade(args.url)
        started = time.perf_counter()
        count = asyncio.run(setup(args.url))
        print(json.dumps({"setup_s": time.perf_counter() - started, "assignments": count}))
        return
    if args.case == "figures":
        result = asyncio.run(figures_case(args.url))
    else:
        result = asyncio.run(xlsx_case(args.url, history=args.case == "xlsx-history"))
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
