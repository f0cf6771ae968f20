"""The deploy/ files an IT officer copies onto the VM: the keys that matter are there, and
systemd itself accepts them where it is installed."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DEPLOY / name, encoding="utf-8")
    return parser


def test_service_unit_runs_as_a_restarting_non_root_service() -> None:
    service = unit("nhacviec.service")["Service"]
    assert service["ExecStart"].endswith("nhacviec run")
    assert service["Restart"] == "on-failure"
    assert service["User"] not in ("root", "0") and service["User"] == service["Group"]
    assert service["EnvironmentFile"] == "/etc/nhacviec/nhacviec.env"
    assert service["StateDirectory"] == "nhacviec"
    assert service["WorkingDirectory"] == "/var/lib/nhacviec"
    assert service["KillSignal"] == "SIGTERM" and int(service["TimeoutStopSec"]) >= 10
    assert unit("nhacviec.service")["Install"]["WantedBy"] == "multi-user.target"
    assert unit("nhacviec-backup.service")["Service"]["ExecStart"].endswith(
        "nhacviec backup --rotate")
    assert unit("nhacviec-backup.timer")["Timer"]["OnCalendar"]


def test_proxy_snippet_forwards_only_the_webhooks() -> None:
    text = (DEPLOY / "nginx-nhacviec.conf").read_text(encoding="utf-8")
    assert "proxy_pass http://127.0.0.1:8080" in text and "ssl_certificate" in text
    assert "(telegram|zalo)/webhook" in text and "return 404" in text


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
@pytest.mark.parametrize("names", [("nhacviec.service",),
                                   ("nhacviec-backup.service", "nhacviec-backup.timer")])
def test_systemd_accepts_the_units(names: tuple[str, ...], tmp_path: Path) -> None:
    venv = str(Path(sys.executable).parent.parent)
    env_file = tmp_path / "nhacviec.env"
    env_file.write_text("NHACVIEC_DATABASE_URL=sqlite:////var/lib/nhacviec/nhacviec.db\n")
    files = []
    for name in names:
        text = (DEPLOY / name).read_text(encoding="utf-8")
        copy = tmp_path / name
        copy.write_text(text.replace("/opt/nhacviec/.venv", venv)
                        .replace("/etc/nhacviec/nhacviec.env", str(env_file)))
        files.append(str(copy))
    done = subprocess.run(["systemd-analyze", "verify", *files], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert not [line for line in done.stderr.splitlines() if "nhacviec" in line], done.stderr
