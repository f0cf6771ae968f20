"""A throwaway PostgreSQL cluster the fault tests start, kill and start again."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fakes.server import free_port


def _bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:  # CI machines have PostgreSQL installed: a missing server is a failure
        raise RuntimeError("PostgreSQL binaries not found under /usr/lib/postgresql")
    return Path(found[-1]).parent


def _as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@dataclass
class Cluster:
    directory: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        subprocess.run(_as_postgres([str(_bin() / "pg_ctl"), "-D", str(self.directory / "data"),
                                     *args]), check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off")
        self._ctl("-o", options, "-l", str(self.directory / "log"), "-w", "start")

    def kill(self) -> None:
        """What a crash or a restart looks like to clients: connections drop at once."""
        self._ctl("-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.kill()
        shutil.rmtree(self.directory, ignore_errors=True)


def new_cluster() -> Cluster:
    directory = Path(tempfile.mkdtemp(prefix="nhacviec-pg-"))
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(directory, user.pw_uid, user.pw_gid)
    subprocess.run(_as_postgres([str(_bin() / "initdb"), "-D", str(directory / "data"),
                                 "-A", "trust", "-U", "postgres", "--no-sync"]),
                   check=True, capture_output=True, timeout=120)
    cluster = Cluster(directory, free_port())
    cluster.start()
    return cluster
