"""Linked findings through the API and the pages: split_off's child in the finding detail (both
ways, out-of-scope ends hidden and counted), related links added and removed by POST/DELETE and
by the card's forms, the refusals in the one error format, the timeline's labels."""

from __future__ import annotations

from web_support import assert_error, text_of, ui


def fire(api, finding, trigger, who, payload):
    response = api.post(f"/api/v1/findings/{finding['id']}/transitions/{trigger}", who,
                        json={"version": finding["version"], "payload": payload})
    assert response.status_code == 200, text_of(response)
    return response.get_json()


def test_the_detail_shows_parent_and_children_both_ways(api, driver, org):
    parent = driver.raise_(unit=org.group_a.id)
    fire(api, parent, "split_off", "inspector", {"unit": org.sub_a1.id, "requirement": "Fix it"})
    seen = driver.finding(parent["id"], "inspector")
    assert (seen["children"]["total"], seen["children"]["closed"], seen["parent"]) == (1, 0, None)
    [child] = seen["children"]["items"]
    assert child["state"] and child["due_date"] and child["light"]["colour"] == "green"
    up = driver.finding(child["id"], "inspector")
    assert up["parent"]["code"] == parent["code"]
    below = driver.finding(child["id"], "handler_a1")  # sub_a1's handler: the parent is hidden
    assert below["parent"] is None and below["links"]["hidden"] == 1
    assert [e["trigger"] for e in driver.events(child["id"], "handler_a1")] == ["raise", "assign"]


def test_related_links_by_the_api(api, driver, org):
    one = driver.raise_(unit=org.group_a.id)
    two = driver.raise_(unit=org.group_b.id)
    path = f"/api/v1/findings/{one['id']}/links"
    assert_error(api.post(path, "handler_a", json={"to": two["code"]}), 403)
    body = assert_error(api.post(path, "inspector", json={"to": "2099-0001"}), 422)
    assert set(body["errors"]) == {"to"}
    assert_error(api.post(path, "inspector", json={"to": one["code"]}), 422)
    created = api.post(path, "inspector", json={"to": two["code"], "note": "Same landlord"})
    assert created.status_code == 201, text_of(created)
    link = created.get_json()
    assert (link["from_code"], link["to_code"], link["note"]) == (one["code"], two["code"],
                                                                   "Same landlord")
    assert_error(api.post(f"/api/v1/findings/{two['id']}/links", "reviewer",
                          json={"to": one["code"]}), 422)  # the same link the other way
    [here] = driver.finding(one["id"], "inspector")["links"]["related"]
    [there] = driver.finding(two["id"], "inspector")["links"]["related"]
    assert (here["direction"], here["finding"]["code"], there["direction"]) == (
        "to", two["code"], "from")
    assert driver.finding(one["id"], "handler_a")["links"] == {
        "related": [], "recurrence_of": None, "recurrences": [], "hidden": 1}
    remove = f"/api/v1/findings/{two['id']}/links/{link['id']}"
    assert_error(api.call("DELETE", remove, "handler_b"), 403)
    assert api.call("DELETE", remove, "inspector").status_code == 204
    assert_error(api.call("DELETE", remove, "inspector"), 404)
    for fid in (one["id"], two["id"]):
        assert [e["trigger"] for e in driver.events(fid, "inspector")][-2:] == ["link", "unlink"]


def test_the_card_links_and_unlinks(browser, driver, app, org):
    one = driver.raise_(unit=org.group_a.id)
    two = driver.raise_(unit=org.group_b.id)
    inspector = browser("inspector")
    page = f"/findings/{one['id']}"
    response = inspector.post(f"{page}/links", data={"to": "2099-0001"})
    assert response.status_code == 302
    shown = text_of(inspector.get(page))
    assert "没有这个编号的问题，或不在您的管辖范围内" in shown and 'id="related"' not in shown
    inspector.post(f"{page}/links", data={"to": two["code"], "note": "同一业主 <b>"})
    shown = text_of(inspector.get(page))
    assert ui(app, "Linked findings") in shown and two["code"] in shown
    assert "同一业主 &lt;b&gt;" in shown and ui(app, "Linked to a related finding") in shown
    handler_page = text_of(browser("handler_b").get(f"/findings/{two['id']}"))
    assert 'id="link-form"' not in handler_page and ui(app, "Remove link") not in handler_page
    link_id = shown.split('data-link="')[1].split('"')[0]
    assert inspector.post(f"/findings/{two['id']}/links/{link_id}/delete").status_code == 302
    after = text_of(inspector.get(page))
    assert 'id="related"' not in after and ui(app, "Related link removed") in after
    assert inspector.post(f"/findings/{two['id']}/links/{link_id}/delete").status_code == 404


def test_the_card_shows_children_and_how_many_are_closed(api, browser, driver, app, org):
    parent = driver.raise_(unit=org.group_a.id)
    parent = fire(api, parent, "split_off", "inspector", {"unit": org.sub_a1.id,
                                                          "requirement": "Fix it"})
    fire(api, parent, "split_off", "inspector", {"unit": org.group_b.id, "requirement": "Also"})
    shown = text_of(browser("inspector").get(f"/findings/{parent['id']}"))
    assert 'id="children"' in shown and ui(app, "%(n)s of %(m)s closed", n=0, m=2) in shown
    assert ui(app, "Child finding") in shown  # the split's event names the child
