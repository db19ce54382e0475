"""Who is asking: session login (Flask-Login), bearer tokens, login-required by default, CSRF."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta

from flask import Flask, abort, current_app, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user
from sqlalchemy.orm.attributes import set_committed_value

from web.extensions import csrf, login_manager
from web.uow import get_uow, rectify
from workflow.models import ApiToken, LoginSession, User
from workflow.services import sessions as login_sessions
from workflow.services.accounts import Login
from workflow.services.sessions import Lifetimes
from workflow.services.tokens import live_token, mark_used, record_use, used_recently

# Endpoints anyone may reach; everything else needs a logged-in user or a bearer token.
PUBLIC = frozenset({"static", "pages.login", "pages.healthz", "pages.set_language",
                    "api_auth.Token", "metrics"})  # /metrics checks its caller itself
_SAFE = {"GET", "HEAD", "OPTIONS"}
# Scripts only from our own static files; mermaid styles its SVG inline.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")


class Principal(UserMixin):  # type: ignore[misc]
    """Flask-Login's view of a user. Its id carries the user's session version and the login
    time, so the session cookie (and a remember-me cookie) dies when the version is bumped
    (logout, password, roles, unit, deactivation) and at the absolute session lifetime."""

    def __init__(self, user: User, via_token: bool = False, issued: int | None = None) -> None:
        self.user, self.via_token = user, via_token
        self.token: ApiToken | None = None
        self.issued = issued if issued is not None else _now()

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_version}:{self.issued}"


def _now() -> int:
    """The engine's clock (tests move it) in whole seconds."""
    return int(rectify().clock().timestamp())


def actor() -> User:
    """The ORM user behind the request (login is enforced before any view runs)."""
    if not current_user.is_authenticated:
        abort(401)
    user: User = current_user.user
    return user


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _parse_id(user_id: str) -> tuple[int, int, int] | None:
    parts = user_id.split(":")
    if len(parts) != 3 or not all(p.isdigit() and len(p) < 19 for p in parts):
        return None
    return int(parts[0]), int(parts[1]), int(parts[2])


def session_lifetimes() -> Lifetimes:
    """The configured idle and absolute session lifetimes."""
    return Lifetimes(idle=timedelta(minutes=int(current_app.config["SESSION_IDLE_MINUTES"])),
                     longest=timedelta(hours=int(current_app.config["SESSION_MAX_HOURS"])))


def _within_lifetimes(issued: int, now: int) -> bool:
    """Absolute lifetime from login; idle lifetime from the last request (signed session)."""
    lifetimes = session_lifetimes()
    idle, longest = lifetimes.idle.total_seconds(), lifetimes.longest.total_seconds()
    seen = session.get("seen", issued)
    return isinstance(seen, int) and now - issued < longest and now - seen < idle


@login_manager.user_loader
def _load_user(user_id: str) -> Principal | None:
    parsed, now = _parse_id(user_id), _now()
    if parsed is None or not _within_lifetimes(parsed[2], now):
        return None
    user = get_uow().session.get(User, parsed[0])
    if user is None or not user.active or user.session_version != parsed[1]:
        return None
    if not _session_lives(user, session.get("sid")):
        return None  # ended (logout, the account page); a cookie naming no session (a
        # remember-me cookie, which login never issues) is refused too
    if session.get("seen") != now:
        session["seen"] = now
    return Principal(user, issued=parsed[2])


@login_manager.request_loader
def _load_from_token(req: object) -> Principal | None:
    token = _bearer_token()
    if token is None:
        return None
    now = rectify().clock()
    row = live_token(get_uow().session, token, now)
    if row is None:
        return None
    _note_use(row, "last_used_at", used_recently, mark_used, record_use)
    principal = Principal(row.user, via_token=True)
    principal.token = row  # held for the request, so the row keeps the use just recorded
    return principal


def _session_lives(user: User, key: object) -> bool:
    """The browser session the cookie names was not ended; its last request is recorded."""
    row = login_sessions.live_session(get_uow().session, user, key)
    if row is not None:
        _note_use(row, "last_seen_at", login_sessions.seen_recently, login_sessions.mark_seen,
                  login_sessions.record_seen)
    return row is not None


def _note_use(row: ApiToken | LoginSession, column: str, recent: Callable[..., bool],
              mark: Callable[..., bool], record: Callable[..., bool]) -> None:
    """A use of a token or a session, at most once a minute: nothing when the loaded row shows
    one within the minute; in the request's transaction when it writes (it holds the write
    lock), else in a short one of its own (the row shows it too)."""
    now = rectify().clock()
    if recent(row, now):
        return
    if request.method not in _SAFE:
        mark(get_uow().session, row.id, now)
        return
    with rectify().unit_of_work() as uow:
        if record(uow, row.id, now):
            set_committed_value(row, column, now)


def login_refusal(result: Login) -> tuple[str, int]:
    """What a refused login is told, and its status (the page and the token endpoint)."""
    if result.refusal == "disabled":
        return _("This account is disabled. Ask an administrator."), 403
    if result.refusal == "locked" and result.locked_until is not None:
        seconds = (result.locked_until - rectify().clock()).total_seconds()
        return _("Too many failed attempts: this account is locked for %(minutes)s more "
                 "minute(s).", minutes=max(1, math.ceil(seconds / 60))), 429
    return _("Wrong username or password."), 401


def init_app(app: Flask) -> None:
    login_manager.login_view = "pages.login"
    login_manager.session_protection = "basic"

    @login_manager.unauthorized_handler
    def _unauthorized():  # type: ignore[no-untyped-def]
        if request.path.startswith("/api/"):
            abort(401)
        return redirect(url_for("pages.login", next=request.full_path.rstrip("?")))

    @app.before_request
    def _require_login():  # type: ignore[no-untyped-def]
        if request.endpoint in PUBLIC or request.endpoint is None:
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None

    @app.after_request
    def _security_headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CSP)  # Swagger UI's page too
        return response

    @app.before_request
    def _check_csrf() -> None:
        # Cookie sessions need a CSRF token on every write; bearer-token calls carry no cookie.
        if not current_app.config.get("WTF_CSRF_ENABLED", True):
            return
        if request.method in _SAFE or request.endpoint == "api_auth.Token":
            return
        if getattr(current_user, "via_token", False):
            return  # authenticated by the bearer token itself, not by a cookie
        csrf.protect()
