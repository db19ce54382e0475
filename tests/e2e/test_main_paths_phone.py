"""Each role's main path on a 390x844 phone, from the page it lands on after logging in, with its
taps and fields counted (README: "One-step flows"): a count above the budget fails."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from tap_count import Taps

from workflow.models import User

if TYPE_CHECKING:  # the fixtures' types, for reading only (conftest modules are not imported)
    from tests.conftest import FakeClock, Flow, Org
    from tests.e2e.conftest import Logins

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def finding_on_my_work(taps: Taps, finding_id: int) -> None:
    """Open the finding from the list on My work (where the user lands)."""
    with taps.page.expect_navigation():
        taps.click(f"table.findings a[href='/findings/{finding_id}'] >> nth=0")


def submit(taps: Taps, form: str) -> None:
    with taps.page.expect_navigation():
        taps.click(f"{form} button.primary")


def test_a_handler_reports_rectification_with_a_photo(
        logins: Logins, flow: Flow, png: Callable[[int], bytes], tmp_path: Path) -> None:
    finding = flow.drive(flow.raise_("standard").id, "assign")
    photo = tmp_path / "cleared.png"
    photo.write_bytes(png(5))
    taps = Taps(logins.page("handler_a", PHONE))
    finding_on_my_work(taps, finding.id)
    taps.click("details.action:has(#form-report_rectification) > summary")
    taps.fill("#report_rectification-measures", "通道已清理，指定消防责任人")
    taps.set_input_files("#report_rectification-evidence", str(photo))
    submit(taps, "#form-report_rectification")
    assert flow.finding(finding.id).state == "rectified"
    print(f"handler, report rectification: {taps.count} taps, {taps.fields} fields")
    assert taps.count <= 5 and taps.fields <= 2


def test_a_reviewer_checks_and_confirms_in_one_submission(logins: Logins, flow: Flow) -> None:
    finding = flow.drive(flow.raise_("standard").id, "assign", "report_rectification")
    taps = Taps(logins.page("reviewer", PHONE))
    finding_on_my_work(taps, finding.id)
    taps.click("details.two-steps:has(#form-revisit-then-confirm) > summary")
    taps.select_option("#revisit-then-confirm-method", "onsite")
    taps.fill("#revisit-then-confirm-observations", "现场复查，通道畅通")
    submit(taps, "#form-revisit-then-confirm")
    assert [e.trigger for e in flow.events(finding.id)][-2:] == ["revisit", "confirm"]
    assert flow.finding(finding.id).state == "closed"
    print(f"reviewer, check and confirm: {taps.count} taps, {taps.fields} fields")
    assert taps.count <= 5 and taps.fields <= 2


def test_a_supervisor_exports_the_overdue_findings_of_its_subtree(
        logins: Logins, flow: Flow, clock: FakeClock) -> None:
    late = flow.drive(flow.raise_("standard", title="Exit blocked").id, "assign")
    clock.advance(days=30)
    on_time = flow.drive(flow.raise_("standard", title="Sign missing").id, "assign")
    page = logins.page("supervisor", PHONE)
    page.set_default_timeout(30_000)  # the dashboard counts everything: slow on a busy machine
    taps = Taps(page)
    taps.click("button.menu-button")
    with page.expect_navigation():
        taps.click("nav.menu a[href='/dashboard']")
    with page.expect_navigation():
        taps.click("#kpi-overdue a")
    taps.click("details.filters-fold > summary")  # folded on a phone, the export links inside
    with page.expect_download() as download:
        taps.click("a[href^='/ledger.xlsx']")
    codes = exported_codes(Path(download.value.path()).read_bytes())
    assert flow.finding(late.id).code in codes and flow.finding(on_time.id).code not in codes
    print(f"supervisor, overdue ledger to Excel: {taps.count} taps, {taps.fields} fields")
    assert taps.count <= 5 and taps.fields <= 0


def exported_codes(xlsx: bytes) -> set[str]:
    sheet = load_workbook(BytesIO(xlsx), read_only=True).worksheets[0]
    return {str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell}


def test_a_supervisor_approves_an_extension(logins: Logins, flow: Flow) -> None:
    finding = flow.drive(flow.raise_("standard").id, "assign", "request_extension")
    asked = flow.finding(finding.id).pending_due_date
    taps = Taps(logins.page("supervisor", PHONE))
    finding_on_my_work(taps, finding.id)
    taps.click("details.action:has(#form-approve_extension) > summary")
    submit(taps, "#form-approve_extension")
    assert flow.finding(finding.id).due_date == asked
    print(f"supervisor, approve an extension: {taps.count} taps, {taps.fields} fields")
    assert taps.count <= 3 and taps.fields <= 0


def test_an_admin_creates_a_user_in_a_unit_with_a_role(logins: Logins, flow: Flow,
                                                       org: Org) -> None:
    page = logins.page("admin", PHONE)
    taps = Taps(page)
    with page.expect_navigation():  # an admin lands on the units page, its sub-menu on top
        taps.click("nav.subnav a[href='/admin/users']")
    taps.fill("#username", "handler_c")
    taps.fill("#display_name", "丙联络人")
    taps.fill("#password", "a-long-enough-passphrase")
    taps.check("input[name=roles][value=handler]")
    taps.fill("#unit", "GB-1")  # the picker: the code typed, then its unit tapped
    taps.click("#unit-list [role=option]:has-text('GB-1 ·') >> nth=0")
    submit(taps, "form:has(#username)")
    with flow.app.unit_of_work(write=False) as uow:
        user = uow.session.scalars(select(User).where(User.username == "handler_c")).one()
        assert (sorted(user.role_set), user.unit_id) == (["handler"], org.sub_b1.id)
    print(f"admin, create a user: {taps.count} taps, {taps.fields} fields")
    assert taps.count <= 8 and taps.fields <= 5
