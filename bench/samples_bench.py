"""Our own sample documents of every shape (tests/samples): each read as `import --dry-run`
does, with the rows it finds against the rows its author wrote, and the time it takes.
Prints one JSON line per run: {sample: [tasks found, tasks written, seconds]}."""

from __future__ import annotations

import json
import time
from pathlib import Path

from config.directories import choose
from plan.parse import parse_plan, plan_meta
from plan.readers import read_rows

SAMPLES = Path(__file__).resolve().parent.parent / "tests" / "samples"
# the tasks each sample's author wrote (checked by tests/test_layouts.py and friends)
WRITTEN = {"web-cells-2026.txt": 5, "pipe-table-2026.md": 6, "prose-blocks-2026.md": 4,
           "province-2026.txt": 28, "web-cells-signature-2026.txt": 4,
           "web-cells-lead-first-2026.txt": 5, "prose-heading-leads-2026.md": 4}


def main() -> None:
    out = {}
    for path in sorted(SAMPLES.glob("*")):
        if path.name not in WRITTEN:
            continue
        started = time.perf_counter()
        rows = read_rows(path.name, path.read_bytes())
        draft = parse_plan(rows, choose(plan_meta(rows)).directory)
        out[path.name] = [len(draft.tasks), WRITTEN[path.name],
                          time.perf_counter() - started]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
