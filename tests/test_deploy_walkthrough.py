"""The README's deploy walk-through, step 5, run as written (against PostgreSQL in CI)."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.sample_docs import docx_from_tab_text

ROOT = Path(__file__).resolve().parent.parent


def documented_commands() -> list[list[str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    alias = re.search(r"alias nhacviec='(.*)'", readme)
    assert alias is not None
    # the alias reads the service's settings file: nothing shell-splits it (`env $(cat … |
    # xargs)` failed on the comments of the file step 4 installs)
    assert shlex.split(alias.group(1))[:4] == [
        "sudo", "-u", "nhacviec", "env"] and "NHACVIEC_ENV_FILE=/etc/nhacviec/nhacviec.env" \
        in alias.group(1)
    block = readme.split("<!-- ci: deploy-commands -->", 1)[1]
    body = re.search(r"```sh\n(.*?)```", block, re.S)
    assert body is not None
    return [shlex.split(line.strip())[1:] for line in body.group(1).splitlines()
            if line.strip().startswith("nhacviec ")]


def test_readme_deploy_commands_work_on_a_fresh_database(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    settings = tmp_path / "nhacviec.env"  # step 4: the example settings file, as installed
    shutil.copy(ROOT / ".env.example", settings)
    sample = (ROOT / "tests" / "samples" / "province-2026.txt").read_text(encoding="utf-8")
    (tmp_path / "ke-hoach-cchc-2026.docx").write_bytes(docx_from_tab_text(sample))
    env = {"NHACVIEC_DATABASE_URL": db_url, "NHACVIEC_TODAY": "2026-01-26",
           "NHACVIEC_ENV_FILE": str(settings)}
    commands = documented_commands()
    assert [c[0] for c in commands] == ["db", "import", "invite", "invite", "report", "backup",
                                        "doctor"]
    outputs = {}
    for args in commands:
        args = [a.replace("/var/lib/nhacviec", str(tmp_path)) for a in args]
        done = runner.invoke(app, args, env=env)
        outputs[" ".join(args[:2])] = done.output
        expected = 1 if args[0] == "doctor" else 0  # no token yet: ✗ rows
        assert done.exit_code == expected, (args, done.output)
    assert "thêm 28" in outputs["import " + str(tmp_path / "ke-hoach-cchc-2026.docx")]
    assert "DEMO" not in outputs["report --format"]
    assert "/start " in outputs["invite Sở Nội vụ"]
    assert "Đã tạo 118 mã mời" in outputs["invite --all"]
    assert (tmp_path / "moi.xlsx").stat().st_size > 1000
    assert "| Quá hạn |" in outputs["report --format"]
    assert (tmp_path / "first-backup.json.gz").stat().st_size > 1000
    red = [line for line in outputs["doctor"].splitlines() if "✗" in line]
    assert red and all("Đầu mối" in line or "Nền tảng chat" in line or "Đồng hồ" in line
                       for line in red), red


def test_a_missing_settings_file_is_one_vietnamese_line(tmp_path: Path) -> None:
    done = CliRunner().invoke(app, ["plans"], env={
        "NHACVIEC_ENV_FILE": str(tmp_path / "missing.env"),
        "NHACVIEC_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert done.exit_code == 2 and "NHACVIEC_ENV_FILE: không có tệp" in done.output
