"""One-time invitation links: staff invite an applicant or an expert to a round, the person sets
their own password once through the link, and the link is dead afterwards."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from starlette.testclient import TestClient
from tests.web.helpers import PASSWORD, csrf_of, login, post, small_world

from shifan.web.db import AuditEntry, Invitation, User

LINK = re.compile(r'id="invite-link"[^>]*value="([^"]+)"')
NEW = "我自己的新密码-2026"


@pytest.fixture
def world(tmp_path: Path) -> Any:
    return small_world(tmp_path / "ws")


def _invite(world: Any, **fields: str) -> tuple[str, str]:
    """Staff invite someone to round 1; returns the link's path and the page."""
    staff = login(world, "staff", PASSWORD)
    what = "experts" if "organisation" in fields else "applicants"
    response = post(staff, f"/staff/rounds/1/{what}", fields)
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    match = LINK.search(response.text)  # type: ignore[attr-defined]
    assert match, response.text  # type: ignore[attr-defined]
    return "/" + match.group(1).split("/", 3)[3], response.text  # type: ignore[attr-defined]


def _accept(world: Any, path: str, password: str = NEW) -> Any:
    client = TestClient(world, follow_redirects=False)
    token = csrf_of(client)  # the session's token (a dead link shows no form)
    return client, client.post(path, data={"csrf": token, "new": password, "again": password})


def test_an_invitation_link_works_once(world: Any) -> None:
    path, page = _invite(world, name="新建护理院", kind="institution", city="黄山市", username="xinjian")
    assert "复制链接" in page and 'src="/static/workbench.js"' in page and "只显示这一次" in page
    client, response = _accept(world, path)
    assert response.status_code == 303 and response.headers["location"] == "/applicant"
    assert client.get("/applicant").status_code == 303  # signed in: on to the application
    assert login(world, "xinjian", NEW).get("/applicant").status_code == 303

    again = TestClient(world, follow_redirects=False)
    reused = again.get(path)
    assert reused.status_code == 410 and "已经使用过" in reused.text
    _, second = _accept(world, path, "另一个密码-123456")
    assert second.status_code == 410 and "已经使用过" in second.text
    login(world, "xinjian", NEW)  # the first password still holds

    with world.state.shifan.db.session() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert "生成邀请链接" in actions and "通过邀请链接设置密码" in actions


def test_the_token_is_stored_hashed_only(world: Any) -> None:
    path, _ = _invite(world, name="专家甲", organisation="省医院", username="zhuanjia")
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 40
    with world.state.shifan.db.session() as session:
        stored = session.scalars(select(Invitation)).one()
        audit = " ".join(f"{e.target} {e.before} {e.after} {e.detail}" for e in session.scalars(select(AuditEntry)))
    assert stored.token_hash != token and len(stored.token_hash) == 64 and token not in audit
    database = (world.state.shifan.store.root / "shifan.db").read_bytes()
    wal = world.state.shifan.store.root / "shifan.db-wal"
    assert token.encode() not in database + (wal.read_bytes() if wal.exists() else b"")


def test_an_expired_link_is_refused_in_chinese(world: Any) -> None:
    path, _ = _invite(world, name="新建护理院", kind="institution", city="", username="guoqi")
    with world.state.shifan.db.session() as session:
        session.execute(update(Invitation).values(expires_at=dt.datetime(2020, 1, 1)))
    response = TestClient(world).get(path)
    assert response.status_code == 410 and "此邀请链接已过期" in response.text and "重新生成" in response.text
    _, posted = _accept(world, path)
    assert posted.status_code == 410
    with pytest.raises(AssertionError):
        login(world, "guoqi", NEW)


def test_a_new_link_replaces_the_old_one(world: Any) -> None:
    old, _ = _invite(world, name="新建护理院", kind="institution", city="", username="chongfa")
    with world.state.shifan.db.session() as session:
        user_id = session.scalar(select(User.id).where(User.username == "chongfa"))
    staff = login(world, "staff", PASSWORD)
    page = post(staff, f"/staff/rounds/1/invitations/{user_id}").text  # type: ignore[attr-defined]
    new = "/" + LINK.search(page).group(1).split("/", 3)[3]  # type: ignore[union-attr]
    assert new != old
    refused = TestClient(world).get(old)
    assert refused.status_code == 410 and "已被新的链接取代" in refused.text
    assert _accept(world, new)[1].status_code == 303
    assert "已设置密码" in staff.get("/staff/rounds/1").text


def test_an_unknown_link_and_a_weak_password(world: Any) -> None:
    assert TestClient(world).get("/invite/not-a-real-token").status_code == 404
    path, _ = _invite(world, name="新建护理院", kind="institution", city="", username="ruomima")
    _, weak = _accept(world, path, "short")
    assert weak.status_code == 400 and "至少 10 位" in weak.text
    assert _accept(world, path)[1].status_code == 303  # still usable after a refused attempt


def test_an_invited_account_cannot_sign_in_before_using_its_link(world: Any) -> None:
    _invite(world, name="新建护理院", kind="institution", city="", username="weiyong")
    client = TestClient(world, follow_redirects=False)
    token = csrf_of(client)
    response = client.post("/login", data={"username": "weiyong", "password": "", "csrf": token})
    assert response.status_code == 401


def test_the_first_staff_account_is_opened_from_the_command_line(tmp_path: Path, monkeypatch: Any) -> None:
    import uvicorn
    from tests.conftest import invoke

    from shifan.web import Settings, create_app

    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)
    first = invoke(["serve", "--workspace", tmp_path / "ws", "--invite-staff", "admin"], 0).stdout
    second = invoke(["serve", "--workspace", tmp_path / "ws", "--invite-staff", "admin"], 0).stdout
    links = [re.search(r"http://127\.0\.0\.1:8000(/invite/\S+)", text).group(1) for text in (first, second)]  # type: ignore[union-attr]
    assert "只能使用一次" in first and links[0] != links[1]
    app = create_app(Settings(tmp_path / "ws"))
    assert TestClient(app).get(links[0]).status_code == 410  # replaced by the second
    client, response = _accept(app, links[1])
    assert response.status_code == 303 and response.headers["location"] == "/staff"
    assert client.get("/staff").status_code == 200
    with app.state.shifan.db.session() as session:
        assert session.scalar(select(User.role).where(User.username == "admin")) == "staff"
    taken = invoke(["serve", "--workspace", tmp_path / "ws", "--invite-staff", "xinjian-none"], 0)
    assert "/invite/" in taken.stdout
    with app.state.shifan.db.session() as session:
        session.execute(update(User).where(User.username == "xinjian-none").values(role="applicant"))
    invoke(["serve", "--workspace", tmp_path / "ws", "--invite-staff", "xinjian-none"], 2)


def test_names_are_escaped_on_the_invitation_pages(world: Any) -> None:
    path, page = _invite(world, name='<script>alert("x")</script>护理院', kind="institution", city="", username="xss")
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    form = TestClient(world).get(path).text
    assert "<script>alert" not in form and "&lt;script&gt;alert" in form
