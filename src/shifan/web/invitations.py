"""One-time invitation links: staff invite an applicant or an expert, the person opens the link once
and sets their own password, and the link is dead. Only the sha256 of a token is stored; a link
expires after :data:`INVITATION_DAYS` days, is used at most once (the update that marks it used
is conditional, so two tabs cannot both use it) and is replaced when staff issue a new one."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from shifan.web.app import Req, page
from shifan.web.db import ROLES, AuditEntry, Database, Invitation, User, now
from shifan.web.security import hash_password, password_stamp

#: How long a link stays valid (a security setting of the workbench, not an evaluation rule).
INVITATION_DAYS = 7
PATH = "/invite/"
HOME = {"staff": "/staff", "applicant": "/applicant", "expert": "/expert"}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def unusable_password() -> str:
    """The stored hash of a password nobody knows: the account cannot sign in until the link is used."""
    return hash_password(secrets.token_urlsafe(32))


@dataclass(frozen=True)
class Issued:
    """A link just made: shown once to staff, never stored."""

    who: str
    username: str
    role: str
    link: str
    expires: dt.datetime


def _new_link(session: Session, user: User, round_id: int | None, created_by: int | None) -> tuple[str, dt.datetime]:
    """Revoke the user's unused links and store a new one; returns the token (never stored) and expiry."""
    session.execute(
        update(Invitation)
        .where(Invitation.user_id == user.id, Invitation.used_at.is_(None), Invitation.revoked.is_(False))
        .values(revoked=True)
    )
    token = secrets.token_urlsafe(32)
    expires = now() + dt.timedelta(days=INVITATION_DAYS)
    session.add(
        Invitation(
            token_hash=token_hash(token), user_id=user.id, round_id=round_id, created_by=created_by, expires_at=expires
        )
    )
    return token, expires


def issue(req: Req, user: User, round_id: int | None) -> Issued:
    """A new link for ``user``; links issued before and not used are revoked."""
    token, expires = _new_link(req.session, user, round_id, req.me.id)
    req.audit(
        "生成邀请链接",
        f"{ROLES[user.role]} {user.username}",
        detail=f"有效期至 {expires:%Y-%m-%d %H:%M} UTC" + (f"，批次 {round_id}" if round_id else ""),
    )
    link = str(req.request.base_url).rstrip("/") + PATH + token
    return Issued(user.display_name, user.username, user.role, link, expires)


def invite_staff(db: Database, username: str, display_name: str) -> tuple[str, dt.datetime] | None:
    """A staff account and its invitation link's path, for the first person to run a new workbench
    (``shifan serve --invite-staff``); None when the user name is taken by another role."""
    with db.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(username=username, password_hash=unusable_password(), role="staff", display_name=display_name)
            session.add(user)
            session.flush()
            session.add(AuditEntry(action="创建账号", target=f"{ROLES['staff']} {username}", after=display_name))
        elif user.role != "staff":
            return None
        token, expires = _new_link(session, user, None, None)
        session.add(
            AuditEntry(
                action="生成邀请链接",
                target=f"{ROLES['staff']} {username}",
                detail=f"有效期至 {expires:%Y-%m-%d %H:%M} UTC，由命令行生成",
            )
        )
    return PATH + token, expires


def status(invitation: Invitation, at: dt.datetime) -> str:
    """使用状态 of a link, in words."""
    if invitation.used_at is not None:
        return "已设置密码"
    if invitation.revoked:
        return "已被新链接取代"
    if invitation.expires_at <= at:
        return "链接已过期"
    return "等待设置密码"


def _refusal(invitation: Invitation | None, at: dt.datetime) -> str:
    """Why a link cannot be used ("" when it can)."""
    if invitation is None:
        return "邀请链接无效。请核对链接是否完整，或联系省级工作人员重新生成邀请链接。"
    if invitation.used_at is not None:
        return "此邀请链接已经使用过，不能再次使用。请直接登录；如忘记密码，请联系省级工作人员重新生成邀请链接。"
    if invitation.revoked:
        return "此邀请链接已被新的链接取代，请使用省级工作人员最近发给您的链接。"
    if invitation.expires_at <= at:
        return (
            f"此邀请链接已过期（有效期至 {invitation.expires_at:%Y-%m-%d %H:%M} UTC）。"
            "请联系省级工作人员重新生成邀请链接。"
        )
    return ""


def _lookup(req: Req) -> tuple[Invitation | None, User | None]:
    token = str(req.request.path_params.get("token", ""))
    invitation = req.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))
    user = req.session.get(User, invitation.user_id) if invitation is not None else None
    return invitation, user


def _page(req: Req, invitation: Invitation | None, user: User | None, status_code: int, error: str = "") -> Response:
    refusal = _refusal(invitation, now())
    if refusal or user is None:
        return req.page("invite.html", 410 if invitation is not None else 404, refusal=refusal, invitee=None, error="")
    return req.page("invite.html", status_code, refusal="", invitee=user, error=error)


def show(req: Req) -> Response:
    invitation, user = _lookup(req)
    return _page(req, invitation, user, 200)


def accept(req: Req) -> Response:
    invitation, user = _lookup(req)
    if invitation is None or user is None or _refusal(invitation, now()):
        return _page(req, invitation, user, 200)
    new = req.field("new")
    if len(new) < 10 or new != req.field("again"):
        return _page(req, invitation, user, 400, error="密码至少 10 位，且两次输入应一致。")
    used = req.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None), Invitation.revoked.is_(False))
        .values(used_at=now())
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        req.session.refresh(invitation)
        return _page(req, invitation, user, 200)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    req.request.session.clear()
    req.request.session["user"] = user.id
    req.request.session["pw"] = password_stamp(user.password_hash)
    req.user = user
    req.audit("通过邀请链接设置密码", f"{ROLES[user.role]} {user.username}")
    return RedirectResponse(HOME[user.role], 303)


ROUTES = [
    page(PATH + "{token}", show, roles=None),
    page(PATH + "{token}", accept, roles=None, methods=["POST"]),
]
