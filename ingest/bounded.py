"""Reading a plan file is a bounded job: a worker process with a CPU-time and an
address-space limit, killed at the wall-clock limit — enforced from outside the parser, not
by checks between pages (a 0.7 MB PDF whose one page inflates to ~290 MB of text grew the bot
to 1.5 GB before). Over a limit: one Vietnamese sentence saying which, nothing stored.

Workers come from a fork server that has the readers imported once (multiprocessing's
"forkserver": no fork of a process with threads, and ~10 ms per job instead of a fresh
interpreter's ~0.5 s). The address-space limit is set above what the worker holds when it
starts, so the limit is the file's own cost.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from plan.rows import PlanFormatError

T = TypeVar("T")
_PRELOAD = ["ingest.plans", "plan.parse", "plan.readers", "config.directories", "pdfplumber",
            "openpyxl", "docx"]
_context: Any = None
last_peak_kb = 0  # the last worker's peak resident memory, as seen while it ran (kB)


@dataclass(frozen=True)
class Limits:
    seconds: float = 20.0
    memory_mb: int = 300


DEFAULT_LIMITS = Limits()


class OverLimit(PlanFormatError):
    """The file took more time or memory than reading a plan may; the message says which."""


def run_bounded(job: Callable[..., T], *args: Any, limits: Limits = DEFAULT_LIMITS) -> T:
    """`job(*args)` in a worker under `limits`; its exceptions are raised here as they were
    (PlanFormatError, DirectoryError …); OverLimit when a limit ends it."""
    global _context
    if sys.platform == "win32":  # no fork server, no rlimits: read in this process
        return job(*args)
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(_PRELOAD)
    receive, send = _context.Pipe(duplex=False)
    worker = _context.Process(target=_work, args=(send, job, args, limits), daemon=True)
    global last_peak_kb
    started = time.monotonic()
    worker.start()
    send.close()
    last_peak_kb = 0
    try:
        deadline = started + limits.seconds + 2.0  # the CPU limit normally ends it first
        outcome, value = "time", None
        while time.monotonic() < deadline:
            last_peak_kb = max(last_peak_kb, _peak_kb(worker.pid))
            if receive.poll(0.1):
                try:
                    outcome, value = receive.recv()
                except EOFError:
                    outcome, value = "died", None
                break
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join(5)
        receive.close()
    if outcome == "ok":
        return value  # type: ignore[return-value]
    if outcome == "error" and isinstance(value, BaseException):
        raise value
    took = time.monotonic() - started
    if outcome == "memory" or (outcome == "died" and worker.exitcode != -signal.SIGXCPU
                               and took < limits.seconds):
        raise OverLimit(f"đọc tệp cần hơn {limits.memory_mb} MB bộ nhớ "
                        "(NHACVIEC_PARSE_MEMORY_MB): tệp quá lớn hoặc bất thường; hãy mở và lưu "
                        "lại thành .docx hoặc .xlsx, hoặc tách riêng phần phụ lục")
    raise OverLimit(f"đọc tệp quá {limits.seconds:g} giây (NHACVIEC_PARSE_SECONDS): tệp quá "
                    "lớn hoặc bất thường; hãy mở và lưu lại thành .docx hoặc .xlsx, hoặc tách "
                    "riêng phần phụ lục")


def _work(send: multiprocessing.connection.Connection, job: Callable[..., Any],
          args: tuple[Any, ...], limits: Limits) -> None:
    """In the worker: the limits first, then the job; the outcome goes back as a pair."""
    import resource

    seconds = max(1, int(limits.seconds + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 2))
    held = _address_space()
    if held:
        budget = held + limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
    try:
        send.send(("ok", job(*args)))
    except MemoryError:
        send.send(("memory", None))
    except Exception as exc:  # handed back and raised by the caller
        try:
            send.send(("error", exc))
        except Exception:  # an exception that will not pickle: its text
            send.send(("error", PlanFormatError(str(exc))))
    finally:
        send.close()


def _peak_kb(pid: int | None) -> int:
    """A worker's peak resident memory so far (VmHWM, kB), 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _address_space() -> int:
    """Bytes of virtual memory this process holds now (Linux), 0 where unknown."""
    import resource

    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0
