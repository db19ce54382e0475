"""A finding's transition forms through the test client: unit drop-downs list the units, date
inputs carry the limits the definition and its guards declare, and a guard that judged one field
refuses next to that field (not in a banner), on the page and in the API."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html.parser import HTMLParser

from web_support import assert_error, picked_id, picker_offers, picker_url, text_of


class _Inputs(HTMLParser):
    """The attributes of every <input>/<select> by id, and the <option> values of each select."""

    def __init__(self) -> None:
        super().__init__()
        self.attrs: dict[str, dict[str, str | None]] = {}
        self.options: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("input", "select") and found.get("id"):
            self.attrs[str(found["id"])] = found
        if tag == "select":
            self._select = str(found.get("id"))
            self.options[self._select] = []
        elif tag == "option" and self._select:
            self.options[self._select].append(str(found.get("value")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def inputs(html: str) -> _Inputs:
    parser = _Inputs()
    parser.feed(html)
    return parser


def test_reassign_offers_the_units_in_the_users_scope(browser, driver, org):
    finding = driver.raise_("standard")
    client = browser("inspector")
    html = text_of(client.get(f"/findings/{finding['id']}"))
    assert picked_id(html, "unit") == ""  # nothing chosen yet
    offered = picker_offers(client, picker_url(html, "reassign-unit"))
    # every unit under the inspector's body, the body itself too (the engine refuses it, named)
    assert {org.group_a.id, org.group_b.id, org.sub_a1.id, org.sub_b1.id} <= offered
    assert org.commission.id not in offered  # above the inspector: out of scope


def test_accept_escalation_offers_every_unit_for_the_coordinating_body(browser, driver, org):
    finding = driver.bring_to("escalation", "escalated")
    client = browser("supervisor")
    html = text_of(client.get(f"/findings/{finding['id']}"))
    offered = picker_offers(client, picker_url(html, "accept_escalation-coordinator"))
    assert offered == {u.id for u in org.units.values()}


def test_the_extension_date_picker_starts_the_day_after_the_due_date(browser, driver):
    finding = driver.bring_to("standard", "assigned")
    due = date.fromisoformat(finding["due_date"])
    form = inputs(text_of(browser("handler_a").get(f"/findings/{finding['id']}")))
    picker = form.attrs["request_extension-requested_due_date"]
    assert picker["type"] == "date"
    assert picker["min"] == (due + timedelta(days=1)).isoformat()  # the guard's limit
    assert picker["max"] == (driver.today() + timedelta(days=366)).isoformat()  # the field's


def test_date_pickers_carry_the_fields_limits(browser, driver):
    finding = driver.raise_("standard")
    form = inputs(text_of(browser("inspector").get(f"/findings/{finding['id']}")))
    today = driver.today()
    assert form.attrs["assign-due_date"]["min"] == today.isoformat()
    assert form.attrs["assign-due_date"]["max"] == (today + timedelta(days=366)).isoformat()


def test_a_guard_refusal_is_the_fields_error_not_a_banner(browser, driver, flow):
    finding = driver.bring_to("standard", "assigned")
    before = flow.snapshot(finding["id"])
    response = browser("handler_a").post(f"/findings/{finding['id']}/fire/request_extension", data={
        "version": finding["version"], "requested_due_date": finding["due_date"],
        "reason": "Parts are on order"})
    assert response.status_code == 422
    html = text_of(response)
    field = re.search(r'<div class="field has-error">\s*<label for="request_extension-'
                      r'requested_due_date">.*?</div>', html, flags=re.S)
    assert field, "the date field is not marked as the one in error"
    assert f"申请的日期必须晚于当前整改期限 {finding['due_date']}" in field.group(0)
    assert 'class="flash error"' not in html
    assert flow.snapshot(finding["id"]) == before


def test_the_api_names_the_field_a_guard_refused(api, driver, flow):
    finding = driver.bring_to("standard", "assigned")
    response = api.post(f"/api/v1/findings/{finding['id']}/transitions/request_extension",
                        "handler_a", json={"payload": {
                            "requested_due_date": finding["due_date"], "reason": "Parts on order"}},
                        headers={"If-Match": f'"{finding["version"]}"'})
    body = assert_error(response, 422)
    assert finding["due_date"] in body["message"]
    assert list(body["errors"]) == ["requested_due_date"]
    assert finding["due_date"] in body["errors"]["requested_due_date"]


def test_reassign_to_the_current_unit_is_the_unit_fields_error(browser, driver, org):
    finding = driver.raise_("standard")
    response = browser("inspector").post(f"/findings/{finding['id']}/fire/reassign", data={
        "version": finding["version"], "unit": str(org.group_a.id), "reason": "Wrong unit"})
    assert response.status_code == 422
    assert re.search(r'<div class="field has-error">\s*<label for="reassign-unit">.*?'
                     r"新责任单位与当前责任单位相同", text_of(response), flags=re.S)


def test_the_raise_pages_due_date_picker_carries_its_limits(browser, driver):
    form = inputs(text_of(browser("inspector").get("/raise")))
    today = driver.today()
    assert form.attrs["due_date"]["min"] == today.isoformat()
    assert form.attrs["due_date"]["max"] == (today + timedelta(days=366)).isoformat()


def test_the_api_offers_the_extension_from_the_day_after_the_due_date(api, driver):
    finding = driver.bring_to("standard", "assigned")
    offered = {t["trigger"]: t for t in driver.finding(finding["id"], "handler_a")["transitions"]}
    picker = next(f for f in offered["request_extension"]["fields"]
                  if f["name"] == "requested_due_date")
    due = date.fromisoformat(finding["due_date"])
    assert picker["min_date"] == (due + timedelta(days=1)).isoformat()


def test_a_passed_due_date_is_not_offered_as_the_new_one(browser, driver, clock):
    finding = driver.bring_to("standard", "revisited")
    due = date.fromisoformat(finding["due_date"])
    page = browser("reviewer").get(f"/findings/{finding['id']}")
    assert inputs(text_of(page)).attrs["reject-due_date"]["value"] == due.isoformat()
    clock.advance(days=(due - driver.today()).days + 1)  # now the finding is overdue
    form = inputs(text_of(browser("reviewer").get(f"/findings/{finding['id']}")))
    picker = form.attrs["reject-due_date"]
    assert picker["value"] in ("", None) and picker["min"] == driver.today().isoformat()


def test_a_side_refusal_says_which_side_not_your_role(driver, org):
    """handler_reviewer_a holds the reviewer role but sits in the finding's own unit."""
    finding = driver.bring_to("standard", "rectified")
    refused = driver.fire(finding["id"], "revisit", org.handler_reviewer_a,
                          payload={"visited_on": driver.today().isoformat(), "method": "onsite",
                                   "observations": "Checked on site"})
    body = assert_error(refused, 403)
    assert "责任单位本身不能办理" in body["message"]
    assert "角色" not in body["message"]


def test_schema_errors_reach_chinese_users_in_chinese(api, org):
    refused = api.post("/api/v1/findings", org.inspector, json={"lifecycle": "standard",
                                                                "unit": "not a number"})
    errors = assert_error(refused, 422)["errors"]
    assert errors["title"] == "此项必填。"
    assert errors["unit"] == "应为整数。"
