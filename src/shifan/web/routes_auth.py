"""Signing in and out, the home page of each role, and changing one's password."""

from __future__ import annotations

from sqlalchemy import select
from starlette.responses import RedirectResponse, Response

from shifan.web.app import Req, page
from shifan.web.db import User
from shifan.web.security import hash_password, password_stamp, verify_password

HOME = {"staff": "/staff", "applicant": "/applicant", "expert": "/expert"}


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/"


def home(req: Req) -> Response:
    if req.user is None:
        return RedirectResponse("/login", 303)
    return RedirectResponse(HOME[req.user.role], 303)


def login_form(req: Req) -> Response:
    return req.page("login.html", next=_safe_next(req.request.query_params.get("next", "/")), error="")


def login(req: Req) -> Response:
    username = req.field("username")
    password = req.field("password")
    target = _safe_next(req.field("next", "/"))
    host = req.request.client.host if req.request.client else ""
    keys = [f"user:{username}", f"ip:{host}"]
    if any(req.state.throttle.blocked(req.session, key) for key in keys):
        req.audit("登录受限", username, detail=f"来自 {host}")
        return req.page("login.html", 429, next=target, error="登录失败次数过多，请 5 分钟后再试。")
    user = req.session.scalar(select(User).where(User.username == username))
    if user is None or not verify_password(user.password_hash, password):
        for key in keys:
            req.state.throttle.fail(req.session, key)
        req.audit("登录失败", username, detail=f"来自 {host}")
        return req.page("login.html", 401, next=target, error="用户名或密码不正确。")
    for key in keys:
        req.state.throttle.clear(req.session, key)
    req.request.session.clear()
    req.request.session["user"] = user.id
    req.request.session["pw"] = password_stamp(user.password_hash)
    req.user = user
    req.audit("登录", username, detail=f"来自 {host}")
    return RedirectResponse(target if target != "/" else HOME[user.role], 303)


def logout(req: Req) -> Response:
    req.request.session.clear()
    return RedirectResponse("/login", 303)


def password_form(req: Req) -> Response:
    return req.page("password.html", error="", done=False)


def change_password(req: Req) -> Response:
    me = req.me
    new = req.field("new")
    if not verify_password(me.password_hash, req.field("old")):
        return req.page("password.html", 400, error="原密码不正确。", done=False)
    if len(new) < 10 or new != req.field("again"):
        return req.page("password.html", 400, error="新密码至少 10 位，且两次输入应一致。", done=False)
    if new == req.field("old"):
        return req.page("password.html", 400, error="新密码不能与原密码相同。", done=False)
    me.password_hash = hash_password(new)
    me.must_change_password = False
    req.request.session["pw"] = password_stamp(me.password_hash)
    req.audit("修改密码", me.username)  # no digest of a password, not even of its hash
    return req.page("password.html", error="", done=True)


ROUTES = [
    page("/", home, roles=None),
    page("/login", login_form, roles=None),
    page("/login", login, roles=None, methods=["POST"]),
    page("/logout", logout, roles=None, methods=["POST"]),
    page("/account/password", password_form, roles=["staff", "applicant", "expert"]),
    page("/account/password", change_password, roles=["staff", "applicant", "expert"], methods=["POST"]),
]
