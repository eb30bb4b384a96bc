"""The workbench's authorization matrix: every role × every route × own / other object, and
CSRF rejection on every state-changing route."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from tests.web.helpers import PASSWORD, login, small_world

from shifan.web.db import Applicant, Attachment, Invitation, Job, User
from shifan.web.invitations import token_hash

INVITE_TOKEN = "invitation-token-of-the-matrix-tests"
FUTURE = dt.datetime(2100, 1, 1)

OWN, OTHER = 1, 2  # applicant ids: jigou-a / expert-a own 1, jigou-b / expert-b own 2

# (method, path template, who may: role → "any" | "own"); {X} is the applicant id, {F} an evidence
# file of that applicant, {J} a finished 自评报告 job of that applicant, {U} a person invited to round 1.
ROUTES: list[tuple[str, str, dict[str, str]]] = [
    ("GET", "/staff", {"staff": "any"}),
    ("GET", "/staff/rounds/1", {"staff": "any"}),
    ("GET", "/staff/rounds/1/export.zip", {"staff": "any"}),
    ("GET", "/staff/audit", {"staff": "any"}),
    ("GET", "/staff/audit.csv", {"staff": "any"}),
    ("GET", "/staff/jobs/1", {"staff": "any"}),
    ("POST", "/staff/rounds", {"staff": "any"}),
    ("POST", "/staff/rounds/1/applicants", {"staff": "any"}),
    ("POST", "/staff/rounds/1/experts", {"staff": "any"}),
    ("POST", "/staff/rounds/1/assign", {"staff": "any"}),
    ("POST", "/staff/applicants/{X}/reopen", {"staff": "any"}),
    ("POST", "/staff/rounds/1/invitations/{U}", {"staff": "any"}),
    ("GET", "/applicant", {"applicant": "any"}),
    ("GET", "/applications/{X}", {"staff": "any", "applicant": "own", "expert": "own"}),
    ("GET", "/applications/{X}/source", {"staff": "any", "applicant": "own", "expert": "own"}),
    ("GET", "/applications/{X}/self-report.html", {"staff": "any", "applicant": "own", "expert": "own"}),
    ("GET", "/applications/{X}/evidence/{F}", {"staff": "any", "applicant": "own", "expert": "own"}),
    ("POST", "/applications/{X}/self-report-jobs", {"staff": "any", "applicant": "own", "expert": "own"}),
    ("GET", "/applications/{X}/jobs/{J}", {"staff": "any", "applicant": "own", "expert": "own"}),
    ("GET", "/applications/{X}/jobs/{J}/self-report.pdf", {"staff": "any", "applicant": "own", "expert": "own"}),
    ("POST", "/applications/{X}/save", {"applicant": "own"}),
    ("POST", "/applications/{X}/upload", {"applicant": "own"}),
    ("POST", "/applications/{X}/evidence", {"applicant": "own"}),
    ("POST", "/applications/{X}/evidence/{F}/delete", {"applicant": "own"}),
    ("POST", "/applications/{X}/submit", {"applicant": "own"}),
    ("GET", "/expert", {"expert": "any"}),
    ("GET", "/reviews/{X}", {"staff": "any", "expert": "own"}),
    ("GET", "/reviews/{X}/report.html", {"staff": "any", "expert": "own"}),
    ("POST", "/reviews/{X}", {"expert": "own"}),
    ("GET", "/account/password", {"staff": "any", "applicant": "any", "expert": "any"}),
    ("POST", "/account/password", {"staff": "any", "applicant": "any", "expert": "any"}),
]
USERS = {"staff": "staff", "applicant": "jigou-a", "expert": "expert-a"}
PRINCIPALS = ["anonymous", "staff", "applicant", "expert"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Any:
    import shifan.web.routes_reports as routes_reports

    app = small_world(tmp_path_factory.mktemp("authz"))
    with pytest.MonkeyPatch.context() as patch:
        # Starting a 自评报告 job is what is checked here, not rendering the PDF.
        patch.setattr(routes_reports, "run_self_report", lambda *args: None)
        yield _fill(app)


def _fill(app: Any) -> Any:
    folder = app.state.shifan.store.root / "jobs" / "report"
    folder.mkdir(parents=True)
    (folder / "自评报告.pdf").write_bytes(b"%PDF-1.7 test")
    with app.state.shifan.db.session() as session:  # type: ignore[attr-defined]
        session.add(Job(round_id=1, kind="recommendation", status="failed", message="测试"))
        for applicant_id in (OWN, OTHER):
            session.add(
                Job(round_id=1, applicant_id=applicant_id, kind="self_report", status="done", folder=str(folder))
            )
        invitee = User(username="invitee", password_hash="x", role="expert", display_name="受邀专家")
        session.add(invitee)
        session.flush()
        session.add(Invitation(token_hash=token_hash(INVITE_TOKEN), user_id=invitee.id, round_id=1, expires_at=FUTURE))
    return app


@pytest.fixture(scope="module")
def clients(world: Any) -> dict[str, Any]:
    from starlette.testclient import TestClient

    found = {role: login(world, username, PASSWORD) for role, username in USERS.items()}
    anonymous = TestClient(world, follow_redirects=False)
    from tests.web.helpers import csrf_of

    anonymous.headers["x-test-csrf"] = csrf_of(anonymous)
    found["anonymous"] = anonymous
    return found


@pytest.fixture(autouse=True)
def drafts(world: Any) -> Any:
    """Every case starts from the imported applications in draft (cases save and submit)."""
    with world.state.shifan.db.session() as session:
        before = {a.id: (a.current_file, a.current_sha, a.version) for a in session.scalars(select(Applicant))}
    yield
    with world.state.shifan.db.session() as session:
        for applicant_id, (name, sha, version) in before.items():
            session.execute(
                update(Applicant)
                .where(Applicant.id == applicant_id)
                .values(status="draft", current_file=name, current_sha=sha, version=version)
            )


def _evidence(world: Any, applicant: int) -> int:
    with world.state.shifan.db.session() as session:
        return int(session.scalar(select(Attachment.id).where(Attachment.applicant_id == applicant).limit(1)) or 0)


def _report_job(world: Any, applicant: int) -> int:
    with world.state.shifan.db.session() as session:
        found = select(Job.id).where(Job.applicant_id == applicant, Job.status == "done").order_by(Job.id)
        return int(session.scalar(found.limit(1)) or 0)


def test_a_report_job_is_reached_only_through_its_own_application(world: Any, clients: dict[str, Any]) -> None:
    other = _report_job(world, OTHER)
    for principal in ("staff", "applicant", "expert"):
        assert clients[principal].get(f"/applications/{OWN}/jobs/{other}").status_code == 404
        assert clients[principal].get(f"/applications/{OWN}/jobs/{other}/self-report.pdf").status_code == 404


def _invitee(world: Any) -> int:
    with world.state.shifan.db.session() as session:
        return int(session.scalar(select(User.id).where(User.username == "invitee")) or 0)


def _cases() -> list[Any]:
    cases = []
    for method, template, allowed in ROUTES:
        targets = [("own", OWN), ("other", OTHER)] if "{X}" in template else [("-", OWN)]
        for principal in PRINCIPALS:
            for relation, target in targets:
                rule = allowed.get(principal)
                permitted = rule == "any" or (rule == "own" and relation == "own")
                cases.append(
                    pytest.param(
                        method, template, principal, target, permitted, id=f"{principal}-{method}-{template}-{relation}"
                    )
                )
    return cases


@pytest.mark.parametrize(("method", "template", "principal", "target", "permitted"), _cases())
def test_authorization_matrix(
    world: Any, clients: dict[str, Any], method: str, template: str, principal: str, target: int, permitted: bool
) -> None:
    client = clients[principal]
    path = template.replace("{X}", str(target)).replace("{F}", str(_evidence(world, target)))
    path = path.replace("{U}", str(_invitee(world))).replace("{J}", str(_report_job(world, target)))
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, data={"csrf": client.headers["x-test-csrf"], "version": "1"})
    to_login = response.status_code == 303 and response.headers["location"].startswith("/login")
    if principal == "anonymous":
        assert to_login, (response.status_code, response.headers.get("location"))
    elif permitted:
        assert not to_login and response.status_code not in (401, 403, 404), response.status_code
    else:
        assert response.status_code in (403, 404), response.status_code


POSTS = [template for method, template, _ in ROUTES if method == "POST"] + [
    "/login",
    "/logout",
    f"/invite/{INVITE_TOKEN}",
]


@pytest.mark.parametrize("template", POSTS)
@pytest.mark.parametrize("token", ["missing", "wrong"])
def test_post_without_the_csrf_token_is_rejected(clients: dict[str, Any], template: str, token: str) -> None:
    role = "expert" if template.startswith("/reviews") else "staff" if template.startswith("/staff") else "applicant"
    client = clients["anonymous" if template.startswith("/invite") else role]
    data = {"version": "1"} if token == "missing" else {"version": "1", "csrf": "forged"}
    response = client.post(template.replace("{X}", str(OWN)).replace("{U}", "1").replace("{F}", "1"), data=data)
    assert response.status_code == 403
    assert "页面已过期" in response.text


def test_security_headers(clients: dict[str, Any]) -> None:
    response = clients["staff"].get("/staff")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<script" not in response.text
    import re

    for path in ("/applications/1", "/staff/rounds/1"):
        client = clients["applicant" if path.startswith("/applications") else "staff"]
        tags = re.findall(r"<script[^>]*>", client.get(path).text)
        assert all(re.fullmatch(r'<script src="/static/[a-z]+\.js" defer>', tag) for tag in tags), tags


def test_session_cookie_is_httponly_and_samesite(world: Any) -> None:
    from starlette.testclient import TestClient
    from tests.web.helpers import csrf_of

    client = TestClient(world, follow_redirects=False)
    token = csrf_of(client)
    response = client.post("/login", data={"username": "staff", "password": PASSWORD, "csrf": token})
    cookie = response.headers["set-cookie"].lower()
    assert "shifan_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_file_downloads_are_attachments_with_nosniff(world: Any, clients: dict[str, Any]) -> None:
    response = clients["applicant"].get(f"/applications/{OWN}/evidence/{_evidence(world, OWN)}")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"
    html = clients["applicant"].get(f"/applications/{OWN}/self-report.html")
    assert html.headers["content-type"] == "application/octet-stream"


def test_login_is_throttled(world: Any) -> None:
    from starlette.testclient import TestClient
    from tests.web.helpers import csrf_of

    client = TestClient(world, follow_redirects=False)
    token = csrf_of(client)
    codes = [
        client.post("/login", data={"username": "nobody", "password": "x", "csrf": token}).status_code for _ in range(7)
    ]
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429]


def test_behind_https_the_session_cookie_is_secure(tmp_path: Path) -> None:
    from starlette.testclient import TestClient
    from tests.web.helpers import csrf_of

    from shifan.web import Settings, create_app
    from shifan.web.db import User
    from shifan.web.security import hash_password

    app = create_app(Settings(tmp_path / "ws", https=True))
    with app.state.shifan.db.session() as session:
        session.add(
            User(username="staff", password_hash=hash_password(PASSWORD), role="staff", display_name="工作人员")
        )
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    token = csrf_of(client)
    response = client.post("/login", data={"username": "staff", "password": PASSWORD, "csrf": token})
    assert "secure" in response.headers["set-cookie"].lower()
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_login_throttling_is_shared_by_worker_processes(tmp_path: Path) -> None:
    """Two apps on one database (as two worker processes are) count the same failures."""
    from starlette.testclient import TestClient
    from tests.web.helpers import csrf_of

    from shifan.web import Settings, create_app

    first = create_app(Settings(tmp_path / "ws"))
    second = create_app(Settings(tmp_path / "ws"))
    clients = [TestClient(app, follow_redirects=False) for app in (first, second)]
    tokens = [csrf_of(client) for client in clients]

    def attempt(index: int) -> int:
        data = {"username": "nobody", "password": "x", "csrf": tokens[index]}
        return int(clients[index].post("/login", data=data).status_code)

    codes = [attempt(i % 2) for i in range(5)]
    assert codes == [401] * 5
    assert attempt(0) == 429 and attempt(1) == 429


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_invitation_links_are_public_and_need_the_token_only(
    world: Any, clients: dict[str, Any], principal: str
) -> None:
    """The link itself is the credential: anyone holding it sees the form, nobody sees another one."""
    token = f"public-{principal}-token"
    with world.state.shifan.db.session() as session:
        session.add(Invitation(token_hash=token_hash(token), user_id=_invitee(world), round_id=1, expires_at=FUTURE))
    client = clients[principal]
    response = client.get(f"/invite/{token}")
    assert response.status_code == 200 and "受邀专家" in response.text
    assert client.get("/invite/guessed-token").status_code == 404


def test_reissuing_needs_someone_invited_to_that_round(clients: dict[str, Any]) -> None:
    staff = clients["staff"]
    for path in ("/staff/rounds/1/invitations/1", "/staff/rounds/99/invitations/1"):  # staff never invited
        response = staff.post(path, data={"csrf": staff.headers["x-test-csrf"]})
        assert response.status_code == 404
