"""Scope: a handler sees their unit's subtree only. Another unit's finding cannot be read,
listed, exported, have its evidence downloaded, or be acted on, by page or API, and the answer
is 404 (the same as for a finding that does not exist), never 403."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from web_support import assert_error, text_of

from workflow.services.duplicates import THRESHOLD, similarity

TITLE = "Warehouse sprinkler valve closed"


@pytest.fixture
def foreign(driver, org, png, api):
    """A group_a finding awaiting rectification with evidence from its raising; plus a group_b
    finding so that the outsiders' lists are not simply empty."""
    photo = api.upload(org.inspector, png(7), "valve.png").get_json()["sha256"]
    finding = driver.raise_("standard", title=TITLE, evidence=[photo])
    finding = driver.drive(finding["id"], "assign")
    own = driver.raise_("standard", title="Loading bay light out", unit=org.group_b.id)
    return {"finding": finding, "photo": photo, "own": own}


OUTSIDERS = ["handler_b", "handler_a1"]  # another group; a subsidiary below group_a


@pytest.mark.parametrize("username", OUTSIDERS)
def test_outsiders_get_404_from_every_api_route(api, org, foreign, flow, username):
    fid = foreign["finding"]["id"]
    user = org.users[username]
    before = flow.snapshot(fid)
    assert_error(api.get(f"/api/v1/findings/{fid}", user), 404)
    assert_error(api.get(f"/api/v1/findings/{fid}/events", user), 404)
    assert_error(api.get(f"/api/v1/attachments/{foreign['photo']}", user), 404)
    for trigger in ("report_rectification", "request_extension", "withdraw", "nonsense"):
        assert_error(api.post(f"/api/v1/findings/{fid}/transitions/{trigger}", user,
                              json={"version": foreign["finding"]["version"],
                                    "payload": {"measures": "Opened the valve"}}), 404)
    listed = api.get("/api/v1/findings?limit=500", user).get_json()["items"]
    assert fid not in [item["id"] for item in listed]
    assert api.get(f"/api/v1/findings?q={TITLE}", user).get_json()["items"] == []
    assert api.get(f"/api/v1/findings?unit={org.group_a.id}", user).get_json()["items"] == []
    assert flow.snapshot(fid) == before


@pytest.mark.parametrize("username", OUTSIDERS)
def test_outsiders_get_404_from_every_page(browser, org, foreign, flow, username):
    fid = foreign["finding"]["id"]
    client = browser(username)
    before = flow.snapshot(fid)
    assert client.get(f"/findings/{fid}").status_code == 404
    response = client.post(f"/findings/{fid}/fire/report_rectification",
                           data={"version": 2, "measures": "Opened the valve"})
    assert response.status_code == 404
    assert TITLE not in text_of(response)
    for url in ("/ledger", "/ledger?q=sprinkler", "/work", f"/ledger?unit={org.group_a.id}"):
        page = client.get(url)
        assert page.status_code == 200 and TITLE not in text_of(page), url
    csv = client.get("/ledger.csv")
    assert csv.status_code == 200 and TITLE not in text_of(csv)
    book = load_workbook(BytesIO(client.get("/ledger.xlsx").data))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert TITLE not in cells
    assert flow.snapshot(fid) == before


def test_handler_b_still_sees_their_own(api, browser, org, foreign):
    """The outsider's lists are not empty by accident: their own finding is there."""
    client = browser("handler_b")
    assert "Loading bay light out" in text_of(client.get("/ledger"))
    assert "Loading bay light out" in text_of(client.get("/ledger.csv"))
    items = api.get("/api/v1/findings", org.handler_b).get_json()["items"]
    assert [i["title"] for i in items] == ["Loading bay light out"]


def test_insiders_see_and_export_it(api, browser, org, foreign):
    fid = foreign["finding"]["id"]
    client = browser("handler_a")
    assert client.get(f"/findings/{fid}").status_code == 200
    assert TITLE in text_of(client.get("/ledger"))
    assert TITLE in text_of(client.get("/ledger.csv"))
    book = load_workbook(BytesIO(client.get("/ledger.xlsx").data))
    titles = [row[1] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert titles == [TITLE]
    assert api.get(f"/api/v1/attachments/{foreign['photo']}", org.handler_a).status_code == 200
    assert client.get(f"/api/v1/attachments/{foreign['photo']}").status_code == 200


def test_an_outsiders_evidence_link_from_the_page_is_404(browser, foreign):
    client = browser("handler_b")
    assert client.get(f"/api/v1/attachments/{foreign['photo']}").status_code == 404


def test_unit_fields_outside_the_actors_scope_are_refused(api, driver, org, flow):
    """A unit outside the actor's subtree can't be chosen (raise), and 422 names the field."""
    body = assert_error(api.post("/api/v1/findings", org.inspector, json={
        "title": "Somewhere else", "category": "other", "severity": "low",
        "unit": org.commission.id}), 422)
    assert set(body["errors"]) == {"unit"}


def test_the_duplicate_check_does_not_reveal_findings_outside_the_raisers_scope(
        api, browser, driver, org, rectify):
    """The raise form warns of similar open findings of the chosen unit: only within scope."""
    elsewhere = api.post("/api/v1/units", org.admin, json={
        "code": "IB2", "name_zh": "第二纪检监察组", "name_en": "Inspection body 2",
        "kind": "inspection_body", "parent_id": org.commission.id}).get_json()
    secret = driver.raise_("suggestion", by=org.supervisor, unit=elsewhere["id"],
                           title="Merge the two canteen contracts")
    probe = "Merging both canteen contracts"
    assert similarity(probe, secret["title"]) >= THRESHOLD  # similar enough to be listed
    response = browser("inspector").post("/raise", data={
        "lifecycle": "standard", "title": probe, "category": "other", "severity": "low",
        "unit": str(elsewhere["id"])})
    assert response.status_code == 422
    html = text_of(response)
    assert secret["title"] not in html and secret["code"] not in html
    # within scope the warning is shown (so the check above is not vacuous)
    mine = driver.raise_("standard", title="Canteen fridge too warm")
    response = browser("inspector").post("/raise", data={
        "lifecycle": "standard", "title": "Canteen fridge too warm again",
        "category": "food_safety", "severity": "low", "unit": str(org.group_a.id)})
    assert response.status_code == 200 and mine["code"] in text_of(response)
