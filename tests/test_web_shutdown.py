"""A server stopped by SIGTERM (as a service manager stops it) leaves no temporary files behind:
uvicorn raises the signal again after its graceful shutdown, so exit handlers never run."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest
from tests.web.helpers import PASSWORD, small_world
from tests.web.server import Server

pytestmark = pytest.mark.slow

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def test_sigterm_after_a_pdf_leaves_no_font_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))  # the server's own temporary folder
    workspace = tmp_path / "ws"
    small_world(workspace)
    server = Server(workspace).start()
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            token = CSRF.search(client.get("/login").text).group(1)  # type: ignore[union-attr]
            client.post("/login", data={"username": "jigou-a", "password": PASSWORD, "csrf": token})
            token = CSRF.search(client.get("/applications/1").text).group(1)  # type: ignore[union-attr]
            job = client.post("/applications/1/self-report-jobs", data={"csrf": token}, follow_redirects=True)
            assert job.status_code == 200, job.text
            deadline = time.monotonic() + 120
            while "下载自评报告（PDF）" not in job.text and time.monotonic() < deadline:
                time.sleep(0.5)
                job = client.get(str(job.url))
            assert "下载自评报告（PDF）" in job.text
        assert list(temporary.glob("weasyprint-*")), "the engine keeps its fonts in a temporary folder"
    finally:
        server.stop()  # SIGTERM
    assert server.process is not None and server.process.returncode is not None
    assert not list(temporary.glob("weasyprint-*"))
