"""`make bench`: run every benchmark case in fresh processes and print a table of medians.

PostgreSQL cases use BENCH_DATABASE_URL (default: database `nhacviec_bench` on the local
server, created when missing); they are reported as skipped when no server answers.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db import async_url

REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/nhacviec_bench"


async def _fresh_postgres(url: str) -> bool:
    """Create the bench database if needed and empty it; False when unreachable."""
    target = async_url(url)
    admin = target.rsplit("/", 1)[0] + "/postgres"
    name = target.rsplit("/", 1)[1]
    try:
        engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            exists = await connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
        await engine.dispose()
        engine = create_async_engine(target, isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
    except OSError:
        return False
    return True


def _run(module: str, *args: str) -> dict[str, float]:
    output = subprocess.run([sys.executable, "-m", module, *args], check=True,
                            capture_output=True, text=True).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def _import_cases() -> list[tuple[str, str]]:
    rows = []
    pg = os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT)
    for backend in ("sqlite", "postgresql"):
        runs = []
        for _ in range(REPEATS):
            if backend == "sqlite":
                folder = tempfile.mkdtemp(prefix="nhacviec-bench-")
                url = f"sqlite:///{Path(folder) / 'bench.db'}"
            else:
                if not asyncio.run(_fresh_postgres(pg)):
                    break
                url = pg
            runs.append(_run("bench.import_bench", "--url", url))
        if not runs:
            rows.append((f"import 10k tasks / {backend}", "skipped: server unreachable"))
            continue
        rows.append(_import_row(backend, runs))
        rows += _reimport_rows(backend, pg)
    return rows


def _reimport_rows(backend: str, pg: str) -> list[tuple[str, str]]:
    """A revised plan (a task inserted, 1 % reworded) re-imported over 1 k / 10 k / 30 k tasks
    in a process of its own: matching by content must stay near-linear (it was all pairs,
    10 k tasks 133 s and 14 GB)."""
    rows = []
    for tasks in (1_000, 10_000, 30_000):
        runs = []
        for _ in range(REPEATS):
            url = _url(backend, pg)
            if url is None:
                break
            _run("bench.import_bench", "--url", url, "--tasks", str(tasks), "--case", "setup")
            runs.append(_run("bench.import_bench", "--url", url, "--tasks", str(tasks),
                             "--case", "reimport"))
        if not runs:
            rows.append((f"re-import {tasks:,} tasks / {backend}", "skipped"))
            continue
        seconds = statistics.median(r["reimport_s"] for r in runs)
        memory = statistics.median(r["peak_mb"] for r in runs)
        target = tasks != 10_000 or (seconds < 10 and memory < 300)
        rows.append((f"re-import of a revised plan, {tasks:,} tasks / {backend}",
                     f"{seconds:.2f} s · peak {memory:.0f} MB · {runs[0]['changed']:.0f} "
                     f"changed" + (f" · target 10 s, 300 MB: {'OK' if target else 'OVER'}"
                                   if tasks == 10_000 else "")))
    return rows


def _import_row(backend: str, runs: list[dict[str, float]]) -> tuple[str, str]:
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    ok = median["import_s"] < 10 and median["peak_mb"] < 300
    return (f"import {int(median['tasks']):,} tasks → {int(median['assignments']):,} "
            f"assignments / {backend}",
            f"parse {median['parse_s']:.2f} s · import {median['import_s']:.2f} s "
            f"({median['import_s'] / 10:.0%} of 10 s) · unchanged re-import "
            f"{median['reimport_s']:.2f} s · peak {median['peak_mb']:.0f} MB "
            f"({median['peak_mb'] / 300:.0%} of 300 MB) · {'OK' if ok else 'OVER TARGET'}")


def _layout_cases() -> list[tuple[str, str]]:
    """A 60-page PDF appendix and a 5,000-row website dump, read as `import --dry-run` does."""
    rows = []
    folder = Path(tempfile.mkdtemp(prefix="nhacviec-bench-"))
    for kind, name in (("pdf", "PDF appendix (pdfplumber)"),
                       ("cells", "website dump, one cell per line")):
        path = folder / f"plan.{'pdf' if kind == 'pdf' else 'txt'}"
        made = _run("bench.layouts_bench", "--kind", kind, "--file", str(path), "--setup")
        runs = [_run("bench.layouts_bench", "--kind", kind, "--file", str(path))
                for _ in range(REPEATS)]
        seconds = statistics.median(r["read_s"] for r in runs)
        memory = statistics.median(r["peak_mb"] for r in runs)
        size = f"{int(made['pages'])} pages" if kind == "pdf" else f"{int(runs[0]['rows']):,} rows"
        ok = seconds < 10 and memory < 300
        rows.append((f"read {name}: {size} → {int(runs[0]['tasks']):,} tasks",
                     f"{seconds:.2f} s ({seconds / 10:.0%} of 10 s) · peak {memory:.0f} MB "
                     f"({memory / 300:.0%} of 300 MB) · {'OK' if ok else 'OVER TARGET'}"))
    samples = [_run("bench.samples_bench") for _ in range(REPEATS)]
    for name in samples[0]:
        found, written = samples[0][name][0], samples[0][name][1]
        seconds = statistics.median(run[name][2] for run in samples)
        rows.append((f"sample {name}", f"{found:.0f}/{written:.0f} tasks read · "
                                       f"{seconds * 1000:.0f} ms · "
                                       f"{'OK' if found == written else 'ROWS LOST'}"))
    return rows + _communes_cases(folder)


def _communes_cases(folder: Path) -> list[tuple[str, str]]:
    """500 tasks led by `UBND các xã, phường` in a 124-commune province, imported whole."""
    rows = []
    path = folder / "communes.txt"
    _run("bench.layouts_bench", "--kind", "communes", "--file", str(path), "--setup")
    pg = os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT)
    for backend in ("sqlite", "postgresql"):
        runs = []
        for _ in range(REPEATS):
            url = _url(backend, pg)
            if url is None:
                break
            runs.append(_run("bench.layouts_bench", "--kind", "communes", "--file", str(path),
                             "--url", url))
        name = f"import 500 tasks led by UBND các xã, phường / {backend}"
        if not runs:
            rows.append((name, "skipped: server unreachable"))
            continue
        seconds = statistics.median(r["read_s"] for r in runs)
        memory = statistics.median(r["peak_mb"] for r in runs)
        ok = seconds < 10 and memory < 300
        rows.append((f"{name} ({int(runs[0]['communes'])} communes → "
                     f"{int(runs[0]['rows']):,} assignments)",
                     f"{seconds:.2f} s ({seconds / 10:.0%} of 10 s) · peak {memory:.0f} MB "
                     f"({memory / 300:.0%} of 300 MB) · {'OK' if ok else 'OVER TARGET'}"))
    return rows


def _url(backend: str, pg: str) -> str | None:
    if backend == "sqlite":
        return f"sqlite:///{Path(tempfile.mkdtemp(prefix='nhacviec-bench-')) / 'bench.db'}"
    return pg if asyncio.run(_fresh_postgres(pg)) else None


SWEEP_KINDS = {"normal": "normal day", "checkin": "check-in day (20th)",
               "quarter": "quarter end", "catchup": "after a week down"}


def _sweep_cases() -> list[tuple[str, str]]:
    rows = []
    pg = os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT)
    sizes = [int(s) for s in os.environ.get("BENCH_SWEEP_SIZES", "10000,100000,1000000").split(",")]
    for backend in ("sqlite", "postgresql"):
        for size in sizes:
            url = _url(backend, pg)
            name = f"sweep {size:,} assignments / {backend}"
            if url is None:
                rows.append((name, "skipped: server unreachable"))
                continue
            setup = _run("bench.sweep_bench", "--url", url, "--size", str(size), "--setup")
            for kind in ("normal", "checkin", "quarter", "catchup"):
                runs = [_run("bench.sweep_bench", "--url", url, "--kind", kind)
                        for _ in range(min(REPEATS, 3))]
                seconds = statistics.median(r["sweep_s"] for r in runs)
                memory = statistics.median(r["peak_mb"] for r in runs)
                ok = seconds < 5 and memory < 300
                rows.append((f"{name}, {SWEEP_KINDS[kind]}",
                             f"{seconds:.2f} s ({seconds / 5:.0%} of 5 s) · peak {memory:.0f} MB "
                             f"({memory / 300:.0%} of 300 MB) · {int(runs[0]['reminders'])} "
                             f"reminders · setup {setup['setup_s']:.0f} s · "
                             f"{'OK' if ok else 'OVER TARGET'}"))
    return rows


def _dispatch_case() -> tuple[str, str]:
    result = _run("bench.dispatch_bench", "--chats", "1000", "--messages", "3000")
    ratio = result["rate"] / 30
    ok = ratio >= 0.95 and result["lost"] == 0 and result["duplicated"] == 0 and (
        result["refusals"] <= 1)
    return ("dispatch 3,000 reminders → 1,000 chats / PTB → fake Telegram (30/s, 1/s per chat)",
            f"{result['rate']:.1f} msg/s ({ratio:.1%} of 30/s) · {result['elapsed_s']:.0f} s · "
            f"429s {int(result['refusals'])} · lost {int(result['lost'])} · duplicated "
            f"{int(result['duplicated'])} · {'OK' if ok else 'OVER TARGET'}")


def _webhook_cases() -> list[tuple[str, str]]:
    rows = []
    pg = os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT)
    updates = os.environ.get("BENCH_WEBHOOK_UPDATES", "10000")
    rates = os.environ.get("BENCH_WEBHOOK_RATES", "100,200,300,400,500").split(",")
    for backend in ("sqlite", "postgresql"):
        highest = 0.0
        for rate in rates:
            name = f"webhook: {int(updates):,} buttons + text answers at {rate}/s / {backend}"
            url = _url(backend, pg)
            if url is None:
                rows.append((name, "skipped: server unreachable"))
                continue
            r = _run("bench.webhook_bench", "--url", url, "--updates", updates, "--rate", rate)
            fast = r["p99_ms"] < 50 and r["handled_p99_ms"] < 50 and not r["errors"]
            if fast:
                highest = max(highest, float(rate))
            ok = fast and r["cpu_ms"] <= 2.5
            rows.append((name, f"webhook p50 {r['p50_ms']:.1f} / p99 {r['p99_ms']:.1f} ms · "
                               f"stored→handled p50 {r['handled_p50_ms']:.1f} / p99 "
                               f"{r['handled_p99_ms']:.1f} ms ({r['handled_p99_ms'] / 50:.0%} "
                               f"of 50 ms) · CPU {r['cpu_ms']:.2f} ms/answer "
                               f"({r['cpu_ms'] / 2.5:.0%} of 2.5; load generator "
                               f"{r['load_cpu_ms']:.2f}) · errors {int(r['errors'])} · "
                               f"{'OK' if ok else 'OVER TARGET'}"))
        if _url(backend, pg) is not None:
            rows.append((f"webhook: highest rate with both p99s < 50 ms / {backend}",
                         f"{highest:.0f}/s of those tried ({', '.join(rates)}) · "
                         f"{'OK' if highest >= 300 else 'OVER TARGET'}"))
    return rows


def _http_case() -> tuple[str, str]:
    """Why replies go over aiohttp: CPU per request, PTB's send_message and a bare POST."""
    runs = [_run("bench.http_bench", "--requests", "2000") for _ in range(REPEATS)]
    m = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    return ("HTTP: 2,000 sends to the fake Telegram, CPU per request",
            f"PTB send_message aiohttp {m['ptb_aiohttp_ms']:.2f} / httpx "
            f"{m['ptb_httpx_ms']:.2f} ms ({m['ptb_aiohttp_ms'] / m['ptb_httpx_ms']:.2f}×) · "
            f"bare POST aiohttp {m['aiohttp_ms']:.2f} / httpx {m['httpx_ms']:.2f} ms "
            f"({m['aiohttp_ms'] / m['httpx_ms']:.2f}×)")


