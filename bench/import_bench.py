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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--tasks", type=int, default=10_000)
    args = parser.parse_args()
    directory = Directory.from_mapping(directory_data())
    data = appendix_csv(args.tasks)
    upgrade(args.url)
    result = asyncio.run(_store(args.url, directory, data))
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
