"""Burden on the grassroots on the pages: the overlap warning before an inspection is saved, the
dashboard's inspection frequency, and raising instead as a comment or a recurrence."""

from __future__ import annotations

from datetime import timedelta

from web_support import text_of

from workflow.models import Unit, User
from workflow.services.duplicates import similar_findings


def inspections_of(api, who="admin"):
    return api.get("/api/v1/inspections", who).get_json()


def record(api, who, unit, day, method="onsite"):
    response = api.post("/api/v1/inspections", who, json={
        "unit_id": unit.id, "inspected_on": day.isoformat(), "method": method})
    assert response.status_code == 201, text_of(response)


def test_an_inspection_by_another_body_of_the_parent_is_shown_before_saving(api, browser, driver,
                                                                            org):
    today = driver.today()
    record(api, "admin", org.group_a, today - timedelta(days=5))  # the commission's visit
    inspector = browser("inspector")
    fragment = inspector.get(f"/admin/inspections/overlaps?unit_id={org.sub_a1.id}"
                             f"&inspected_on={today.isoformat()}")
    assert "overlap-warning" in text_of(fragment) and org.group_a.name_zh in text_of(fragment)
    form = {"unit_id": str(org.sub_a1.id), "inspected_on": today.isoformat(), "method": "onsite"}
    asked = inspector.post("/admin/inspections", data=form)
    assert asked.status_code == 200 and "confirm_overlap" in text_of(asked)
    assert len(inspections_of(api)) == 1  # nothing saved until confirmed
    saved = inspector.post("/admin/inspections", data=dict(form, confirm_overlap="1"))
    assert saved.status_code == 302 and len(inspections_of(api)) == 2
    for query in ("unit_id=1%00&inspected_on=x", f"unit_id={org.sub_a1.id}&inspected_on=2026-02-30"):
        odd = inspector.get(f"/admin/inspections/overlaps?{query}")
        assert odd.status_code in (200, 422) and "overlap-warning" not in text_of(odd)


def test_the_dashboard_flags_a_unit_inspected_more_than_the_threshold(api, browser, driver, org):
    today = driver.today()
    for days in range(5):  # five visits in the period; the threshold is four
        record(api, "inspector", org.sub_a1, today - timedelta(days=days))
    record(api, "inspector", org.sub_a2, today)
    html = text_of(browser("supervisor").get("/dashboard"))
    assert 'id="frequency-flagged"' in html
    assert f'class="flagged" data-unit="{org.sub_a1.id}"' in html
    assert f'class="" data-unit="{org.sub_a2.id}"' in html


def _raise_form(title, unit, **extra):
    return {"lifecycle": "standard", "title": title, "description": "夜间检查时无人在岗",
            "category": "other", "severity": "low", "unit": str(unit.id), **extra}


def test_the_inspector_comments_on_the_existing_finding_instead_of_raising(api, browser, driver,
                                                                            org):
    existing = driver.raise_(title="卡口值守人员脱岗", unit=org.group_a.id)
    inspector = browser("inspector")
    shown = inspector.post("/raise", data=_raise_form("夜间卡口值守人员脱岗", org.sub_a1))
    assert shown.status_code == 200 and existing["code"] in text_of(shown)  # the parent's
    assert f"/raise/instead/{existing['id']}" in text_of(shown)
    outsider = browser("handler_b").post(f"/raise/instead/{existing['id']}",
                                         data=_raise_form("夜间卡口值守人员脱岗", org.sub_a1))
    assert outsider.status_code == 302
    done = inspector.post(f"/raise/instead/{existing['id']}",
                          data=_raise_form("夜间卡口值守人员脱岗", org.sub_a1))
    assert done.status_code == 302 and done.location.endswith(f"/findings/{existing['id']}#comments")
    comments = [e for e in driver.events(existing["id"]) if e["trigger"] == "comment"]
    assert len(comments) == 1 and "夜间卡口值守人员脱岗" in comments[0]["payload"]["text"]
    assert len(api.get("/api/v1/findings", "admin").get_json()["items"]) == 1  # none raised


def test_a_finding_the_raiser_cannot_see_is_never_suggested(driver, org, rectify):
    """group_a's finding is a candidate for sub_a1 (its parent), but sub_a1's handler does not
    see group_a: the service leaves it out for them."""
    existing = driver.raise_(title="卡口值守人员脱岗", unit=org.group_a.id)
    with rectify.unit_of_work() as uow:
        s, unit = uow.session, uow.session.get_one(Unit, org.sub_a1.id)

        def suggested(user):
            return [hit.finding.code for hit in similar_findings(
                s, s.get_one(User, user.id), unit, "夜间卡口值守人员脱岗", "", uow.now())]

        assert suggested(org.inspector) == [existing["code"]]
        assert suggested(org.handler_a1) == []


def test_a_closed_similar_finding_is_offered_as_a_recurrence(browser, driver, org):
    closed = driver.bring_to("standard", "withdrawn", title="卡口值守人员脱岗")
    open_one = driver.raise_(title="食堂未落实分餐制", unit=org.group_a.id)
    inspector = browser("inspector")
    refused = inspector.post("/raise", data=_raise_form("卡口值守人员又脱岗", org.group_a,
                                                         recurrence_of=str(open_one["id"])))
    assert refused.status_code == 422 and 'id="recurrence-error"' in text_of(refused)
    shown = inspector.post("/raise", data=_raise_form("卡口值守人员又脱岗", org.group_a))
    assert f'name="recurrence_of" value="{closed["id"]}"' in text_of(shown)
    raised = inspector.post("/raise", data=_raise_form("卡口值守人员又脱岗", org.group_a,
                                                        recurrence_of=str(closed["id"])))
    assert raised.status_code == 302
    new_id = int(raised.location.rsplit("/", 1)[1])
    assert driver.finding(new_id)["recurrence_of"] == closed["code"]


def test_the_api_answers_with_the_same_services(api, driver, org):
    today = driver.today()
    record(api, "admin", org.group_a, today - timedelta(days=5))
    listed = api.get(f"/api/v1/inspections/overlaps?unit_id={org.sub_a1.id}"
                     f"&inspected_on={today.isoformat()}", "inspector").get_json()
    assert [(o["inspection"]["unit"]["id"], o["body"]["id"]) for o in listed] == [
        (org.group_a.id, org.commission.id)]
    refused = api.get(f"/api/v1/inspections/overlaps?unit_id={org.sub_b1.id}"
                      "&inspected_on=2026-02-30", "handler_a")
    assert refused.status_code == 422
    assert set(refused.get_json()["errors"]) == {"unit_id", "inspected_on"}
    closed = driver.bring_to("standard", "withdrawn", title="卡口值守人员脱岗")
    similar = f"/api/v1/findings/similar?unit={org.group_a.id}&title=卡口值守人员又脱岗"
    found = api.get(similar, "inspector").get_json()
    assert [(s["finding"]["code"], s["recurrence"]) for s in found] == [(closed["code"], True)]
    again = driver.raise_(title="卡口值守人员又脱岗", recurrence_of=closed["id"])
    assert again["recurrence_of"] == closed["code"]
    driver.rectify.clock.advance(days=181)  # closed over 180 days ago: no longer offered
    later = api.get(similar, "inspector", headers={
        "Authorization": f"Bearer {api.fresh_token('inspector')}"}).get_json()
    assert [(s["finding"]["code"], s["recurrence"]) for s in later] == [(again["code"], False)]
