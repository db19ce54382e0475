"""Rectify's web face: create_app() builds the Flask app over the engine's services."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from workflow.config import Settings
from workflow.runtime import Rectify


def _secret_key(instance: Path) -> str:
    """A key kept in the instance folder so restarts and several workers share sessions."""
    path = instance / "secret_key"
    instance.mkdir(parents=True, exist_ok=True)
    try:  # O_EXCL: of several workers starting at once exactly one writes, all read the same
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    for _ in range(50):  # another worker may be between creating and writing it
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty; remove it and start again")


class IdConverter(IntegerConverter):
    """<int:...> in URLs: ids stop at the databases' integer range; beyond it is a 404, not a crash."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = 2**31 - 1, signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; `config` overrides settings (tests pass their own, or a ready RECTIFY).
    Refuses (DefinitionError) when a definition that findings run on does not load, or units
    have a kind the unit kinds file does not declare (UnitKindsError)."""
    config = dict(config or {})
    rectify: Rectify | None = config.pop("RECTIFY", None)
    if rectify is None:
        rectify = Rectify(Settings.from_env(database_url=config.pop("RECTIFY_DATABASE_URL", None)))
    rectify.check_definitions_in_use()  # else findings on a lost definition would answer 404
    rectify.check_unit_kinds_in_use()  # else pages would show units' raw, undeclared kind keys
    app = Flask(__name__, instance_path=str(rectify.settings.instance_path))
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=rectify.settings.max_upload_bytes * 11,
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_HEADERS_ENABLED=True,
        LOGIN_RATE_LIMIT="10 per minute",
        SESSION_IDLE_MINUTES=120,  # RECTIFY_SESSION_IDLE_MINUTES: signed out after this idle
        SESSION_MAX_HOURS=12,  # RECTIFY_SESSION_MAX_HOURS: signed out this long after login
        TOKEN_DAYS=90,  # RECTIFY_TOKEN_DAYS: the longest (and default) bearer-token lifetime
        BABEL_DEFAULT_LOCALE="zh_CN",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        API_TITLE="Rectify API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/static/vendor/swagger-ui/",
    )
    app.config.from_prefixed_env("RECTIFY")  # RECTIFY_SECRET_KEY, RECTIFY_SECURE_COOKIES, ...
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(rectify.settings.instance_path)
    secure = app.config.get("SECURE_COOKIES", False)
    app.config.update(SESSION_COOKIE_SECURE=bool(secure), REMEMBER_COOKIE_SECURE=bool(secure))
    app.config.update(config)
    app.extensions["rectify"] = rectify
    proxies = int(app.config.get("PROXY_FIX", 0) or 0)
    if proxies:  # behind N reverse proxies: take client address and scheme from their headers
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    app.url_map.converters["int"] = IdConverter  # before any route is added

    from web import auth, edge, errors, extensions, i18n, metrics, static_assets, uow
    from web.api import register_api
    from web.pages import register_pages

    metrics.init_app(app)  # first: the request's time covers every other hook
    edge.init_app(app)  # bodies capped before any other hook reads them
    extensions.init_app(app)
    static_assets.init_app(app)
    i18n.init_app(app)
    uow.init_app(app)
    auth.init_app(app)
    edge.init_text_check(app)  # after the login check, before any view reads the request
    register_api(app)
    register_pages(app)
    errors.init_app(app)  # after the API, so one error format wins everywhere
    return app
