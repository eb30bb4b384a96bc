"""Helpers for the workbench tests: a demo workspace and signed-in test clients."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.testclient import TestClient

from shifan.web import Settings, create_app, fill_demo

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def demo_app(workspace: Path) -> tuple[object, dict[str, str]]:
    app = create_app(Settings(workspace))
    accounts = {username: password for _role, username, password in fill_demo(app)}
    return app, accounts


def csrf_of(client: TestClient, path: str = "/login") -> str:
    match = CSRF.search(client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(app: object, username: str, password: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)  # type: ignore[arg-type]
    token = csrf_of(client)
    response = client.post("/login", data={"username": username, "password": password, "csrf": token})
    assert response.status_code == 303, response.text
    client.headers["x-test-csrf"] = csrf_of(client, "/account/password")  # a new token after signing in
    return client


def post(client: TestClient, path: str, data: dict[str, object] | None = None, **kwargs: object) -> object:
    """POST with the session's CSRF token."""
    return client.post(path, data={**(data or {}), "csrf": client.headers["x-test-csrf"]}, **kwargs)  # type: ignore[arg-type]


PASSWORD = "correct-horse-12"


def small_world(workspace: Path, database: str | None = None) -> object:
    """A round with two applicants (jigou-a owns 1, jigou-b owns 2), an expert assigned to each
    (expert-a → 1, expert-b → 2) and one staff account, all with :data:`PASSWORD`; in SQLite in the
    workspace unless ``database`` names another database."""
    from shifan.files import data_dir
    from shifan.web.db import Applicant, Assignment, Round, User
    from shifan.web.demo import DEMO_AS_OF, import_sample
    from shifan.web.security import hash_password

    app = create_app(Settings(workspace, database=database))
    state = app.state.shifan
    digest = hash_password(PASSWORD)
    samples = data_dir("applications") / "institutions"
    with state.db.session() as session:
        users = {}
        for username, role in [
            ("staff", "staff"),
            ("jigou-a", "applicant"),
            ("jigou-b", "applicant"),
            ("expert-a", "expert"),
            ("expert-b", "expert"),
        ]:
            users[username] = User(username=username, password_hash=digest, role=role, display_name=f"测试{username}")
            session.add(users[username])
        round_ = Round(name="测试批次", as_of=DEMO_AS_OF, quota=2)
        session.add(round_)
        session.flush()
        for owner, expert, sample in [
            ("jigou-a", "expert-a", "01-kangning-eligible.yaml"),
            ("jigou-b", "expert-b", "02-ankang-low-occupancy.yaml"),
        ]:
            applicant = Applicant(
                round_id=round_.id, user_id=users[owner].id, name=f"测试{owner}", kind="institution", city="黄山市"
            )
            session.add(applicant)
            session.flush()
            import_sample(state, session, applicant, samples / sample)
            session.add(Assignment(applicant_id=applicant.id, expert_id=users[expert].id))
    return app


def flatten(data: object, prefix: str = "") -> list[tuple[str, str]]:
    """Form fields as a browser posts them for nested application data (lists of codes repeat the key)."""
    import datetime as dt

    fields: list[tuple[str, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            fields += flatten(value, f"{prefix}{key}.")
    elif isinstance(data, list) and data and all(isinstance(v, str) for v in data):
        fields += [(prefix[:-1], v) for v in data]
    elif isinstance(data, list):
        for i, value in enumerate(data):
            fields += flatten(value, f"{prefix}{i}.")
    elif isinstance(data, bool):
        if data:
            fields.append((prefix[:-1], "on"))
    elif isinstance(data, dt.date):
        fields.append((prefix[:-1], data.isoformat()))
    elif data is not None:
        fields.append((prefix[:-1], str(data)))
    return fields
