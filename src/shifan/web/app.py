"""The workbench application: one request wrapper that signs in, checks the role and the CSRF
token and runs the handler in a worker thread with one database transaction; the routes of each
role live in their own module."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from shifan.web.db import AuditEntry, Database, User, migrate, sqlite_url
from shifan.web.security import SecurityHeaders, Throttle, csrf_ok, csrf_token, password_stamp
from shifan.web.settle import lifespan
from shifan.web.store import Store
from shifan.web.templating import render
from shifan.web.timing import ServerTiming, timed

logger = logging.getLogger(__name__)

PASSWORD_PAGE = "/account/password"
#: Largest request body accepted (an application file or one evidence file).
MAX_UPLOAD = 20 * 1024 * 1024


@dataclass
class Settings:
    workspace: Path
    database: str | None = None
    https: bool = False
    #: Mark jobs a previous process left running as interrupted (not in worker processes, whose
    #: siblings may be running jobs; the parent process does it once before starting them).
    recover_jobs: bool = True

    @property
    def url(self) -> str:
        return self.database or sqlite_url(self.workspace)


@dataclass
class State:
    """What the routes share: the database, the files, the login throttle and the job runner."""

    db: Database
    store: Store
    throttle: Throttle = field(default_factory=Throttle)
    jobs: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="shifan-job")
    )


@dataclass
class Req:
    """One request as a handler sees it: the signed-in user, the parsed form, the transaction."""

    request: Request
    state: State
    session: Session
    user: User | None
    form: FormData | None
    csrf: str

    def param(self, name: str) -> int:
        try:
            return int(self.request.path_params[name])
        except (KeyError, ValueError):
            raise HTTPException(404) from None

    def field(self, name: str, default: str = "") -> str:
        """A posted text field, trimmed; NUL characters (which PostgreSQL refuses) are dropped."""
        value = self.form.get(name) if self.form is not None else None
        return value.replace("\x00", "").strip() if isinstance(value, str) else default

    def upload(self, name: str) -> UploadFile | None:
        value = self.form.get(name) if self.form is not None else None
        return value if isinstance(value, UploadFile) and value.filename else None

    @property
    def me(self) -> User:
        assert self.user is not None
        return self.user

    def page(self, template: str, status_code: int = 200, **context: Any) -> Response:
        return render(template, status_code, user=self.user, csrf=self.csrf, **context)

    def audit(self, action: str, target: str, *, before: str = "", after: str = "", detail: str = "") -> None:
        columns = AuditEntry.__table__.c
        self.session.add(
            AuditEntry(
                user_id=self.user.id if self.user else None,
                username=self.user.username if self.user else "",
                action=clip(columns.action, action),
                target=clip(columns.target, target),
                before=clip(columns.before, before),
                after=clip(columns.after, after),
                detail=detail,
            )
        )


def column_length(column: Any) -> int | None:
    """The declared length of a string column (PostgreSQL enforces it; SQLite does not)."""
    length = getattr(getattr(column, "type", None), "length", None)
    return length if isinstance(length, int) else None


def clip(column: Any, text: str) -> str:
    """``text`` cut to fit ``column`` (for the audit log, which records what was typed, even too much)."""
    length = column_length(column)
    return text[: length - 1] + "…" if length is not None and len(text) > length else text


def fits(column: Any, text: str) -> bool:
    length = column_length(column)
    return length is None or len(text) <= length


def digest(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


Handler = Callable[[Req], Response]


def page(path: str, handler: Handler, *, roles: Sequence[str] | None, methods: Sequence[str] = ("GET",)) -> Route:
    """A route whose handler runs in a thread with a transaction; ``roles=None`` is public."""

    async def endpoint(request: Request) -> Response:
        form: FormData | None = None
        if request.method == "POST":
            length = int(request.headers.get("content-length") or 0)
            if length > MAX_UPLOAD:
                return render("error.html", 413, user=None, csrf="", message="上传的文件过大（上限 20 MB）。")
            form = await request.form(max_files=5, max_fields=5000, max_part_size=MAX_UPLOAD)
            if not csrf_ok(request.session, form.get("csrf")):
                return render(
                    "error.html", 403, user=None, csrf="", message="页面已过期或请求来源不明，请返回刷新后重试。"
                )
        state: State = request.app.state.shifan
        token = csrf_token(request.session)

        def run() -> Response:
            with state.db.session() as session:
                user_id = request.session.get("user")
                user = session.get(User, user_id) if isinstance(user_id, int) else None
                if user is not None and request.session.get("pw") != password_stamp(user.password_hash):
                    user = None  # the password changed since this session signed in
                if roles is not None:
                    if user is None:
                        return RedirectResponse(f"/login?next={request.url.path}", 303)
                    if user.role not in roles:
                        raise HTTPException(403)
                    if user.must_change_password and request.url.path != PASSWORD_PAGE:
                        return RedirectResponse(PASSWORD_PAGE, 303)
                return handler(Req(request, state, session, user, form, token))

        return await run_in_threadpool(timed(request, run))

    return Route(path, endpoint, methods=list(methods))


async def http_error(request: Request, exc: Exception) -> Response:
    code = exc.status_code if isinstance(exc, HTTPException) else 500
    messages = {403: "您没有权限访问此页面。", 404: "页面不存在。", 405: "不支持此操作。"}
    return render("error.html", code, user=None, csrf="", message=messages.get(code, "出现错误。"))


def _secret(workspace: Path) -> str:
    path = workspace / "secret.key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _interrupted_jobs(db: Database) -> None:
    """Jobs left running by a previous process (crash, restart) are marked failed, to be rerun."""
    from sqlalchemy import update

    from shifan.web.db import Job

    with db.session() as session:
        session.execute(
            update(Job)
            .where(Job.status == "running")
            .values(status="failed", message="服务器重启，任务已中断，请重新生成。")
        )


def create_app(settings: Settings) -> Starlette:
    """The workbench over ``settings.workspace``; the database is migrated first."""
    from shifan.web import (
        invitations,
        routes_applicant,
        routes_auth,
        routes_evidence,
        routes_expert,
        routes_reports,
        routes_staff,
    )

    settings.workspace.mkdir(parents=True, exist_ok=True)
    migrate(settings.url)
    state = State(Database(settings.url), Store(settings.workspace))
    if settings.recover_jobs:
        _interrupted_jobs(state.db)
    routes: list[BaseRoute] = [
        *routes_auth.ROUTES,
        *invitations.ROUTES,
        *routes_staff.ROUTES,
        *routes_applicant.ROUTES,
        *routes_evidence.ROUTES,
        *routes_reports.ROUTES,
        *routes_expert.ROUTES,
        Mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static"),
    ]
    middleware = [
        Middleware(ServerTiming),
        Middleware(SecurityHeaders, https=settings.https),
        Middleware(
            SessionMiddleware,
            secret_key=_secret(settings.workspace),
            session_cookie="shifan_session",
            max_age=8 * 3600,
            same_site="lax",
            https_only=settings.https,
        ),
    ]
    app = Starlette(
        routes=routes, middleware=middleware, exception_handlers={HTTPException: http_error}, lifespan=lifespan
    )
    app.state.shifan = state
    return app
