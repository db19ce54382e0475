"""Bulk actions in Chromium, on a desktop and a 390x844 phone: tick three findings on the ledger,
urge them, read the result page, go back to the filtered ledger."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # the fixtures' types, for reading only (conftest modules are not imported)
    from tests.e2e.conftest import Logins

pytestmark = pytest.mark.e2e

SCREENS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("screen", list(SCREENS))
def test_urging_three_findings_from_the_ledger(logins: Logins, org: Any, flow: Any,
                                               screen: str) -> None:
    due = (flow.today() + timedelta(days=20)).isoformat()
    findings = [flow.raise_(unit=org.group_a.id, title=f"Exit {n} blocked by boxes",
                            requirement="Clear the exits", due_date=due) for n in range(4)]
    chosen = findings[:3]
    page = logins.page("inspector", SCREENS[screen])
    page.goto(f"{logins.url}/ledger?state=assigned")
    for finding in chosen:
        page.get_by_label(f"选择 {finding.code}").check()
    assert page.locator("#bulk-count").inner_text() == "已选 3 个"
    assert page.locator("#bulk-trigger option[value=confirm]").count() == 0
    page.select_option("#bulk-trigger", "urge")
    assert not page.locator("fieldset[data-action=withdraw]").is_visible()
    page.fill("#bulk-urge-message", "请于本周五前报送整改情况")
    assert page.evaluate("document.documentElement.scrollWidth") <= SCREENS[screen]["width"]
    with page.expect_navigation():
        page.click("#bulk-submit")
    assert page.locator("#bulk-summary").inner_text() == "已办理 3 个，未办理 0 个。"
    assert page.locator("tr.done").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= SCREENS[screen]["width"]
    for finding in chosen:
        assert flow.events(finding.id)[-1].trigger == "urge"
    assert flow.events(findings[3].id)[-1].trigger == "assign"  # not ticked, not urged
    with page.expect_navigation():
        page.click("#bulk-back")
    assert page.url.endswith("/ledger?state=assigned")


def test_select_all_ticks_every_row_of_the_page(logins: Logins, org: Any, flow: Any) -> None:
    due = (flow.today() + timedelta(days=20)).isoformat()
    for _ in range(2):
        flow.raise_(unit=org.group_a.id, requirement="Clear the exits", due_date=due)
    page = logins.page("inspector", SCREENS["phone"])
    page.goto(f"{logins.url}/ledger")
    page.get_by_label("全选本页").check()
    boxes = page.locator("input[name=finding]")
    assert boxes.count() == 2 and all(boxes.nth(i).is_checked() for i in range(2))
    assert page.locator("#bulk-count").inner_text() == "已选 2 个"
