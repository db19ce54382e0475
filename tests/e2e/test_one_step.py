"""An inspector on a phone raises and assigns a finding with a photo in one form, counting the
taps (README: "One-step flows"); the inspections list is readable on the same phone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from tap_count import Taps

from workflow.models import User
from workflow.services.directory import add_inspection

if TYPE_CHECKING:  # the fixtures' types, for reading only (conftest modules are not imported)
    from tests.conftest import Flow, Org
    from tests.e2e.conftest import LiveServer, Logins

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
TAP_BUDGET = 10  # issue 10: raise-and-assign with a photo on a phone, from the landing page


def test_an_inspector_on_a_phone_raises_and_assigns_with_a_photo(
        logins: Logins, live_server: LiveServer, org: Org, flow: Flow,
        png: Callable[[int], bytes], shots: Callable[[Any, str], Path], tmp_path: Path) -> None:
    photo = tmp_path / "exit.png"
    photo.write_bytes(png(3))
    due = (flow.today() + timedelta(days=7)).isoformat()
    page = logins.page("inspector", PHONE)  # on the landing page (My work)
    taps = Taps(page)
    taps.click("button.menu-button")
    taps.click("nav.menu a[href='/raise']")
    taps.fill("#unit", "GA")  # the picker: the code typed, then its unit tapped
    taps.click("#unit-list [role=option]:has-text('GA ·') >> nth=0")
    taps.fill("#title", "消防通道被纸箱堵塞")
    taps.select_option("#category", "work_safety")
    taps.fill("#requirement", "立即清理通道，明确消防责任人")
    taps.fill("#due_date", due)
    taps.set_input_files("#evidence", str(photo))
    with page.expect_navigation():
        taps.click("form.raise button.primary")
    shots(page, "raise-and-assign-phone")
    assert "/findings/" in page.url
    finding_id = int(page.url.rsplit("/", 1)[1].split("?")[0].split("#")[0])
    assert [e.trigger for e in flow.events(finding_id)] == ["raise", "assign"]
    finding = flow.finding(finding_id)
    assert (finding.state, finding.due_date.isoformat()) == ("assigned", due)
    print(f"raise-and-assign with a photo on a phone: {taps.count} taps, {taps.fields} fields")
    assert taps.count <= TAP_BUDGET and taps.fields <= 6

    # the inspections list on the same phone: one card per row, no cell squeezed to a letter
    record_inspection(org, flow)
    page.goto(f"{live_server.url}/admin/inspections")
    shots(page, "inspections-phone")
    widths = page.eval_on_selector_all("#inspections td[data-label]",
                                       "cells => cells.map(c => c.getBoundingClientRect().width)")
    assert widths and min(widths) > 300, widths
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    with page.expect_navigation():
        page.click("#inspections a.button")
    assert page.locator("form.raise input[type=hidden][name=unit]").input_value() == str(org.group_a.id)


def record_inspection(org: Org, flow: Flow) -> None:
    """An inspection of group A today, recorded through the service (not counted)."""
    with flow.app.unit_of_work() as uow:
        inspector = uow.session.get(User, org.inspector.id)
        add_inspection(uow, inspector, {"unit_id": str(org.group_a.id),
                                                  "inspected_on": flow.today().isoformat(),
                                                  "method": "onsite"})
