"""The README's deploy walk-through, step 5, run as written (against PostgreSQL in CI)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

ROOT = Path(__file__).resolve().parent.parent


def documented_commands() -> list[list[str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- ci: deploy-commands -->", 1)[1]
    body = re.search(r"```sh\n(.*?)```", block, re.S)
    assert body is not None
    return [shlex.split(line.strip())[1:] for line in body.group(1).splitlines()
            if line.strip().startswith("nhacviec ")]


def test_readme_deploy_commands_work_on_a_fresh_database(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    env = {"NHACVIEC_DATABASE_URL": db_url, "NHACVIEC_TODAY": "2023-03-01"}
    commands = documented_commands()
    assert [c[0] for c in commands] == ["db", "import", "invite", "report", "backup", "doctor"]
    outputs = {}
    for args in commands:
        args = [a.replace("/var/lib/nhacviec", str(tmp_path)) for a in args]
        done = runner.invoke(app, args, env=env)
        outputs[args[0]] = done.output
        expected = 1 if args[0] == "doctor" else 0  # no token, no focal points yet: ✗ rows
        assert done.exit_code == expected, (args, done.output)
    assert "thêm 32" in outputs["import"] and "/start " in outputs["invite"]
    assert "| Quá hạn |" in outputs["report"]
    assert (tmp_path / "first-backup.json.gz").stat().st_size > 1000
    red = [line for line in outputs["doctor"].splitlines() if "✗" in line]
    assert red and all("Đầu mối" in line or "Nền tảng chat" in line or "Đồng hồ" in line
                       for line in red), red
