"""A letter's addressees in Chromium (zh on a 390×844 phone, en on a desktop): several units
picked by typing, each a chip; one removed with its button (the focus moves on, the page stays);
the letter sent goes to exactly the units left, in the order chosen."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from picker_steps import pick_unit_by_code
from sqlalchemy import select

from workflow.models import Letter

if TYPE_CHECKING:  # the fixtures' types, for reading only (conftest modules are not imported)
    from tests.conftest import Org
    from tests.e2e.conftest import LiveServer, Logins
    from workflow.runtime import Rectify

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.mark.parametrize(("language", "viewport"), [("zh", PHONE), ("en", DESKTOP)],
                         ids=["zh-phone", "en-desktop"])
def test_pick_several_remove_one_and_send(logins: Logins, live_server: LiveServer,
                                          rectify: Rectify, org: Org, language: str,
                                          viewport: dict[str, int]) -> None:
    page = logins.page("inspector", viewport)
    if language == "en":
        with page.expect_navigation():
            page.click("form.inline button[name=lang]")
    page.goto(f"{live_server.url}/letters/new")
    page.fill("input[name=subject]", f"Letter {language}")
    page.fill("textarea[name=text]", "请于五个工作日内回复。")
    chips = page.locator("#addressees-chosen .unit-chip")
    for n, code in enumerate(("GA", "GB", "GA-1"), start=1):
        pick_unit_by_code(page, "#addressees", code)
        chips.nth(n - 1).wait_for()
        assert chips.count() == n and page.locator("#addressees").input_value() == ""
    assert page.url.endswith("/letters/new")  # picking never submits
    chips.nth(1).locator(".unit-chip-remove").click()  # GB goes
    assert chips.count() == 2
    focused = page.evaluate("document.activeElement.closest('.unit-chip')?.innerText || ''")
    assert "GA-1" in focused  # the next chip's button has the focus
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    with page.expect_navigation():
        page.click("#letter-form button.primary[type=submit]")
    with rectify.unit_of_work(write=False) as uow:
        letter = uow.session.scalars(select(Letter).where(
            Letter.subject == f"Letter {language}")).one()
        codes: list[Any] = [a.unit.code for a in letter.addressees]
    assert codes == ["GA", "GA-1"]
