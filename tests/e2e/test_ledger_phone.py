"""The ledger on a phone, in Chromium: the filters fold behind one button, several states are
chosen at once, the filter is saved and reapplied, nothing wider than the screen."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # the fixtures' types, for reading only (conftest modules are not imported)
    from tests.e2e.conftest import Logins

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def test_filtering_and_saving_the_ledger_on_a_phone(logins: Logins, org: Any) -> None:
    page = logins.page("supervisor", PHONE)
    page.goto(f"{logins.url}/ledger")
    fold = page.locator("details.filters-fold")
    assert fold.get_attribute("open") is None and not page.locator("form.filters").is_visible()
    page.click("details.filters-fold > summary")
    boxes = page.locator("fieldset.states input[name=state]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    with page.expect_navigation():
        page.click("form.filters button.primary")
    assert page.url.count("state=") == 2
    page.click("details.filters-fold > summary")
    page.fill(".save-filter input[name=name]", "两种状态")
    with page.expect_navigation():
        page.click(".save-filter button")
    page.goto(f"{logins.url}/ledger")
    with page.expect_navigation():
        page.click(".saved-filters a:has-text('两种状态')")
    assert page.url.count("state=") == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