def _report_cases() -> list[tuple[str, str]]:
    rows = []
    pg = os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT)
    for backend in ("sqlite", "postgresql"):
        url = _url(backend, pg)
        name = f"report: 100,000 assignments + 500,000 answers / {backend}"
        if url is None:
            rows.append((name, "skipped: server unreachable"))
            continue
        setup = _run("bench.report_bench", "--url", url, "--setup")
        runs = [_run("bench.report_bench", "--url", url, "--case", "figures")
                for _ in range(REPEATS)]
        now = statistics.median(r["current_s"] for r in runs) * 1000
        past = statistics.median(r["past_s"] for r in runs) * 1000
        rows.append((f"{name}: summary + scoreboard",
                     f"{now:.0f} ms ({now / 300:.0%} of 300 ms) · as of a past day {past:.0f} ms "
                     f"(no target) · setup {setup['setup_s']:.0f} s · "
                     f"{'OK' if now < 300 else 'OVER TARGET'}"))
        xlsx = [_run("bench.report_bench", "--url", url, "--case", "xlsx")
                for _ in range(min(REPEATS, 2))]
        seconds = statistics.median(r["xlsx_s"] for r in xlsx)
        memory = statistics.median(r["peak_mb"] for r in xlsx)
        ok = seconds < 20 and memory < 500
        rows.append((f"{name}: .xlsx of 100,000 rows (Tiến độ + Xếp hạng)",
                     f"{seconds:.1f} s ({seconds / 20:.0%} of 20 s) · peak {memory:.0f} MB "
                     f"({memory / 500:.0%} of 500 MB) · {xlsx[0]['file_mb']:.0f} MB file · "
                     f"{'OK' if ok else 'OVER TARGET'}"))
        full = _run("bench.report_bench", "--url", url, "--case", "xlsx-history")
        rows.append((f"{name}: .xlsx with Lịch sử (+500,000 rows)",
                     f"{full['xlsx_s']:.0f} s · peak {full['peak_mb']:.0f} MB · "
                     f"{full['file_mb']:.0f} MB file (one run, no target)"))
    return rows


