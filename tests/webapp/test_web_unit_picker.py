"""GET /units/pick (the unit picker's JSON) and the pages that carry a picker: scope, clear 400s
for bad input, the no-script fallback (a typed code), a forged id still refused on submit, and
pages that no longer grow with the unit tree."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from web_support import add_sites, picked_id, picker_url, text_of

from workflow.models import Finding, Unit

PICK = "/units/pick?purpose="


def ids(response):
    assert response.status_code == 200, text_of(response)
    return [u["id"] for u in response.get_json()["units"]]


def test_the_endpoint_answers_within_the_users_scope(browser, org):
    handler = browser("handler_a")
    assert ids(handler.get(PICK + "filter&q=公司")) == [org.sub_a1.id, org.sub_a2.id]
    assert ids(handler.get(PICK + "filter&q=乙")) == []
    assert ids(handler.get(PICK + "filter&parent=")) == [org.group_a.id]
    first = handler.get(PICK + "filter&q=甲二").get_json()["units"][0]
    assert first == {"id": org.sub_a2.id, "code": "GA-2", "name": "甲二公司",
                     "path": "纪委监委 / 第一纪检监察组 / 甲集团", "has_children": False,
                     "selectable": True, "recent": False}


@pytest.mark.parametrize(("query", "field"), [
    ("filter&q=" + "x" * 10_000, "q"), ("nope&q=a", "purpose"), ("&q=a", "purpose"),
    ("field:standard:3:reassign:reason", "purpose"), ("filter&parent=abc", "parent"),
    ("filter&parent=-1", "parent"), ("filter&parent=99999999999", "parent"),
    ("filter&parent=&offset=abc", "offset"), ("filter&parent=&offset=-5", "offset"),
    ("filter&parent=&offset=1000001", "offset")])
def test_bad_input_is_a_400_naming_the_field(browser, org, query, field):
    response = browser("handler_a").get(PICK + query)
    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == [field]


@pytest.mark.parametrize("query", ["filter&q=a%00b", "filter&parent=%00", "filter&q=%ED%A0%80"])
def test_control_characters_and_broken_utf8_never_reach_the_database(browser, org, query):
    """NUL is refused for every request at the edge (422, naming the field); bytes that are not
    UTF-8 arrive as U+FFFD, which no unit contains."""
    response = browser("handler_a").get(PICK + query)
    assert response.status_code in (200, 422)
    assert response.status_code == 422 or ids(response) == []


def test_browsing_sends_fifty_children_at_a_time_and_where_the_rest_follow(browser, rectify, org):
    add_sites(rectify, org.group_b.id, 120)
    with rectify.unit_of_work(write=False) as uow:
        children = list(uow.session.scalars(select(Unit.id).where(
            Unit.parent_id == org.group_b.id).order_by(Unit.path)))
    client, listed, offset = browser("inspector"), [], 0
    sizes = []
    while offset is not None:
        answer = client.get(f"{PICK}filter&parent={org.group_b.id}&offset={offset}").get_json()
        sizes.append(len(answer["units"]))
        listed += [u["id"] for u in answer["units"]]
        offset = answer["next_offset"]
    assert sizes == [50, 50, 21] and listed == children  # 121: GB-1 and the sites, in order
    assert client.get(PICK + "filter&parent=").get_json()["next_offset"] is None


def test_a_unit_outside_the_scope_cannot_be_opened(browser, org):
    response = browser("handler_a").get(f"{PICK}filter&parent={org.group_b.id}")
    assert response.status_code == 400
    assert "乙" not in text_of(response)


def test_the_endpoint_needs_a_login(app):
    assert app.test_client().get(PICK + "filter&q=甲").status_code == 302


def test_without_script_a_typed_code_raises_on_that_unit(browser, rectify, org):
    response = browser("inspector").post("/raise", data={
        "lifecycle": "standard", "title": "Exit blocked by boxes", "category": "work_safety",
        "severity": "low", "unit": "", "unit__code": "GA-1"})
    assert response.status_code == 302, text_of(response)
    with rectify.unit_of_work(write=False) as uow:
        finding = uow.session.scalar(select(Finding).where(Finding.title == "Exit blocked by boxes"))
        assert finding is not None and finding.unit_id == org.sub_a1.id


@pytest.mark.parametrize("field", [{"unit": "{commission}"}, {"unit__code": "COMM"},
                                   {"unit__code": "NO-SUCH"}, {"unit__code": "GA\x00"}])
def test_a_forged_or_unknown_unit_is_refused_on_submit(browser, rectify, org, field):
    data = {k: v.format(commission=org.commission.id) for k, v in field.items()}
    response = browser("inspector").post("/raise", data={
        "lifecycle": "standard", "title": "Forged unit", "category": "work_safety",
        "severity": "low", **data})
    assert response.status_code == 422  # the raise form names the unit (NUL: the edge does)
    assert "\x00" in data.get("unit__code", "") or 'class="field has-error"' in text_of(response)
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count(Finding.id))) == 0


def test_a_refused_raise_keeps_the_chosen_unit(browser, org):
    page = browser("inspector").post("/raise", data={
        "lifecycle": "standard", "title": "", "category": "work_safety", "severity": "low",
        "unit": str(org.sub_b1.id)})
    html = text_of(page)
    assert page.status_code == 422
    assert picked_id(html, "unit") == str(org.sub_b1.id) and 'data-label="乙一公司"' in html


def test_the_ledger_no_longer_lists_every_unit(browser, rectify, org):
    add_sites(rectify, org.group_a.id, 50)
    client = browser("inspector")
    html = text_of(client.get("/ledger"))
    assert "站点" not in html and "<option value=\"" + str(org.sub_b1.id) not in html
    assert "purpose=filter" in picker_url(html, "filter-unit")
    # a chosen filter unit is shown by name; one out of scope is not shown at all
    chosen = text_of(client.get(f"/ledger?unit={org.sub_b1.id}"))
    assert picked_id(chosen, "unit") == str(org.sub_b1.id) and 'data-label="乙一公司"' in chosen
    other = text_of(browser("handler_a").get(f"/ledger?unit={org.sub_b1.id}"))
    assert picked_id(other, "unit") == "" and "乙一公司" not in other


def test_without_script_a_ledger_filter_takes_a_code(browser, org, driver):
    driver.raise_("standard")
    html = text_of(browser("inspector").get("/ledger?unit__code=GB"))
    assert picked_id(html, "unit") == str(org.group_b.id)
