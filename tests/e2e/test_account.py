"""The account page on a phone, in Chromium: change the password, stay logged in on this phone,
see this device as the only session left, nothing wider than the screen."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # the fixtures' types, for reading only (conftest modules are not imported)
    from tests.e2e.conftest import Logins

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def test_changing_the_password_on_a_phone(logins: Logins, browser: Any, org: Any) -> None:
    other = logins.page("handler_a")  # the same user on a desktop
    page = logins.page("handler_a", PHONE)
    page.goto(f"{logins.url}/account")
    assert page.locator("#sessions tbody tr").count() == 2
    page.fill("#current_password", org.password)
    page.fill("#password", "a-new-long-secret")
    with page.expect_navigation():
        page.click("form:has(#current_password) button.primary")
    assert page.url.endswith("/account")
    assert "密码已修改" in page.locator("main").inner_text()
    rows = page.locator("#sessions tbody tr")
    assert rows.count() == 1 and "本设备" in rows.inner_text()  # the desktop's session ended
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    other.goto(f"{logins.url}/work")
    assert "/login" in other.url
