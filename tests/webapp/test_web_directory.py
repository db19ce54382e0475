"""Units, campaigns, inspections and the dashboard: pages and API answer by the same service
rules (who may, what is valid, every error at once), and the admin forms keep what was chosen."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.webapp.web_support import assert_error, picked_id, text_of
from workflow.models import Inspection, Unit

ROLES_TRIED = ("admin", "supervisor", "inspector", "reviewer", "handler_a")


def _operations(org):
    """(API path, page path, API body, page form) for a valid request of each operation."""
    return {
        "unit": ("/api/v1/units", "/admin/units",
                 {"code": "GA-9", "name_zh": "甲九公司", "kind": "subsidiary",
                  "parent_id": org.group_a.id},
                 {"code": "GA-8", "name_zh": "甲八公司", "kind": "subsidiary",
                  "parent_id": str(org.group_a.id)}),
        "campaign": ("/api/v1/campaigns", "/admin/campaigns",
                     {"name": "Spring check", "starts_on": "2026-03-01",
                      "organiser_id": org.commission.id},
                     {"name": "Autumn check", "starts_on": "2026-09-01",
                      "organiser_id": str(org.commission.id)}),
        "inspection": ("/api/v1/inspections", "/admin/inspections",
                       {"unit_id": org.sub_a1.id, "inspected_on": "2026-03-02",
                        "method": "onsite"},
                       {"unit_id": str(org.sub_a1.id), "inspected_on": "2026-03-03",
                        "method": "onsite", "confirm_overlap": "1"}),  # others' visits: seen
    }


@pytest.mark.parametrize("operation", ["unit", "campaign", "inspection"])
def test_pages_and_api_allow_the_same_roles(operation, api, browser, org):
    api_path, page_path, body, form = _operations(org)[operation]
    outcomes = {}
    for username in ROLES_TRIED:
        by_api = api.post(api_path, username, json=body).status_code
        by_page = browser(username).post(page_path, data=form).status_code
        outcomes[username] = (by_api, by_page)
        body, form = _another(body), _another(form)
    allowed = {"unit": {"admin"}, "campaign": {"admin", "supervisor"},
               "inspection": {"admin", "inspector"}}[operation]
    assert outcomes == {u: (201, 302) if u in allowed else (403, 403) for u in ROLES_TRIED}


def _another(data):
    """The same request with a fresh unit code (codes are unique)."""
    return {**data, "code": data["code"] + "X"} if "code" in data else data


def test_the_dashboard_is_for_the_same_roles_in_page_and_api(api, browser, org):
    for username in ROLES_TRIED:
        by_api = api.get("/api/v1/dashboard", username).status_code
        by_page = browser(username).get("/dashboard").status_code
        expected = 403 if username == "handler_a" else 200
        assert (by_api, by_page) == (expected, expected), username


def test_a_unit_code_is_checked_the_same_by_page_and_api(api, browser, org, rectify):
    bad = {"code": "with space <b>", "name_zh": "坏代码", "kind": "site"}
    body = assert_error(api.post("/api/v1/units", org.admin, json=bad), 422)
    page = browser("admin").post("/admin/units", data=bad)
    assert page.status_code == 422
    assert set(body["errors"]) == {"code"}
    assert body["errors"]["code"] in text_of(page)
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Unit)
                                  .where(Unit.name_zh == "坏代码")) == 0


def test_the_unit_form_reports_every_error_and_keeps_every_choice(browser, org):
    page = browser("admin").post("/admin/units", data={
        "code": "bad code", "name_zh": " ", "name_en": "x" * 201, "kind": "commission",
        "parent_id": str(org.group_b.id)})
    html = text_of(page)
    assert page.status_code == 422
    assert html.count('class="error"') == 3  # code, name_zh, name_en at once
    assert re.search(r'<option value="commission"\s+selected', html)
    assert picked_id(html, "parent_id") == str(org.group_b.id)


def test_the_inspection_form_reports_every_error_and_keeps_every_choice(api, browser, org):
    campaign = api.post("/api/v1/campaigns", org.admin, json={
        "name": "Food safety week", "starts_on": "2026-03-01",
        "organiser_id": org.commission.id}).get_json()
    page = browser("inspector").post("/admin/inspections", data={
        "unit_id": str(org.group_b.id), "inspected_on": "2026-02-30", "method": "online",
        "campaign_id": str(campaign["id"]), "team": "t" * 501, "notes": "kept"})
    html = text_of(page)
    assert page.status_code == 422
    assert html.count('class="error"') == 2  # the impossible date and the long team at once
    assert re.search(r'<option value="online"\s+selected', html)
    assert re.search(rf'<option value="{campaign["id"]}"\s+selected', html)
    assert picked_id(html, "unit_id") == str(org.group_b.id)
    assert 'value="2026-02-30"' in html and ">kept</textarea>" in html


def test_a_campaign_out_of_scope_answers_as_one_that_does_not_exist(api, org, rectify):
    """An inspection may only link a campaign the actor can see; one out of scope gets the same
    answer as an id that names nothing (201 and a 'no such campaign' told them apart before)."""
    other_body = api.post("/api/v1/units", org.admin, json={
        "code": "IB2", "name_zh": "第二纪检监察组", "kind": "inspection_body",
        "parent_id": org.commission.id}).get_json()
    hidden = api.post("/api/v1/campaigns", org.admin, json={
        "name": "Elsewhere", "starts_on": "2026-03-01",
        "organiser_id": other_body["id"]}).get_json()["id"]
    assert hidden not in [c["id"] for c in api.get("/api/v1/campaigns", org.inspector).get_json()]
    visit = {"unit_id": org.group_a.id, "inspected_on": "2026-03-02", "method": "onsite"}
    answers = [assert_error(api.post("/api/v1/inspections", org.inspector, json={
        **visit, "campaign_id": campaign_id}), 422) for campaign_id in (hidden, hidden + 1000)]
    assert answers[0] == answers[1] and set(answers[0]["errors"]) == {"campaign_id"}
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Inspection)) == 0


def test_an_inspection_is_of_a_unit_below_the_inspectors(api, org):
    own = api.post("/api/v1/inspections", org.inspector, json={
        "unit_id": org.inspection_body.id, "inspected_on": "2026-03-02", "method": "onsite"})
    assert "不能检查本单位" in assert_error(own, 422)["errors"]["unit_id"]


def test_a_campaign_is_never_organised_by_a_unit_under_inspection(api, org):
    inspected = api.post("/api/v1/campaigns", org.supervisor, json={
        "name": "Named after a company", "starts_on": "2026-03-01", "organiser_id": org.group_a.id})
    assert "organiser_id" in assert_error(inspected, 422)["errors"]
    own = api.post("/api/v1/campaigns", org.supervisor, json={
        "name": "Spring check", "starts_on": "2026-03-01", "organiser_id": org.commission.id})
    assert own.status_code == 201, own.get_json()


def test_a_finding_comes_only_from_an_inspection_of_its_unit_or_above(api, org, browser):
    visit = api.post("/api/v1/inspections", org.inspector, json={
        "unit_id": org.group_a.id, "inspected_on": "2026-03-02", "method": "onsite"}).get_json()
    body = {"lifecycle": "standard", "title": "Ledger incomplete", "category": "other",
            "severity": "low", "inspection": visit["id"]}
    elsewhere = api.post("/api/v1/findings", org.inspector, json={**body, "unit": org.group_b.id})
    assert "其他单位" in assert_error(elsewhere, 422)["errors"]["inspection"]
    below = api.post("/api/v1/findings", org.inspector, json={**body, "unit": org.sub_a1.id})
    assert below.status_code == 201 and below.get_json()["inspection_id"] == visit["id"]
    page = browser("inspector")
    for garbage in ("abc", "99999999999", "8.9"):  # never silently dropped
        form = {"lifecycle": "standard", "title": f"Exit blocked {garbage}", "category": "other",
                "severity": "low", "unit": str(org.group_a.id), "inspection": garbage,
                "confirm_duplicate": "1"}
        response = page.post("/raise", data=form)
        assert response.status_code == 422, garbage
        assert "no such inspection" in text_of(response) or "检查记录不存在" in text_of(response)


def test_the_inspection_page_refuses_a_campaign_it_cannot_find(browser, org, rectify):
    def count():
        with rectify.unit_of_work(write=False) as uow:
            return uow.session.scalar(select(func.count()).select_from(Inspection))

    before = count()
    for garbage in ("77", "abc", "99999999999"):
        response = browser("admin").post("/admin/inspections", data={
            "unit_id": str(org.sub_a1.id), "inspected_on": "2026-03-02", "method": "onsite",
            "campaign_id": garbage})
        assert response.status_code == 422, garbage
    assert count() == before
