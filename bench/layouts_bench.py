"""Reading big plans in the layouts people hold them: a 60-page PDF appendix and a
5,000-row website dump (one cell per line), each read and parsed as `import --dry-run` does.

`--setup FILE` writes the document; the timed run then reads it in a fresh process and
prints one JSON line: seconds, tasks, pages and peak resident memory (MB) of the process.
"""

from __future__ import annotations

import argparse
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


def setup(kind: str, path: Path) -> dict[str, float]:
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=("pdf", "cells"), required=True)
    parser.add_argument("--file", type=Path, required=True)
    parser.add_argument("--setup", action="store_true")
    args = parser.parse_args()
    result = setup(args.kind, args.file) if args.setup else run(args.file)
    if args.setup and args.kind == "pdf":
        import pdfplumber

        with pdfplumber.open(args.file) as pdf:
            result["pages"] = len(pdf.pages)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
