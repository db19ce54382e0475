"""Who is asking: session login (Flask-Login), bearer tokens, login-required by default, CSRF."""

from __future__ import annotations

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import UserMixin, current_user

from web.extensions import csrf, login_manager
from web.uow import get_uow
from workflow.models import User
from workflow.services.tokens import user_for_token

# Endpoints anyone may reach; everything else needs a logged-in user or a bearer token.
PUBLIC = frozenset({"static", "pages.login", "pages.healthz", "pages.set_language",
                    "api_auth.Token"})
_SAFE = {"GET", "HEAD", "OPTIONS"}
# Scripts only from our own static files; mermaid styles its SVG inline.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")


class Principal(UserMixin):  # type: ignore[misc]
    """Flask-Login's view of a user; the id changes with the password so a reset logs out."""

    def __init__(self, user: User, via_token: bool = False) -> None:
        self.user, self.via_token = user, via_token

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.password_hash[-12:]}"


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


@login_manager.user_loader
def _load_user(user_id: str) -> Principal | None:
    raw_id, _, stamp = user_id.partition(":")
    if not raw_id.isdigit():
        return None
    user = get_uow().session.get(User, int(raw_id))
    if user is None or not user.active or user.password_hash[-12:] != stamp:
        return None
    return Principal(user)


@login_manager.request_loader
def _load_from_token(req: object) -> Principal | None:
    token = _bearer_token()
    if token is None:
        return None
    user = user_for_token(get_uow().session, token)
    return Principal(user, via_token=True) if user else None


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
        if request.endpoint != "api-docs.openapi_swagger_ui":  # its page bootstraps inline
            response.headers.setdefault("Content-Security-Policy", CSP)
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
