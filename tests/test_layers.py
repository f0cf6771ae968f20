"""The arrows stay one-way: the plan domain does no I/O, only storage touches SQLAlchemy."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IO_MODULES = {"sqlalchemy", "alembic", "httpx", "aiohttp", "telegram", "asyncio", "socket",
              "pathlib", "os", "yaml", "storage", "bot", "scheduler", "cli", "config"}


def imports_of(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_plan_package_imports_no_io_library() -> None:
    offenders = {path: names & IO_MODULES for path, names in imports_of("plan").items()
                 if names & IO_MODULES}
    assert offenders == {}


def test_plan_package_never_opens_files() -> None:
    for path in (ROOT / "plan").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = {node.func.id for node in ast.walk(tree)
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
        assert "open" not in calls, path


def test_only_storage_uses_sqlalchemy_and_alembic() -> None:
    """(`reports/` is a query layer over storage, like `storage.queries`, and may.)"""
    for package in ("plan", "bot", "config", "cli", "scheduler"):
        for path, names in imports_of(package).items():
            assert not names & {"sqlalchemy", "alembic"}, path


# package → what it must never import (the arrows of the README's architecture section)
ARROWS = {
    "plan": {"storage", "bot", "scheduler", "reports", "cli", "ingest", "tracking"},
    "tracking": {"storage", "bot", "scheduler", "reports", "cli", "ingest", "sqlalchemy"},
    "words": {"storage", "bot", "scheduler", "reports", "cli", "sqlalchemy"},
    "storage": {"bot", "scheduler", "reports", "cli"},
    "reports": {"bot", "scheduler", "cli"},
    "ingest": {"storage", "bot", "scheduler", "reports", "cli"},
}


def test_every_arrow_points_one_way() -> None:
    offenders = {}
    for package, forbidden in ARROWS.items():
        for path, names in imports_of(package).items():
            if names & forbidden:
                offenders[path] = sorted(names & forbidden)
    assert offenders == {}


def test_channel_adapters_know_no_handlers_and_no_storage() -> None:
    for path in (ROOT / "bot" / "channels").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {node.module for node in ast.walk(tree)
                   if isinstance(node, ast.ImportFrom) and node.module}
        assert not {m for m in modules if m.startswith(("bot.handlers", "storage", "bot.answering",
                                                        "bot.coordinator"))}, path


def _chat_text(path: Path) -> list[str]:
    """Vietnamese string constants in a module, docstrings aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef,
                                       ast.ClassDef))
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings and not node.value.isascii()]


def test_the_dispatcher_and_the_tracking_core_write_no_chat_text() -> None:
    """Wording lives in `words/`: the dispatcher asks it for the message, the core and the
    lifecycle storage return data and call it for the history's notes."""
    for module in ("scheduler/dispatch.py", "scheduler/sweep.py", "scheduler/policy.py",
                   "storage/lifecycle.py", *(str(p.relative_to(ROOT)) for p in
                                             (ROOT / "tracking").glob("*.py"))):
        assert _chat_text(ROOT / module) == [], module


def test_the_cli_and_the_bot_load_matplotlib_only_to_draw() -> None:
    """matplotlib costs about half a second and 55 MB: `nhacviec --help`, the bot and the
    scheduler must not pay for it (issue 14); `/bieudo` and `report --chart` import it."""
    import subprocess
    import sys

    probe = ("import sys, cli.main, bot.handlers, scheduler.dispatch, reports.build; "
             "print('matplotlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert done.stdout.strip() == "False"


def test_the_cli_loads_only_what_a_command_uses() -> None:
    """`nhacviec --help` (and every command's start) must not pay for the database, chat,
    scheduler, HTTP or settings stacks: each command imports what it uses (issue 14)."""
    import subprocess
    import sys

    heavy = ["sqlalchemy", "telegram", "httpx", "apscheduler", "pydantic", "openpyxl", "docx",
             "pdfplumber", "yaml", "uvicorn", "starlette", "prometheus_client", "holidays"]
    probe = (f"import sys, cli.main; print([m for m in {heavy!r} if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"
