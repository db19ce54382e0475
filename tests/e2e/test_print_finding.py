"""Printing a finding prints the finding: no navigation, forms, buttons or empty cards."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # the fixtures' types, for reading only (conftest modules are not imported)
    from tests.conftest import Flow
    from tests.e2e.conftest import LiveServer, Logins

pytestmark = pytest.mark.e2e


def test_printing_a_finding_hides_the_navigation_forms_and_empty_cards(
        live_server: LiveServer, logins: Logins, flow: Flow) -> None:
    finding = flow.drive(flow.raise_("standard").id, "assign")
    page = logins.page("handler_a")
    page.goto(f"{live_server.url}/findings/{finding.id}")
    shown = ["header.topbar", ".actions-card", "#discussion", "form >> nth=0"]
    assert all(page.locator(selector).is_visible() for selector in shown)
    page.emulate_media(media="print")
    assert [s for s in shown if page.locator(s).is_visible()] == []
    assert page.locator("h1", has_text=finding.title).is_visible()
    assert page.locator("dl.facts", has_text=finding.code).is_visible()
    assert page.locator("ol.timeline").is_visible()
    page.emulate_media(media="screen")
