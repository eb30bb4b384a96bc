"""Kill ``shifan serve`` with SIGKILL while people save and upload; after a restart nothing that
was acknowledged is lost and nothing half-written is visible."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from tests.web.helpers import flatten, small_world
from tests.web.server import Server, signed_in

from shifan.files import data_dir, sha256_file
from shifan.load.application import load_application
from shifan.web.db import Applicant, Attachment, Database, sqlite_url
from shifan.web.store import Store, read_yaml

pytestmark = pytest.mark.slow

VERSION = re.compile(r'name="version" value="(\d+)"')
SAMPLE = data_dir("applications") / "institutions" / "01-kangning-eligible.yaml"


class Saver(threading.Thread):
    """Saves the form of applicant 1 again and again with a new contact; remembers the acknowledged ones."""

    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.acked: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        client, token = signed_in(self.server, "jigou-a")
        data = read_yaml(SAMPLE.read_bytes())
        data = {k: v for k, v in data.items() if k not in ("attachments", "kind")}
        number = 0
        while not self.stop.is_set():
            try:
                page = client.get("/applications/1").text
                version = VERSION.search(page).group(1)  # type: ignore[union-attr]
                number += 1
                data["contact"] = f"联系人第{number}次"
                form: dict[str, list[str]] = {"csrf": [token], "version": [version]}
                for key, value in flatten(data):
                    form.setdefault(key, []).append(value)
                response = client.post("/applications/1/save", data=form)
                if response.status_code == 200 and "已保存并重新核验" in response.text:
                    self.acked.append(data["contact"])
            except (httpx.HTTPError, AttributeError):
                return


class Uploader(threading.Thread):
    """Uploads evidence files to applicant 2; remembers the acknowledged ones by content."""

    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.acked: list[bytes] = []
        self.stop = threading.Event()

    def run(self) -> None:
        client, token = signed_in(self.server, "jigou-b")
        number = 0
        while not self.stop.is_set():
            try:
                page = client.get("/applications/2").text
                version = VERSION.search(page).group(1)  # type: ignore[union-attr]
                number += 1
                body = f"%PDF-1.4 第{number}份材料 ".encode() * 20000  # about 0.5 MB
                response = client.post(
                    "/applications/2/evidence",
                    data={"csrf": token, "version": version, "type": "drill_records", "title": f"演练记录{number}"},
                    files={"file": (f"演练{number}.pdf", body, "application/pdf")},
                )
                if response.status_code == 200 and "佐证材料已上传" in response.text:
                    self.acked.append(body)
            except (httpx.HTTPError, AttributeError):
                return


def test_sigkill_during_saves_and_uploads_loses_nothing(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    small_world(workspace)
    server = Server(workspace).start()
    try:
        saver, uploader = Saver(server), Uploader(server)
        saver.start()
        uploader.start()
        deadline = time.monotonic() + 60
        while (len(saver.acked) < 5 or len(uploader.acked) < 3) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.37)  # land in the middle of a request
        server.kill()
        saver.stop.set()
        uploader.stop.set()
        saver.join(30)
        uploader.join(30)
    finally:
        server.stop()
    assert len(saver.acked) >= 5 and len(uploader.acked) >= 3, (saver.acked, len(uploader.acked))

    restarted = Server(workspace, server.port).start()
    try:
        db = Database(sqlite_url(workspace))
        store = Store(workspace)
        with db.session() as session:
            first = session.get(Applicant, 1)
            second = session.get(Applicant, 2)
            assert first is not None and second is not None
            # Every referenced file is whole: its content hashes to what the row recorded.
            for applicant in (first, second):
                path = store.application_path(applicant.id, applicant.current_file or "")
                assert sha256_file(path) == applicant.current_sha
                load_application(path)
            contact = read_yaml(store.application_path(1, first.current_file or "").read_bytes())["contact"]
            number = int(re.search(r"第(\d+)次", contact).group(1))  # type: ignore[union-attr]
            last_acked = int(re.search(r"第(\d+)次", saver.acked[-1]).group(1))  # type: ignore[union-attr]
            assert number in (last_acked, last_acked + 1), (contact, saver.acked[-1])
            stored = {
                row.sha256: row
                for row in session.scalars(
                    select(Attachment).where(Attachment.applicant_id == 2, Attachment.evidence_type == "drill_records")
                )
            }
            from shifan.files import sha256_bytes

            for body in uploader.acked:
                row = stored[sha256_bytes(body)]
                assert store.evidence_path(2, row.stored_name).read_bytes() == body
            for row in stored.values():
                assert sha256_file(store.evidence_path(2, row.stored_name)) == row.sha256
            listed = read_yaml(store.application_path(2, second.current_file or "").read_bytes())["attachments"]
            assert {a["path"] for a in listed} >= {row.stored_name for row in stored.values()}
        client, _ = signed_in(restarted, "jigou-a")
        assert contact in client.get("/applications/1").text
    finally:
        restarted.stop()
