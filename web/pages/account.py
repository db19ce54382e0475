"""Login, logout, your account (password, notification settings, API tokens), language switch
and the health check."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from web.auth import Principal, actor, login_refusal, session_lifetimes
from web.errors import describe
from web.extensions import limiter
from web.i18n import LOCALES
from web.pages import bp
from web.pages.work import landing
from web.uow import get_uow, rectify
from workflow.errors import InvalidInput
from workflow.models import User
from workflow.services import accounts, preferences
from workflow.services import sessions as login_sessions
from workflow.services.tokens import revoke_own_token, tokens_of

# Browsers drop tabs and newlines from a URL and read a backslash as "/", so "/\t/evil.example"
# would leave the site: no control characters, spaces or backslashes in a redirect target.
_UNSAFE_IN_NEXT = re.compile(r"[\x00-\x20\x7f\\]")


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: never redirect a user to another host after login (else
    the user's landing page)."""
    if (target and target.startswith("/") and not target.startswith("//")
            and not _UNSAFE_IN_NEXT.search(target)):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return landing()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: str(current_app.config["LOGIN_RATE_LIMIT"]), methods=["POST"])
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(landing())
    if request.method == "GET":
        return render_template("login.html", error=None)
    result = accounts.login(get_uow(), request.form.get("username", "").strip(),
                            request.form.get("password", ""))  # commits either way
    if result.user is None:
        error, status = login_refusal(result)
        return render_template("login.html", error=error), status
    start_session(result.user)
    return redirect(_safe_next(request.args.get("next")))


def start_session(user: User) -> None:
    """A fresh signed session for the user: login time and last request are now; a session row
    (this device, its address) the user can see and end on the account page."""
    session.clear()
    principal = Principal(user)
    login_user(principal)
    session["seen"] = principal.issued
    session["lang"] = user.language
    session["sid"] = login_sessions.start_session(get_uow(), user, request.user_agent.string,
                                                  request.remote_addr or "")


@bp.route("/logout", methods=["POST"])
def logout():  # type: ignore[no-untyped-def]
    """Log out of this browser: its session row ends, so a copy of the cookie is dead too; the
    user's other devices stay logged in."""
    login_sessions.end_this_session(get_uow(), actor(), session.get("sid"))
    return _logged_out(_("You are logged out."))


@bp.route("/logout/everywhere", methods=["POST"])
def logout_everywhere():  # type: ignore[no-untyped-def]
    """Log out on every device: every session and cookie of the user stops working."""
    accounts.log_out_everywhere(get_uow(), actor())
    return _logged_out(_("You are logged out on every device."))


def _logged_out(message: str):  # type: ignore[no-untyped-def]
    logout_user()
    session.clear()
    flash(message, "info")
    return redirect(url_for("pages.login"))


@bp.route("/account", methods=["GET", "POST"])
def account():  # type: ignore[no-untyped-def]
    """Your account: change your password; your browser sessions and API tokens, each can be
    ended."""
    uow, user, errors = get_uow(), actor(), {}
    if request.method == "POST":
        try:
            accounts.change_own_password(uow, user, request.form.get("current_password", ""),
                                         request.form.get("password", ""))
        except InvalidInput as exc:
            uow.session.rollback()
            errors = describe(exc)[1]
        else:
            start_session(user)  # this browser stays logged in; every other session ends
            flash(_("Password changed."), "success")
            return redirect(url_for("pages.account"))
    return _account_page(errors)


def _account_page(errors: dict[str, str], prefs_errors: dict[str, str] | None = None,
                  values: dict[str, str] | None = None) -> tuple[str, int]:
    uow, user = get_uow(), actor()
    tokens = tokens_of(uow.session, user)
    sessions = login_sessions.active_sessions(uow.session, user, uow.now(), session_lifetimes())
    this = login_sessions.live_session(uow.session, user, session.get("sid"))
    failed = bool(errors or prefs_errors)
    return render_template("account.html", errors=errors, tokens=tokens, now=uow.now(),
                           sessions=sessions, this_session=this.id if this else None,
                           prefs_errors=prefs_errors or {}, values=values or {},
                           channels=preferences.CHOICES), 422 if failed else 200


@bp.route("/account/preferences", methods=["POST"])
def account_preferences():  # type: ignore[no-untyped-def]
    """Your e-mail address and how each channel reaches you (the bell always does)."""
    uow, form = get_uow(), request.form
    try:
        preferences.set_preferences(uow, actor(), form.get("email", ""),
                                    form.get("notify_email"), form.get("notify_webhook"))
    except InvalidInput as exc:
        uow.session.rollback()
        return _account_page({}, describe(exc)[1], form.to_dict())
    flash(_("Notification settings saved."), "success")
    return redirect(url_for("pages.account"))


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token_page(token_id: int):  # type: ignore[no-untyped-def]
    if revoke_own_token(get_uow(), actor(), token_id):  # another user's: Forbidden (403)
        flash(_("Token revoked."), "success")
    return redirect(url_for("pages.account"))


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
def end_session_page(session_id: int):  # type: ignore[no-untyped-def]
    """End one of your browser sessions: that browser is logged out at its next request."""
    if login_sessions.end_own_session(get_uow(), actor(), session_id):  # another's: 403
        flash(_("Session ended."), "success")
    return redirect(url_for("pages.account"))


@bp.route("/language", methods=["POST"])
def set_language():  # type: ignore[no-untyped-def]
    choice = request.form.get("lang", "")
    if choice in LOCALES:
        session["lang"] = choice
        if current_user.is_authenticated:
            accounts.set_language(get_uow(), actor(), choice)
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    try:
        with rectify().database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return {"status": "error", "database": "unreachable", "detail": type(exc).__name__}, 503
    return {"status": "ok", "database": "ok", "lifecycles": len(rectify().registry)}
