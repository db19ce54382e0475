"""The unit picker in Chromium, on a desktop and a 390×844 phone, in Chinese and English: type
part of a name in the raise form, pick with the keyboard, submit, and the finding lands on that
unit; the unit comes first next time (recent); browse the tree to another unit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from workflow.models import Finding, Unit
from workflow.services.directory import create_unit

if TYPE_CHECKING:  # the fixtures' types, for reading only (conftest modules are not imported)
    from tests.conftest import Org
    from tests.e2e.conftest import LiveServer, Logins
    from workflow.runtime import Rectify

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TYPED = {"zh": ("巴士", "巴士一公司", "巴士二公司"), "en": ("Bus", "Bus Company 1", "Bus Company 2")}


def bus_units(rectify: Rectify, org: Org) -> dict[str, int]:
    """巴士集团 (BUS) under group_a, with 巴士一公司 (BUS-1) and 巴士二公司 (BUS-2) under it."""
    with rectify.unit_of_work() as uow:
        group = create_unit(uow.session, "BUS", "巴士集团", "Bus Group", "group",
                            uow.session.get(Unit, org.group_a.id))
        first = create_unit(uow.session, "BUS-1", "巴士一公司", "Bus Company 1", "subsidiary", group)
        second = create_unit(uow.session, "BUS-2", "巴士二公司", "Bus Company 2", "subsidiary", group)
        uow.commit()
        return {"BUS": group.id, "BUS-1": first.id, "BUS-2": second.id}


def raise_on_typed_unit(page: Any, url: str, language: str) -> None:
    typed, first, _second = TYPED[language]
    page.goto(f"{url}/raise")
    page.fill("#title", f"Picker test {language}")
    page.select_option("#category", index=1)
    box = page.locator("#unit")
    assert box.get_attribute("role") == "combobox" and box.get_attribute("name") is None
    box.click()
    box.fill(typed)
    options = page.locator("#unit-list [role=option]")
    options.filter(has_text=first).wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert options.nth(0).inner_text().startswith(typed)  # the group: a prefix, shallowest
    box.press("ArrowDown")  # from the group to 巴士一公司
    active = box.get_attribute("aria-activedescendant")
    assert page.locator(f"#{active}").inner_text().startswith(first)
    box.press("Enter")  # picks; never submits
    assert page.url.endswith("/raise") and box.input_value() == first
    assert page.locator("#unit-list").is_hidden()
    with page.expect_navigation():
        page.click("form.raise button.primary[type=submit]")


# Each language and each viewport once (the suite's time limit): zh on a phone, en on a desktop.
@pytest.mark.parametrize(("language", "viewport"), [("zh", PHONE), ("en", DESKTOP)],
                         ids=["zh-phone", "en-desktop"])
def test_type_pick_raise_then_recent_then_browse(logins: Logins, live_server: LiveServer,
                                                 rectify: Rectify, org: Org, language: str,
                                                 viewport: dict[str, int],
                                                 shots: Callable[[Any, str], Path]) -> None:
    units = bus_units(rectify, org)
    page = logins.page("inspector", viewport)
    if language == "en":
        with page.expect_navigation():
            page.click("form.inline button[name=lang]")
    raise_on_typed_unit(page, live_server.url, language)
    with rectify.unit_of_work(write=False) as uow:
        finding = uow.session.execute(select(Finding.id, Finding.unit_id).where(
            Finding.title == f"Picker test {language}")).one()
    assert finding.unit_id == units["BUS-1"]
    assert page.url == f"{live_server.url}/findings/{finding.id}"
    # next time, the unit just used is offered first, before anything is typed
    page.goto(f"{live_server.url}/raise")
    page.locator("#unit").click()
    first = page.locator("#unit-list [role=option]").first
    first.wait_for()
    assert first.inner_text().startswith(TYPED[language][1])
    assert ("最近使用" if language == "zh" else "recent") in first.inner_text()
    page.keyboard.press("Escape")
    assert page.locator("#unit-list").is_hidden()
    browse_to_the_second_company(page, language, units,
                                 lambda: shots(page, f"unit-picker-{language}-{viewport['width']}"))
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def browse_to_the_second_company(page: Any, language: str, units: dict[str, int],
                                 shoot: Callable[[], Path]) -> None:
    """From the top of the tree: the body (not pickable) → 甲集团 → 巴士集团 → 巴士二公司."""
    page.click(".unit-picker-browse")
    names = {"zh": ("第一纪检监察组", "甲集团", "巴士集团"),
             "en": ("Inspection body 1", "Group A", "Bus Group")}[language]
    for name in names:
        option = page.locator("#unit-list [role=option]").filter(has_text=name).first
        option.locator(".unit-picker-open").click()
    second = page.locator("#unit-list [role=option]").filter(has_text=TYPED[language][2])
    second.wait_for()
    shoot()  # the list open on 巴士集团's companies
    second.click()
    assert page.locator("input[type=hidden][name=unit]").input_value() == str(units["BUS-2"])
    assert page.locator("#unit").input_value() == TYPED[language][2]
