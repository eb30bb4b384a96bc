"""A throwaway PostgreSQL cluster for the workbench tests: initdb in a temporary folder, a server on a
free loopback port, one database per test, everything removed at the end.

initdb refuses to run as root, so as root the cluster belongs to the ``postgres`` system user (created
by Debian's ``postgresql`` package) and its commands run through ``runuser``; otherwise it belongs
to whoever runs the tests. The server binaries are looked up on PATH, then under
``/usr/lib/postgresql/<version>/bin`` (where Debian puts them), or in ``$SHIFAN_PG_BIN``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import NoReturn

import pytest
from tests.web.server import free_port

SYSTEM_USER = "postgres"
INSTALL = "bash scripts/setup.sh（apt-get install postgresql）"


def server_binaries() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres, or None when the server is not installed."""
    candidates = []
    if os.environ.get("SHIFAN_PG_BIN"):
        candidates.append(Path(os.environ["SHIFAN_PG_BIN"]))
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    for folder in candidates:
        if all((folder / name).exists() for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def _missing(message: str) -> NoReturn:
    """Without PostgreSQL the tests fail under CI (CI=true) and are skipped elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def require_binaries() -> Path:
    """The server binaries (see :func:`_missing` when there are none)."""
    found = server_binaries()
    if found is None:
        _missing(f"找不到 PostgreSQL 服务器程序（initdb、pg_ctl、postgres）：请运行 {INSTALL}")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _missing("找不到 psycopg：请运行 bash scripts/setup.sh（pip install 'shifan[postgres]'）")
    return found


class Cluster:
    """A running cluster: :meth:`database` creates an empty database and returns its URL."""

    def __init__(self, binaries: Path, folder: Path, port: int, run_as: str | None) -> None:
        self.binaries = binaries
        self.folder = folder
        self.data = folder / "data"
        self.port = port
        self.run_as = run_as
        self.log = folder / "server.log"
        self._count = 0

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.binaries / args[0]), *args[1:]]
        if self.run_as is not None:
            command = ["runuser", "-u", self.run_as, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=True, cwd=self.folder, timeout=120)

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "shifan", "-E", "UTF8", "--locale=C.UTF-8")
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")

    def stop(self) -> None:
        with suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://shifan@127.0.0.1:{self.port}/{database}"

    def database(self) -> str:
        """A new, empty database on this cluster."""
        import psycopg

        self._count += 1
        name = f"shifan_test_{self._count}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=shifan dbname=postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)


@contextmanager
def postgres_cluster() -> Iterator[Cluster]:
    """Start a throwaway cluster (see the module docstring) and remove it afterwards."""
    binaries = require_binaries()
    run_as = None
    # /tmp itself, not pytest's own temporary folder (private to root, unreadable by postgres).
    folder = Path(tempfile.mkdtemp(prefix="shifan-pg-"))
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            shutil.rmtree(folder)
            _missing(f"以 root 运行时需要系统用户 {SYSTEM_USER}（由 postgresql 软件包创建）：请运行 {INSTALL}")
        os.chown(folder, account.pw_uid, account.pw_gid)
        run_as = SYSTEM_USER
    cluster = Cluster(binaries, folder, free_port(), run_as)
    try:
        try:
            cluster.start()
        except subprocess.CalledProcessError as error:
            log = cluster.log.read_text(errors="replace") if cluster.log.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {error.stderr}\n{log}") from error
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
