"""Starting and stopping a real ``shifan serve`` on localhost for browser, kill and load tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import httpx

SHIFAN = [sys.executable, "-c", "from shifan.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``shifan serve --workspace W --port P`` bound to 127.0.0.1, started and stopped by the test."""

    def __init__(self, workspace: Path, port: int | None = None, workers: int = 1) -> None:
        self.workspace = workspace
        self.workers = workers
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = workspace.parent / f"serve-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> Server:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    *SHIFAN,
                    "serve",
                    "--workspace",
                    str(self.workspace),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"shifan serve exited: {self.log.read_text(encoding='utf-8', errors='replace')}")
            try:
                with urllib.request.urlopen(f"{self.url}/login", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("shifan serve did not start in time")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing — a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def signed_in(server: Server, username: str, password: str = "") -> tuple[httpx.Client, str]:
    """An HTTP client of ``server`` signed in as ``username`` (with the test worlds' password
    unless given), with its session's form token."""
    from tests.web.helpers import CSRF, PASSWORD  # the test client's module, not for benches

    password = password or PASSWORD
    client = httpx.Client(base_url=server.url, timeout=60)
    token = CSRF.search(client.get("/login").text).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"username": username, "password": password, "csrf": token})
    token = CSRF.search(client.get("/account/password").text).group(1)  # type: ignore[union-attr]
    return client, token
