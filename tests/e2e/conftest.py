"""End-to-end fixtures: the web app served on a real port, a headless Chromium, screenshots.

- ``backend`` is pinned to ``"sqlite"`` here: the browser tests exercise the pages, not the
  database (the engine and API suites already run on both backends).
- ``live_server``: the Flask app (CSRF on, as in production) over the test's ``rectify``,
  served by werkzeug from a background thread on 127.0.0.1 and a free port.
- ``browser``: one headless Debian Chromium for the session (``/usr/bin/chromium``, never a downloaded build);
  the test is skipped, saying so, when Chromium or the ``playwright`` package is missing.
- ``shots``: ``shots(page, "01-login")`` saves a full-page PNG to ``test-artifacts/e2e/``.
- ``logins``: ``logins.page("inspector")`` a page logged in through the login form, one browser
  context per (user, viewport), reused for the rest of the test and closed at teardown.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import BaseWSGIServer, make_server

from workflow.config import REPO_ROOT
from workflow.runtime import Rectify

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000
CHROMIUM = Path(os.environ.get("RECTIFY_E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_SKIP = "Chromium not installed: apt-get install chromium"
ARTIFACTS = REPO_ROOT / "test-artifacts" / "e2e"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def backend() -> str:
    """Browser tests run on SQLite only (overrides the both-backends parametrisation)."""
    return "sqlite"


@dataclass
class LiveServer:
    url: str
    server: BaseWSGIServer
    thread: threading.Thread


@pytest.fixture
def live_server(rectify: Rectify) -> Iterator[LiveServer]:
    """The app on http://127.0.0.1:<free port>, CSRF on, rate limits off; stopped at teardown."""
    from web import create_app
    # The walkthroughs move the clock by days with each role's browser still logged in.
    app = create_app({"RECTIFY": rectify, "RATELIMIT_ENABLED": False,
                      "SESSION_IDLE_MINUTES": 60 * 24 * 365, "SESSION_MAX_HOURS": 24 * 365})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", server, thread)
    finally:
        server.shutdown()  # stops serve_forever (the browser, set up later, is closed already)
        server.server_close()
        thread.join(timeout=10)
        assert not thread.is_alive(), "the e2e server thread did not stop"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium (Debian's), shared by the session's tests (each opens its own
    contexts), closed at the end."""
    if not CHROMIUM.exists():
        pytest.skip(CHROMIUM_SKIP)
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is not installed: pip install playwright")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def shots() -> Callable[[Any, str], Path]:
    """shots(page, name): a full-page screenshot at test-artifacts/e2e/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


class Logins:
    """Pages logged in through the login form, one per (user, viewport), reused."""

    def __init__(self, browser: Any, url: str, password: str) -> None:
        self.browser, self.url, self.password = browser, url, password
        self.pages: dict[tuple[str, str], Any] = {}

    def page(self, username: str, viewport: dict[str, int] | None = None) -> Any:
        size = viewport or DESKTOP
        key = (username, f"{size['width']}x{size['height']}")
        if key not in self.pages:
            phone = size["width"] < 760
            context = self.browser.new_context(locale="zh-CN", viewport=size, is_mobile=phone,
                                               has_touch=phone)
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            page.goto(f"{self.url}/login")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", self.password)
            with page.expect_navigation():
                page.click("form:has(input[name=password]) button[type=submit]")
            landing = "/admin/units" if username == "admin" else "/work"  # see pages.work.landing
            assert page.url == f"{self.url}{landing}", f"{username} could not log in: {page.url}"
            self.pages[key] = page
        return self.pages[key]

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


@pytest.fixture
def logins(browser: Any, live_server: LiveServer, org: Any) -> Iterator[Logins]:
    """logins.page(username[, viewport]) -> a logged-in page (desktop unless told)."""
    found = Logins(browser, live_server.url, org.password)
    try:
        yield found
    finally:
        found.close()
