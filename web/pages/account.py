"""Login, logout, language switch and the health check."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from web.auth import Principal
from web.extensions import limiter
from web.i18n import LOCALES
from web.pages import bp
from web.uow import get_uow, rectify
from workflow.services.directory import authenticate

# Browsers drop tabs and newlines from a URL and read a backslash as "/", so "/\t/evil.example"
# would leave the site: no control characters, spaces or backslashes in a redirect target.
_UNSAFE_IN_NEXT = re.compile(r"[\x00-\x20\x7f\\]")


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: never redirect a user to another host after login."""
    if (target and target.startswith("/") and not target.startswith("//")
            and not _UNSAFE_IN_NEXT.search(target)):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("pages.work")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: str(current_app.config["LOGIN_RATE_LIMIT"]), methods=["POST"])
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("pages.work"))
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        user = authenticate(get_uow().session, username, password)
        if user is not None:
            session.clear()
            login_user(Principal(user))
            session["lang"] = user.language
            return redirect(_safe_next(request.args.get("next")))
        error = _("Wrong username or password.")
    status = 401 if error else 200
    return render_template("login.html", error=error), status


@bp.route("/logout", methods=["POST"])
def logout():  # type: ignore[no-untyped-def]
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("pages.login"))


@bp.route("/language", methods=["POST"])
def set_language():  # type: ignore[no-untyped-def]
    choice = request.form.get("lang", "")
    if choice in LOCALES:
        session["lang"] = choice
        if current_user.is_authenticated:
            uow = get_uow()
            current_user.user.language = choice
            uow.commit()
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    try:
        with rectify().database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return {"status": "error", "database": "unreachable", "detail": type(exc).__name__}, 503
    return {"status": "ok", "database": "ok", "lifecycles": len(rectify().registry)}
