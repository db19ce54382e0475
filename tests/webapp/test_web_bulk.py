"""Bulk actions from the ledger page and POST /api/v1/findings/bulk: same service, per-finding results."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from web_support import PASSWORD, assert_error, csrf_token_of, text_of, ui

from workflow.services.bulk import MAX_FINDINGS

URGE = {"message": "Please report by Friday"}


def assigned(flow, org):
    due = (flow.today() + timedelta(days=20)).isoformat()
    return flow.raise_(unit=org.group_a.id, requirement="Clear the exits", due_date=due)


def test_the_ledger_offers_a_checkbox_per_row_and_the_actions_that_fit(browser, flow, org):
    finding = assigned(flow, org)
    html = text_of(browser("inspector").get("/ledger"))
    assert re.search(rf'name="finding" value="{finding.id}" form="bulk-form" aria-label="[^"]*'
                     rf'{finding.code}" data-actions="urge reassign withdraw"', html)
    assert 'id="bulk-all"' in html and 'name="csrf_token"' in html
    assert re.search(r'<option value="urge">', html) and '<option value="confirm">' not in html
    assert 'name="message"' in html  # urge's declared field, rendered like the single form


def test_a_handler_is_offered_no_bulk_bar(browser, flow, org):
    assigned(flow, org)
    assert 'id="bulk-form"' not in text_of(browser("handler_a").get("/ledger"))


def test_the_page_fires_and_lists_each_finding_done_or_refused(browser, flow, org, app):
    done, raised = assigned(flow, org), flow.raise_(unit=org.group_a.id)
    response = browser("inspector").post("/ledger/bulk", data={
        "finding": [str(done.id), str(raised.id), "999999"], "trigger": "urge", **URGE,
        f"version-{done.id}": str(done.version), "back": "state=assigned&cursor=abc"})
    html = text_of(response)
    assert response.status_code == 200
    assert ui(app, "Done: %(done)s; refused: %(refused)s.", done=1, refused=2) in html
    assert re.search(rf'class="done" data-finding="{done.id}"', html)
    assert re.search(rf'class="refused" data-finding="{raised.id}"', html)
    assert ui(app, "Not found.") in html and "#999999" in html
    assert 'href="/ledger?state=assigned" id="bulk-back"' in html  # the filter kept, not the page
    assert flow.events(done.id)[-1].trigger == "urge"
    assert flow.events(raised.id)[-1].trigger == "raise"


def test_a_missing_justification_is_shown_per_finding_with_the_field_label(browser, flow, org,
                                                                           app):
    finding = assigned(flow, org)
    html = text_of(browser("inspector").post("/ledger/bulk", data={
        "finding": str(finding.id), "trigger": "withdraw", "reason": ""}))
    assert "撤销理由: 此项必填。" in html
    assert flow.finding(finding.id).state == "assigned"


@pytest.mark.parametrize(("form", "named"), [
    ({"finding": "1x", "trigger": "urge", **URGE}, "<li>findings: "),
    ({"trigger": "urge", **URGE}, "<li>findings: "),
    ({"finding": "1", "trigger": "revisit"}, "<li>trigger: "),
    ({"finding": "1", "trigger": "urge", "message": "\U0001F600" * 3, "colour": "x"},
     None),  # an unknown form field is not read: done
    # NUL bytes: refused before any view by the app's one input rule, naming the field
    ({"finding": "4\x00", "trigger": "urge", **URGE}, "finding: "),
    ({"finding": "1", "trigger": "urge", "message": "stop\x00now"}, "message: "),
])
def test_bad_page_input_is_a_422_naming_the_field(browser, flow, org, form, named):
    finding = assigned(flow, org)
    form = {**form, "finding": form.get("finding", "").replace("1", str(finding.id))} \
        if "finding" in form else form
    response = browser("inspector").post("/ledger/bulk", data=form)
    if named is None:
        assert response.status_code == 200 and flow.events(finding.id)[-1].trigger == "urge"
        return
    assert response.status_code == 422
    assert named in text_of(response)
    assert flow.events(finding.id)[-1].trigger == "assign"


def test_the_page_refuses_a_post_without_its_csrf_token(make_app, flow, org):
    app = make_app(WTF_CSRF_ENABLED=True)
    finding = assigned(flow, org)
    client = app.test_client()
    token = csrf_token_of(text_of(client.get("/login")))
    client.post("/login", data={"username": "inspector", "password": PASSWORD,
                                "csrf_token": token})
    form = {"finding": str(finding.id), "trigger": "urge", **URGE}
    assert client.post("/ledger/bulk", data=form).status_code == 400
    assert flow.events(finding.id)[-1].trigger == "assign"
    token = csrf_token_of(text_of(client.get("/ledger")))
    assert client.post("/ledger/bulk", data={**form, "csrf_token": token}).status_code == 200
    assert flow.events(finding.id)[-1].trigger == "urge"


def test_the_api_answers_per_finding(api, flow, org):
    done, raised = assigned(flow, org), flow.raise_(unit=org.group_a.id)
    response = api.post("/api/v1/findings/bulk", "inspector", json={
        "findings": [done.id, raised.id, done.id, 999999], "trigger": "urge", "payload": URGE,
        "versions": {str(done.id): done.version}})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["done"], body["refused"]) == (1, 2)
    first, second, unseen = body["results"]
    assert (first["finding_id"], first["done"], first["state"]) == (done.id, True, "assigned")
    assert (second["done"], second["state"], second["code"]) == (False, "raised", raised.code)
    assert second["message"]
    assert (unseen["code"], unseen["title"], unseen["state"]) == (None, None, None)


@pytest.mark.parametrize(("body", "named"), [
    ({"findings": ["1"], "trigger": "urge"}, "findings.0"),
    ({"findings": [1.5], "trigger": "urge"}, "findings.0"),
    ({"findings": list(range(1, MAX_FINDINGS + 2)), "trigger": "urge"}, "findings"),
    ({"findings": [], "trigger": "urge"}, "findings"),
    ({"findings": [1], "trigger": "waive"}, "trigger"),
    ({"findings": [1], "trigger": "urge", "payload": {"message": "a\x00b"}}, "payload.message"),
    ({"findings": [1], "trigger": "urge", "versions": {"x": 1}}, "versions"),
])
def test_bad_api_input_is_a_422_naming_the_field(api, flow, org, body, named):
    finding = assigned(flow, org)
    body = {**body, "payload": body.get("payload", URGE)}
    response = api.post("/api/v1/findings/bulk", "inspector", json=body)
    errors = assert_error(response, 422).get("errors", {})
    assert any(key.startswith(named) for key in errors), errors
    assert flow.events(finding.id)[-1].trigger == "assign"
