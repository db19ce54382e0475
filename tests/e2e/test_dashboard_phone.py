"""The dashboard on a 390×844 phone, in zh and en: the figure tables stack or scroll inside their
own box, the page itself never scrolls sideways, and a number still opens the ledger."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # the fixtures' types, for reading only (conftest modules are not imported)
    from tests.conftest import Flow, Org
    from tests.e2e.conftest import LiveServer, Logins

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
PAGE_WIDTH = "document.scrollingElement.scrollWidth"
# Every table wider than its box: a table scrolled inside its own box is allowed to be.
WIDE_TABLES = """() => [...document.querySelectorAll('main table')].filter(t => {
  const box = t.closest('.table-scroll') || t;
  return box.getBoundingClientRect().right > window.innerWidth + 0.5; }).length"""


def test_the_dashboard_fits_a_phone_and_its_numbers_open_the_ledger(
        logins: Logins, live_server: LiveServer, flow: Flow, org: Org,
        shots: Callable[[Any, str], Path]) -> None:
    flow.raise_(title="消防通道堵塞", unit=org.group_a.id)
    flow.raise_(title="台账不全", unit=org.sub_a1.id)
    page = logins.page("supervisor", PHONE)
    for lang in ("zh_CN", "en"):
        page.goto(f"{live_server.url}/dashboard")
        page.evaluate("""lang => { const f = document.createElement('form'); f.method = 'post';
          f.action = '/language'; for (const [k, v] of [['lang', lang], ['next', '/dashboard'],
          ['csrf_token', document.querySelector('meta[name=csrf-token]').content]]) {
          const i = document.createElement('input'); i.name = k; i.value = v; f.append(i); }
          document.body.append(f); f.submit(); }""", lang)
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang").startswith(lang[:2])
        assert page.evaluate(PAGE_WIDTH) <= PHONE["width"], lang
        assert page.evaluate(WIDE_TABLES) == 0, lang
        shots(page, f"dashboard-phone-{lang}")
    # Scrolled sideways, a figure table keeps its row names in view beside the numbers.
    table = page.locator("#unit-numbers")
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")
    table.evaluate("t => { t.scrollLeft = t.scrollWidth; }")
    name = page.locator("#unit-numbers tbody td:first-child").first.bounding_box()
    assert name["x"] >= table.bounding_box()["x"] - 0.5
    link = page.locator("#unit-numbers tbody a[data-count]").first
    count = link.get_attribute("data-count")
    link.scroll_into_view_if_needed()
    assert link.is_visible()
    with page.expect_navigation():
        link.click()
    assert "/ledger" in page.url
    assert page.locator("table.findings tbody tr").count() == int(count)
