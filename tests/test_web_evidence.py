"""Deleting an evidence file: only its applicant, only while the application is a draft; the
application and the table lose it, the audit log keeps its digest, and the file goes after the commit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.web.helpers import PASSWORD, login, post, small_world

from shifan.web.db import Applicant, Attachment, AuditEntry
from shifan.web.store import read_yaml


@pytest.fixture
def world(tmp_path: Path) -> Any:
    return small_world(tmp_path / "ws")


def _first(world: Any, applicant_id: int = 1) -> tuple[int, str, str, str, int]:
    with world.state.shifan.db.session() as session:
        record = session.scalars(select(Attachment).where(Attachment.applicant_id == applicant_id)).first()
        applicant = session.get(Applicant, applicant_id)
        assert record is not None and applicant is not None
        return record.id, record.stored_name, record.sha256, record.original_name, applicant.version


def test_an_applicant_deletes_an_evidence_file(world: Any) -> None:
    file_id, stored, sha, original, version = _first(world)
    path = world.state.shifan.store.evidence_path(1, stored)
    assert path.exists()
    client = login(world, "jigou-a", PASSWORD)
    response = post(client, f"/applications/1/evidence/{file_id}/delete", {"version": str(version)})
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    assert f"已删除佐证材料“{original}”" in response.text  # type: ignore[attr-defined]
    assert not path.exists()
    with world.state.shifan.db.session() as session:
        assert session.get(Attachment, file_id) is None
        applicant = session.get(Applicant, 1)
        assert applicant is not None and applicant.version == version + 1
        current = world.state.shifan.store.application_path(1, applicant.current_file)
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "删除佐证材料")).one()
    assert stored not in [a["path"] for a in read_yaml(current.read_bytes()).get("attachments") or []]
    assert entry.username == "jigou-a" and entry.before == sha and original in entry.detail
    assert client.get(f"/applications/1/evidence/{file_id}").status_code == 404


def test_no_one_else_deletes_and_not_after_submission(world: Any) -> None:
    file_id, stored, _, _, version = _first(world)
    path = world.state.shifan.store.evidence_path(1, stored)
    for username in ("staff", "expert-a", "jigou-b"):
        response = post(login(world, username, PASSWORD), f"/applications/1/evidence/{file_id}/delete")
        assert response.status_code in (403, 404), username  # type: ignore[attr-defined]
    owner = login(world, "jigou-a", PASSWORD)
    other_id = _first(world, 2)[0]
    assert post(owner, f"/applications/1/evidence/{other_id}/delete").status_code == 404  # type: ignore[attr-defined]
    assert post(owner, "/applications/1/submit").status_code == 303  # type: ignore[attr-defined]
    response = post(owner, f"/applications/1/evidence/{file_id}/delete", {"version": str(version)})
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert path.exists()


def test_a_stale_form_deletes_nothing(world: Any) -> None:
    file_id, stored, _, _, version = _first(world)
    client = login(world, "jigou-a", PASSWORD)
    response = post(client, f"/applications/1/evidence/{file_id}/delete", {"version": str(version - 1)})
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert world.state.shifan.store.evidence_path(1, stored).exists()
    with world.state.shifan.db.session() as session:
        assert session.get(Attachment, file_id) is not None
        assert not session.scalars(select(AuditEntry).where(AuditEntry.action == "删除佐证材料")).all()


def test_the_delete_button_is_shown_to_the_applicant_only(world: Any) -> None:
    file_id = _first(world)[0]
    action = f'action="/applications/1/evidence/{file_id}/delete"'
    assert action in login(world, "jigou-a", PASSWORD).get("/applications/1").text
    assert action not in login(world, "staff", PASSWORD).get("/applications/1").text
