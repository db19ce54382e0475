"""axe-core (vendored, injected by this test only) finds no serious or critical accessibility
violation on the key pages: login, my work, the ledger, a finding, the dashboard."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # the fixtures' types, for reading only (conftest modules are not imported)
    from tests.conftest import Flow
    from tests.e2e.conftest import LiveServer, Logins

pytestmark = pytest.mark.e2e

AXE = "/static/vendor/axe-core/axe.min.js"  # same origin: the pages' CSP lets it load
SERIOUS = ("serious", "critical")
RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact,
                                      nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


def _serious_violations(page: Any, url: str) -> list[dict[str, Any]]:
    page.goto(url)
    page.add_script_tag(url=AXE)
    return [v for v in page.evaluate(RUN) if v["impact"] in SERIOUS]


def test_key_pages_have_no_serious_accessibility_violations(browser: Any, live_server: LiveServer,
                                                            logins: Logins, flow: Flow) -> None:
    finding = flow.drive(flow.raise_("standard").id, "assign")
    anonymous = browser.new_context(locale="zh-CN")
    found = {"/login": _serious_violations(anonymous.new_page(), f"{live_server.url}/login")}
    anonymous.close()
    pages = {"handler_a": ["/work", "/ledger", f"/findings/{finding.id}"],
             "supervisor": ["/dashboard"]}
    for username, paths in pages.items():
        page = logins.page(username)
        for path in paths:
            found[path] = _serious_violations(page, f"{live_server.url}{path}")
    assert {path: v for path, v in found.items() if v} == {}
