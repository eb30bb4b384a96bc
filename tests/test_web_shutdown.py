"""A server stopped by SIGTERM (as a service manager stops it) leaves no temporary files behind:
uvicorn raises the signal again after its graceful shutdown, so exit handlers never run."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from tests.web.helpers import small_world
from tests.web.server import Server, signed_in

pytestmark = pytest.mark.slow


def test_sigterm_after_a_pdf_leaves_no_font_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))  # the server's own temporary folder
    workspace = tmp_path / "ws"
    small_world(workspace)
    server = Server(workspace).start()
    try:
        client, token = signed_in(server, "jigou-a")
        job = client.post("/applications/1/self-report-jobs", data={"csrf": token}, follow_redirects=True)
        assert job.status_code == 200, job.text
        deadline = time.monotonic() + 120
        while "下载自评报告（PDF）" not in job.text and time.monotonic() < deadline:
            time.sleep(0.5)
            job = client.get(str(job.url))
        client.close()
        assert "下载自评报告（PDF）" in job.text
        assert list(temporary.glob("weasyprint-*")), "the engine keeps its fonts in a temporary folder"
    finally:
        server.stop()  # SIGTERM
    assert server.process is not None and server.process.returncode is not None
    assert not list(temporary.glob("weasyprint-*"))
