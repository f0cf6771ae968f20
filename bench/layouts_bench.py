"""Reading big plans in the layouts people hold them: a 60-page PDF appendix and a
5,000-row website dump (one cell per line), each read and parsed as `import --dry-run` does;
and a 500-task plan led by `UBND các xã, phường` in Lâm Đồng (124 communes), imported whole.

`--setup FILE` writes the document; the timed run then reads it in a fresh process and
prints one JSON line: seconds, tasks, pages and peak resident memory (MB) of the process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time
from pathlib import Path

from config.directories import load_named
from ingest.files import read_file
from plan.parse import parse_plan
from tests import sample_docs

_BEFORE = ["Trang chủ", "Đăng nhập", "Số: 300/KH-UBND", "ngày 10 tháng 01 năm 2026", "KẾ HOẠCH",
           "Cải cách hành chính năm 2026"]
_AFTER = ["Tải về", "Lượt xem: 99", "Trang 1/1"]


def _communes_plan(tasks: int) -> str:
    """A Lâm Đồng plan (124 communes) whose tasks are all led by `UBND các xã, phường`."""
    lines = ["ỦY BAN NHÂN DÂN", "TỈNH LÂM ĐỒNG", "Số: 501/KH-UBND",
             "Lâm Đồng, ngày 10 tháng 01 năm 2026", "KẾ HOẠCH", "Cải cách hành chính năm 2026",
             "STT\tNội dung\tSản phẩm\tCơ quan chủ trì\tCơ quan phối hợp\tThời hạn"]
    for n in range(1, tasks + 1):
        if n % 50 == 1:
            lines.append(f"{sample_docs.to_roman(n // 50 + 1)}\tNHÓM {n // 50 + 1}\t\t\t\t")
        lines.append(f"{(n - 1) % 50 + 1}\tRà soát thủ tục số {n} tại cấp xã\tBáo cáo\t"
                     f"UBND các xã, phường\tSở Nội vụ; Văn phòng UBND tỉnh\tQuý {n % 4 + 1}/2026")
    return "\n".join(lines) + "\n"


def setup(kind: str, path: Path) -> dict[str, float]:
    if kind == "communes":
        text = _communes_plan(500)
        path.write_text(text, encoding="utf-8")
        return {"bytes": len(text.encode())}
    if kind == "pdf":
        data = sample_docs.pdf_appendix(sample_docs.pdf_rows(25, 30))
        path.write_bytes(data)
        return {"bytes": len(data)}
    header = ("STT", "Nội dung", "Sản phẩm", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn")
    rows = [header, *sample_docs.pdf_rows(100, 49)]
    text = sample_docs.cell_dump(rows, _BEFORE, _AFTER)
    path.write_text(text, encoding="utf-8")
    return {"bytes": len(text.encode())}


def run(path: Path) -> dict[str, float]:
    directory = load_named("an-giang-2025")
    started = time.perf_counter()
    document = read_file(path)
    draft = parse_plan(document.rows, directory, layout=document.layout)
    seconds = time.perf_counter() - started
    return {"read_s": seconds, "tasks": len(draft.tasks), "rows": len(document.rows),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_communes(path: Path, url: str) -> dict[str, float]:
    """Choose the directory from the issuer, parse, and store: the whole `nhacviec import`."""
    from cli.importing import read_plan, store_plan
    from storage.migrate import upgrade
    from storage.uow import Database

    upgrade(url)
    started = time.perf_counter()
    draft, choice = read_plan(path, None)

    async def store() -> int:
        db = Database.from_url(url)
        try:
            report = await store_plan(db, draft, choice.directory, "bench")
        finally:
            await db.dispose()
        return report.assignments_added

    assignments = asyncio.run(store())
    seconds = time.perf_counter() - started
    return {"read_s": seconds, "tasks": len(draft.tasks), "rows": assignments,
            "communes": sum(1 for a in choice.directory.agencies.values()
                            if a.kind == "commune"),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=("pdf", "cells", "communes"), required=True)
    parser.add_argument("--file", type=Path, required=True)
    parser.add_argument("--url", help="database for the communes case (stored, not a dry run)")
    parser.add_argument("--setup", action="store_true")
    args = parser.parse_args()
    if args.setup:
        result = setup(args.kind, args.file)
    elif args.kind == "communes":
        result = run_communes(args.file, args.url)
    else:
        result = run(args.file)
    if args.setup and args.kind == "pdf":
        import pdfplumber

        with pdfplumber.open(args.file) as pdf:
            result["pages"] = len(pdf.pages)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
