"""Swagger UI at /api/v1/docs runs under the app's strict CSP (no inline script) in Chromium."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def test_swagger_ui_renders_every_operation_under_the_csp(browser, live_server, org, shots) -> None:
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", org.password)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/units$"))  # the admin lands on the directory
    response: Any = page.goto(f"{live_server.url}/api/v1/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/findings/{finding_id}/transitions/{trigger}" in p for p in paths)
    assert violations == []
    shots(page, "swagger-ui")
    context.close()
