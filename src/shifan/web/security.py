"""Passwords, CSRF tokens, login throttling and the security headers of every response."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shifan.web.db import LoginFailure, now

_HASHER = PasswordHasher()

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def password_stamp(password_hash: str) -> str:
    """A short digest of the stored hash: kept in the session (signed, but readable by the browser)
    so that changing the password ends other sessions, without revealing any of the hash."""
    return hashlib.sha256(f"shifan-session:{password_hash}".encode()).hexdigest()[:16]


def new_password() -> str:
    """A one-time password people can type: 12 characters without look-alikes."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def csrf_token(session: dict[str, object]) -> str:
    """The session's CSRF token, created on first use."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_ok(session: dict[str, object], submitted: object) -> bool:
    token = session.get("csrf")
    return isinstance(token, str) and isinstance(submitted, str) and hmac.compare_digest(token, submitted)


class Throttle:
    """At most ``limit`` failed logins per key within ``window`` seconds, counted in the database so
    that every worker process (``shifan serve --workers N``) and every server on the same database
    sees the same count. Keys are stored as digests (a user name may be anything)."""

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit = limit
        self.window = window

    @staticmethod
    def _key(key: str) -> str:
        return hashlib.sha256(f"shifan-throttle:{key}".encode()).hexdigest()

    def _cutoff(self) -> dt.datetime:
        return now() - dt.timedelta(seconds=self.window)

    def blocked(self, session: Session, key: str) -> bool:
        count = session.scalar(
            select(func.count(LoginFailure.id)).where(
                LoginFailure.key == self._key(key), LoginFailure.at > self._cutoff()
            )
        )
        return (count or 0) >= self.limit

    def fail(self, session: Session, key: str) -> None:
        session.execute(delete(LoginFailure).where(LoginFailure.at <= self._cutoff()))
        session.add(LoginFailure(key=self._key(key)))

    def clear(self, session: Session, key: str) -> None:
        session.execute(delete(LoginFailure).where(LoginFailure.key == self._key(key)))


class SecurityHeaders:
    """ASGI middleware adding CSP, nosniff, framing and referrer headers to every response."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = CSP
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "same-origin"
                headers.setdefault("Cache-Control", "no-store")
                if self.https:
                    headers["Strict-Transport-Security"] = "max-age=31536000"
            await send(message)

        await self.app(scope, receive, send_with_headers)
