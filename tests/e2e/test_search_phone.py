"""Searching from the top bar on a 390×844 phone: the box sits in the folded menu, fits the
screen, lists a finding by its title and jumps to one by its exact code."""

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


def test_searching_on_a_phone(logins: Logins, live_server: LiveServer, flow: Flow, org: Org,
                              shots: Callable[[Any, str], Path]) -> None:
    finding = flow.raise_(title="消防通道堵塞", unit=org.group_a.id)
    page = logins.page("handler_a", PHONE)
    box = page.locator("form.menu-search input[name=q]")
    assert not box.is_visible()  # folded with the menu
    page.click("button.menu-button")
    width = box.bounding_box()["width"]
    assert 200 < width <= PHONE["width"]
    box.fill("消防通道")
    with page.expect_navigation():
        box.press("Enter")
    assert page.locator("#search-findings").get_by_text(finding.code).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shots(page, "search-phone")
    page.locator("main input[name=q]").fill(finding.code)
    with page.expect_navigation():
        page.locator("main input[name=q]").press("Enter")
    assert page.url == f"{live_server.url}/findings/{finding.id}"
