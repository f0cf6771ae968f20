"""One import run in this process: parse + store, then an unchanged re-import.

Prints one JSON line with timings (s) and peak resident memory (MB) of the process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time

from bench.synthetic import appendix_csv, directory_data
from plan.agencies import Directory
from plan.parse import parse_plan
from plan.readers import read_rows
from storage.importer import import_plan
from storage.migrate import upgrade
from storage.uow import Database


async def _store(url: str, directory: Directory, data: bytes) -> dict[str, float]:
    db = Database.from_url(url)
    try:
        started = time.perf_counter()
        draft = parse_plan(read_rows("bench.csv", data), directory)
        parsed = time.perf_counter()
        async with db.uow() as uow:
            report = await import_plan(uow.session, draft, directory, "bench")
            await uow.commit()
        stored = time.perf_counter()
        async with db.uow() as uow:
            await import_plan(uow.session, draft, directory, "bench")
            await uow.commit()
        again = time.perf_counter()
    finally:
        await db.dispose()
    return {"parse_s": parsed - started, "import_s": stored - started,
            "reimport_s": again - stored, "tasks": len(draft.tasks),
            "assignments": report.assignments_added}


def revised(data: bytes) -> bytes:
    """The plan re-issued: one task inserted at the top (every number moves) and one task
    in a hundred reworded — what makes matching by content do real work."""
    lines = data.decode().splitlines()
    header = next(n for n, line in enumerate(lines) if line.startswith("STT"))
    body = [line.replace("Nhiệm vụ thử nghiệm số", "Nhiệm vụ đã sửa đổi, thử nghiệm số")
            if n % 100 == 7 else line for n, line in enumerate(lines[header + 1:])]
    inserted = '0,"Nhiệm vụ bổ sung đầu kỳ",Kế hoạch,Sở Thử nghiệm số 001,,Quý I/2026,'
    return "\n".join([*lines[:header + 2], inserted, *body[1:]]).encode() + b"\n"


async def _reimport(url: str, directory: Directory, data: bytes) -> dict[str, float]:
    """Only the re-import of a revised plan, timed in a process that did nothing else."""
    db = Database.from_url(url)
    try:
        started = time.perf_counter()
        draft = parse_plan(read_rows("bench.csv", revised(data)), directory)
        async with db.uow() as uow:
            report = await import_plan(uow.session, draft, directory, "bench",
                                       accept_matches=True)
            await uow.commit()
        return {"reimport_s": time.perf_counter() - started, "tasks": len(draft.tasks),
                "renumbered": len(report.renumbered), "changed": len(report.changed)}
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--case", choices=("import", "setup", "reimport"), default="import")
    args = parser.parse_args()
    directory = Directory.from_mapping(directory_data())
    data = appendix_csv(args.tasks)
    upgrade(args.url)
    if args.case == "reimport":
        result = asyncio.run(_reimport(args.url, directory, data))
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    result = asyncio.run(_store(args.url, directory, data))
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
