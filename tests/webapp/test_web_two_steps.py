"""Two steps in one submission on the web: raise-and-assign (page and API), raising from an
inspection, and the follow-up check with its verdict on the finding page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from test_web_uploads import multipart
from web_support import text_of, ui


def _raise_form(org: Any, due: str, **extra: str) -> dict[str, str]:
    return {"lifecycle": "standard", "title": "Exit blocked by pallets", "category": "other",
            "severity": "low", "unit": str(org.group_a.id), "requirement": "Clear the exit",
            "due_date": due, "confirm_duplicate": "1", **extra}


def test_the_raise_page_raises_and_assigns_with_a_photo(app, browser, org, flow, png):
    due = (flow.today() + timedelta(days=10)).isoformat()
    client = browser("inspector")
    response = multipart(client, "/raise", _raise_form(org, due),
                         [("evidence", png(7), "exit.png")])
    assert response.status_code == 302
    finding_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert [e.trigger for e in flow.events(finding_id)] == ["raise", "assign"]
    finding = flow.finding(finding_id)
    assert (finding.state, finding.due_date.isoformat()) == ("assigned", due)
    page = client.get(f"/findings/{finding_id}")
    assert ui(app, "Finding %(code)s raised and assigned.", code=finding.code) in text_of(page)


def test_the_api_raises_and_assigns_and_a_bad_due_date_writes_nothing(api, org, flow):
    body = {"lifecycle": "standard", "title": "Ledger incomplete", "category": "other",
            "severity": "low", "unit": org.group_a.id, "requirement": "Complete the ledger",
            "due_date": (flow.today() + timedelta(days=5)).isoformat()}
    created = api.post("/api/v1/findings", org.inspector, json=body)
    assert created.status_code == 201 and created.get_json()["state"] == "assigned"
    late = api.post("/api/v1/findings", org.inspector, json={**body, "due_date": "2099-01-01"})
    assert late.status_code == 422 and "due_date" in late.get_json()["errors"]
    assert len(api.get("/api/v1/findings", org.admin).get_json()["items"]) == 1


def test_raising_from_an_inspection_fills_it_and_its_unit(api, browser, org, flow):
    visit = api.post("/api/v1/inspections", org.inspector, json={
        "unit_id": org.group_a.id, "inspected_on": flow.today().isoformat(),
        "method": "onsite"}).get_json()
    listing = browser("inspector").get("/admin/inspections").get_data(as_text=True)
    assert f"/raise?inspection={visit['id']}" in listing
    html = browser("inspector").get(f"/raise?inspection={visit['id']}").get_data(as_text=True)
    assert f'<input type="hidden" name="unit" value="{org.group_a.id}">' in html  # the picker
    assert re.search(rf'<option value="{visit["id"]}" selected', html)
    nothing = browser("inspector").get("/raise?inspection=abc").get_data(as_text=True)
    assert '<input type="hidden" name="unit" value="">' in nothing


def test_the_inspection_date_starts_as_today(browser, flow):
    html = browser("inspector").get("/admin/inspections").get_data(as_text=True)
    assert f'name="inspected_on" value="{flow.today().isoformat()}"' in html


def _rectified(driver: Any) -> dict[str, Any]:
    finding = driver.raise_("standard")
    driver.drive(finding["id"], "assign", "report_rectification")
    return driver.finding(finding["id"])


def _check(flow: Any, version: int, **verdict: str) -> dict[str, str]:
    return {"version": str(version), "visited_on": flow.today().isoformat(), "method": "onsite",
            "observations": "Exit clear at the visit", **verdict}


def test_the_check_and_its_confirmation_in_one_form(browser, driver, flow):
    finding = _rectified(driver)
    reviewer = browser("reviewer")
    page = reviewer.get(f"/findings/{finding['id']}").get_data(as_text=True)
    assert 'id="form-revisit-then-confirm"' in page and 'id="form-revisit-then-reject"' in page
    assert f'id="revisit-then-confirm-visited_on" type="date" name="visited_on" value="{flow.today()}' \
        in page  # the check date starts as today
    response = multipart(reviewer, f"/findings/{finding['id']}/fire/revisit/then/confirm",
                         _check(flow, finding["version"], conclusion="Done"), [])
    assert response.status_code == 302
    assert [e.trigger for e in flow.events(finding["id"])][-2:] == ["revisit", "confirm"]
    assert flow.finding(finding["id"]).state == "closed"


def test_a_send_back_without_a_reason_saves_neither_step(browser, driver, flow):
    finding = _rectified(driver)
    before = flow.snapshot(finding["id"])
    response = multipart(browser("reviewer"), f"/findings/{finding['id']}/fire/revisit/then/reject",
                         _check(flow, finding["version"], reason=""), [])
    assert response.status_code == 422
    assert 'id="revisit-then-reject-reason"' in response.get_data(as_text=True)
    assert "Exit clear at the visit" in text_of(response)  # what was typed is kept
    assert flow.snapshot(finding["id"]) == before
