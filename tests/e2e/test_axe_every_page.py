"""axe-core (vendored, injected by this test only) finds no accessibility violation, of any
impact, on every page a user can reach: each demo role's pages (findings in several states and
lifecycles, transition forms, letters, documents, admin pages, error pages), in zh and in en, on
desktop and on a 390x844 phone. One browser; one logged-in context per role and test."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from workflow.models import Unit, User
from workflow.services.directory import create_campaign, create_inspection
from workflow.services.letters import send_letter

if TYPE_CHECKING:  # the fixtures' types, for reading only (conftest modules are not imported)
    from tests.conftest import Flow, Org
    from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

AXE = "/static/vendor/axe-core/axe.min.js"  # same origin: the pages' CSP lets it load
RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact,
                                      nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
MISSING = 999_999  # no finding, letter or user has this id: the 404 page


def seed(flow: Flow, org: Org) -> dict[str, int]:
    """Findings in several states and lifecycles, a campaign, an inspection and a letter."""
    ids = {"raised": flow.raise_("standard").id,
           "assigned": flow.drive(flow.raise_("standard").id, "assign").id,
           "rectified": flow.drive(flow.raise_("standard").id, "assign",
                                   "report_rectification").id,
           "closed": flow.drive(flow.raise_("standard").id, "assign", "report_rectification",
                                "revisit", "confirm").id,
           "extension": flow.drive(flow.raise_("standard").id, "assign",
                                   "request_extension").id,
           "immediate": flow.raise_("immediate").id,
           "suggestion": flow.raise_("suggestion").id,
           "escalated": flow.drive(flow.raise_("escalation").id, "assign", "escalate").id}
    with flow.app.unit_of_work() as uow:
        organiser = uow.session.get(Unit, org.inspection_body.id)
        group_a = uow.session.get(Unit, org.group_a.id)
        assert organiser is not None and group_a is not None
        campaign = create_campaign(uow.session, "Fire safety 2026", organiser, flow.today())
        create_inspection(uow.session, group_a, flow.today(), "onsite", campaign)
        ids["campaign"] = campaign.id
        uow.commit()
    with flow.app.unit_of_work() as uow:
        sender = uow.session.get(User, org.supervisor.id)
        due = (flow.today() + timedelta(days=5)).isoformat()
        letter = send_letter(uow, sender, "Thermometers", "Please send thermometers",
                             [org.group_a.id], due, ids["assigned"])
        ids["letter"] = letter.id
    return ids


def pages_by_role(ids: dict[str, int], org: Org) -> dict[str, list[str]]:
    """The paths each demo role reaches through its menu and its findings ("" = anonymous)."""
    common = ["/work", "/ledger", "/letters", f"/letters/{ids['letter']}", "/notifications",
              "/account", "/search?q=Fire", "/lifecycles", f"/findings/{MISSING}"]
    return {
        "": ["/login"],
        "handler_a": [*common, "/work/waiting", f"/findings/{ids['assigned']}",
                      f"/findings/{ids['assigned']}/fire/report_rectification",
                      f"/findings/{ids['assigned']}/fire/request_extension",
                      f"/findings/{ids['immediate']}", "/dashboard"],  # the last one: 403
        "inspector": ["/work", "/raise", "/import", "/admin/inspections", "/admin/campaigns",
                      f"/findings/{ids['raised']}", f"/findings/{ids['raised']}/fire/assign",
                      f"/findings/{ids['suggestion']}", f"/findings/{ids['escalated']}"],
        "reviewer": ["/work", f"/findings/{ids['rectified']}",
                     f"/findings/{ids['rectified']}/fire/revisit",
                     f"/findings/{ids['rectified']}/fire/revisit/then/confirm"],
        "supervisor": ["/work", "/dashboard", "/reports/daily", "/ledger?overdue=true",
                       "/letters/new", f"/findings/{ids['extension']}",
                       f"/findings/{ids['extension']}/fire/approve_extension",
                       f"/findings/{ids['closed']}", f"/findings/{ids['assigned']}/print/notice",
                       f"/findings/{ids['closed']}/print/closure",
                       f"/letters/{ids['letter']}/print",
                       f"/campaigns/{ids['campaign']}/print/list"],
        "admin": ["/work", "/admin/units", f"/admin/units/{org.group_a.id}", "/admin/users",
                  f"/admin/users/{org.handler_a.id}", "/admin/campaigns", "/admin/outbox",
                  "/admin/webhooks"],
    }


def open_as(browser: Any, url: str, username: str, password: str, locale: str,
            viewport: dict[str, int]) -> Any:
    """A page logged in as username (anonymous when empty), switched to locale."""
    phone = viewport["width"] < 760
    context = browser.new_context(locale="zh-CN", viewport=viewport, is_mobile=phone,
                                  has_touch=phone)
    page = context.new_page()
    page.goto(f"{url}/login")
    if username:
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("form:has(input[name=password]) button[type=submit]")
        assert "/login" not in page.url, f"{username} could not log in"
    if locale == "en":
        with page.expect_navigation():
            page.click("button[name=lang][value=en]")
    assert page.locator("html").get_attribute("lang") == ("en" if locale == "en" else "zh-CN")
    return page


def violations(page: Any, url: str) -> list[dict[str, Any]]:
    page.goto(url)
    page.add_script_tag(url=AXE)
    found: list[dict[str, Any]] = page.evaluate(RUN)
    return found


# Each language and each viewport once (the suite's time limit): Chinese on a phone, as most
# users work, and English on a desktop. Every combination passed when the crawl was written.
@pytest.mark.parametrize(("locale", "viewport"), [("zh", "phone"), ("en", "desktop")])
def test_every_page_of_every_role_has_no_accessibility_violation(
        browser: Any, live_server: LiveServer, org: Org, flow: Flow, locale: str,
        viewport: str) -> None:
    ids = seed(flow, org)
    found, checked = [], 0
    for username, paths in pages_by_role(ids, org).items():
        page = open_as(browser, live_server.url, username, org.password, locale,
                       VIEWPORTS[viewport])
        try:
            for path in paths:
                checked += 1
                found += [f"{username or 'anonymous'} {path}: {v['id']} ({v['impact']}) "
                          f"{v['nodes']}" for v in violations(page, f"{live_server.url}{path}")]
        finally:
            page.context.close()
    assert checked == sum(len(paths) for paths in pages_by_role(ids, org).values())
    assert not found, "\n".join(found)
