"""Web fixtures: the Flask app over the test's Rectify, logged-in browsers, bearer-token API
callers, and a driver that walks findings through a lifecycle by the JSON API (web_support.py).

Web tests run on SQLite only (``backend`` is pinned here); a module that wants PostgreSQL too
parametrizes ``backend`` itself, as the authorization matrix does.

- ``app``: ``create_app`` over ``rectify`` with the org built, CSRF off, limiter off.
- ``make_app(**config)``: another app over the same Rectify (e.g. CSRF on, limiter on).
- ``client``: an anonymous test client of ``app``.
- ``browser(username)``: a test client logged in through ``POST /login``.
- ``api``: JSON calls as a given user with a bearer token.
- ``driver``: raise findings and fire transitions through the API with payloads generated from
  the definitions' declared fields; ``driver.bring_to(lifecycle, state)`` finds a path.
- ``attachment_files()``: the files stored under the instance's attachments folder.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from web_support import PASSWORD, Api, Driver, build_app, login
from werkzeug.security import generate_password_hash

from workflow.models import User
from workflow.runtime import Rectify


@pytest.fixture
def backend() -> str:
    """Web tests run on SQLite; the authorization matrix parametrizes backend itself."""
    return "sqlite"


@pytest.fixture
def make_app(rectify: Rectify, org: Any) -> Callable[..., Flask]:
    """make_app(**config) -> an app over this test's Rectify (org built); config overrides.

    The Org's users get a cheap (few-iteration PBKDF2) hash of their password: logging in
    still goes through POST /login and werkzeug's check, without scrypt's ~0.1 s a time.
    """
    cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    with rectify.unit_of_work() as uow:
        uow.session.execute(update(User).where(User.username.in_(list(org.users)))
                            .values(password_hash=cheap))
        uow.commit()
    return lambda **config: build_app(rectify, **config)


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """An anonymous client."""
    return app.test_client()


@pytest.fixture
def browser(app: Flask) -> Callable[[str], FlaskClient]:
    """browser('handler_a') -> a client logged in as that user (session cookie)."""

    def open_as(username: str) -> FlaskClient:
        client = app.test_client()
        response = login(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return open_as


@pytest.fixture
def api(app: Flask, rectify: Rectify, org: Any) -> Api:
    return Api(app, rectify, org)


@pytest.fixture
def driver(api: Api, rectify: Rectify, org: Any, png: Callable[[int], bytes]) -> Driver:
    return Driver(api, rectify, org, png)


@pytest.fixture
def attachment_files(rectify: Rectify) -> Callable[[], list[str]]:
    """attachment_files() -> every file stored under the instance's attachments folder."""
    root = rectify.settings.attachments_path

    def files() -> list[str]:
        return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []

    return files