def _province_cases() -> list[tuple[str, str]]:
    """`invite --all` for 3,400 agencies (< 10 s) and the escalation of a task led by 3,321
    communes (< 200 ms, one message), on SQLite and PostgreSQL."""
    rows = []
    pg = os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT)
    for backend in ("sqlite", "postgresql"):
        for case, extra in (("invite", ()), ("escalation", ("--agencies", "3321"))):
            runs = []
            for _ in range(REPEATS):
                url = _url(backend, pg)
                if url is None:
                    break
                runs.append(_run("bench.province_bench", "--url", url, "--case", case, *extra))
            if not runs:
                rows.append((f"province {case} / {backend}", "skipped: server unreachable"))
                continue
            if case == "invite":
                seconds = statistics.median(r["invite_s"] for r in runs)
                rows.append((f"invite --all -o moi.xlsx, 3,400 agencies / {backend}",
                             f"{seconds:.1f} s ({seconds / 10:.0%} of 10 s) · "
                             f"{runs[0]['rows']:.0f} rows with QR codes · "
                             f"{'OK' if seconds < 10 else 'OVER TARGET'}"))
            else:
                ms = statistics.median(r["escalation_ms"] for r in runs)
                one = all(r["parts"] == 1 for r in runs)
                rows.append((f"escalation of a task led by 3,321 communes / {backend}",
                             f"{ms:.0f} ms ({ms / 200:.0%} of 200 ms) · "
                             f"{runs[0]['chars']:.0f} characters in {runs[0]['parts']:.0f} "
                             f"message · {'OK' if ms < 200 and one else 'OVER TARGET'}"))
    return rows


def main() -> None:
    print(f"nhacviec benchmarks — {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, "
          f"median of {REPEATS} fresh processes (webhook rows: one run per rate)\n")
    selected = os.environ.get("BENCH_ONLY",
                              "import,layouts,sweep,dispatch,http,webhook,report,province"
                              ).split(",")
    rows = []
    if "import" in selected:
        rows += _import_cases()
    if "layouts" in selected:
        rows += _layout_cases()
    if "sweep" in selected:
        rows += _sweep_cases()
    if "dispatch" in selected:
        rows.append(_dispatch_case())
    if "http" in selected:
        rows.append(_http_case())
    if "webhook" in selected:
        rows += _webhook_cases()
    if "report" in selected:
        rows += _report_cases()
    if "province" in selected:
        rows += _province_cases()
    width = max(len(name) for name, _ in rows)
    print(f"{'case':<{width}}  result")
    print(f"{'-' * width}  {'-' * 40}")
    for name, result in rows:
        print(f"{name:<{width}}  {result}")


if __name__ == "__main__":
    main()
