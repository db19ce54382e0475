"""The finding page's transition forms: the version is required, a form refused because someone
acted first keeps what was typed and uploaded, and every address a form leaves is reloadable."""

from __future__ import annotations

import hashlib
from typing import Any

from test_web_uploads import multipart
from web_support import text_of, ui

from workflow import services
from workflow.errors import RectifyError


def _assigned(driver: Any) -> dict[str, Any]:
    finding = driver.raise_("standard")
    driver.fire(finding["id"], "assign")
    return driver.finding(finding["id"])


def test_a_form_without_its_version_is_refused_and_changes_nothing(app, browser, driver, flow):
    finding = _assigned(driver)
    client = browser("inspector")
    response = client.post(f"/findings/{finding['id']}/fire/withdraw",
                           data={"reason": "Raised in error"})
    assert response.status_code == 428
    assert ui(app, "This form did not say which version of the finding it was filled in on, so "
                   "nothing was changed. Check the current state and submit it again.") \
        in text_of(response)
    assert "Raised in error" in text_of(response)  # what was typed is still in the form
    after = flow.finding(finding["id"])
    assert (after.state, after.version) == ("assigned", finding["version"])


def test_a_form_refused_because_someone_acted_first_keeps_text_and_files(
        app, browser, driver, flow, png, attachment_files):
    finding = _assigned(driver)
    seen = finding["version"]
    # someone else acts first (an extension asked and approved: back to assigned)
    driver.fire(finding["id"], "request_extension")
    driver.fire(finding["id"], "approve_extension")
    photo = png(4242)
    digest = hashlib.sha256(photo).hexdigest()
    response = multipart(browser("handler_a"), f"/findings/{finding['id']}/fire/report_rectification",
                         {"version": seen, "measures": "Exits cleared and a warden named"},
                         [("evidence", photo, "exit.png")])
    assert response.status_code == 409
    html = text_of(response)
    assert ui(app, "Someone else acted on this finding first. Here is its current state; what "
                   "you entered is kept below: check it and submit again.") in html
    assert "Exits cleared and a warden named" in html
    assert f'type="hidden" name="evidence" value="{digest}"' in html  # the upload, kept
    assert any(p.endswith(digest) for p in attachment_files())
    current = flow.finding(finding["id"])
    assert current.state == "assigned" and current.version == seen + 2
    assert f'name="version" value="{current.version}"' in html  # the fresh state's version
    # submitting the kept form again (now on the fresh version) goes through
    again = browser("handler_a").post(
        f"/findings/{finding['id']}/fire/report_rectification",
        data={"version": current.version, "measures": "Exits cleared and a warden named",
              "evidence": digest})
    assert again.status_code == 302
    assert flow.finding(finding["id"]).state == "rectified"


def test_the_address_a_refused_form_leaves_can_be_reloaded(browser, driver):
    finding = _assigned(driver)
    client = browser("inspector")
    url = f"/findings/{finding['id']}/fire/withdraw"
    refused = client.post(url, data={"version": finding["version"], "reason": "no"})
    assert refused.status_code == 422
    reloaded = client.get(url)  # reload, or the language switcher sending the user back
    assert reloaded.status_code == 302
    assert reloaded.headers["Location"].endswith(
        f"/findings/{finding['id']}?open=withdraw#form-withdraw")
    page = client.get(f"/findings/{finding['id']}?open=withdraw")
    assert page.status_code == 200
    assert '<details class="action" open>' in text_of(page)
    switched = client.post("/language", data={"lang": "en", "next": url})
    assert client.get(switched.headers["Location"]).status_code in (200, 302)


def test_check_fire_and_available_transitions_always_agree(rectify, org, flow):
    """The one answer to "may this actor fire this trigger now": what the page offers is
    exactly what check_fire (and so fire) accepts, for every user and trigger."""
    findings = [flow.raise_().id, flow.drive(flow.raise_().id, "assign").id,
                flow.drive(flow.raise_().id, "assign", "report_rectification").id]
    with rectify.unit_of_work(write=False) as uow:
        for finding_id in findings:
            for user in org.users.values():
                try:
                    finding = services.get_finding(uow.session, user, finding_id)
                except RectifyError:
                    continue
                offered = {t.trigger for t in services.available_transitions(uow, finding, user)}
                lifecycle = uow.registry.get(finding.lifecycle, finding.lifecycle_version)
                for transition in lifecycle.transitions:
                    try:
                        services.check_fire(uow, finding, transition.trigger, user)
                        accepted = True
                    except RectifyError:
                        accepted = False
                    assert accepted == (transition.trigger in offered), (
                        user.username, finding.state, transition.trigger)


def test_when_the_action_is_gone_the_typed_text_is_still_shown(app, browser, driver, flow):
    finding = _assigned(driver)
    driver.fire(finding["id"], "request_extension")  # now extension_requested: no report form
    response = browser("handler_a").post(
        f"/findings/{finding['id']}/fire/report_rectification",
        data={"version": finding["version"], "measures": "Boxes moved to the yard"})
    assert response.status_code == 409
    html = text_of(response)
    assert ui(app, "What you entered (not saved)") in html
    assert "整改措施" in html and "Boxes moved to the yard" in html
    assert flow.finding(finding["id"]).state == "extension_requested"
