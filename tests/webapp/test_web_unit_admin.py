"""Unit administration in pages and API: rename, move (preview, then confirm with the
preview's fingerprint), deactivate and reactivate; admins only; bad input a field error."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.webapp.web_support import assert_error, picker_offers, text_of
from workflow.models import AdminChange, Unit


def _unit(rectify, unit_id):
    with rectify.unit_of_work(write=False) as uow:
        unit = uow.session.get(Unit, unit_id)
        uow.session.expunge(unit)
        return unit


def _fingerprint(html):
    found = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', html)
    assert found, html
    return found.group(1)


def test_the_page_previews_a_move_then_confirms_it(browser, rectify, org):
    admin = browser("admin")
    page = admin.get(f"/admin/units/{org.group_a.id}")
    assert page.status_code == 200 and 'id="move-form"' in text_of(page)
    preview = admin.post(f"/admin/units/{org.group_a.id}/move",
                         data={"parent_id": str(org.group_b.id)})
    html = text_of(preview)
    assert preview.status_code == 200
    assert "handler_b" in html.split('id="gaining"')[1].split("</ul>")[0]
    assert 'id="losing"' not in html  # nobody stops seeing it: group_b is below the same bodies
    assert _unit(rectify, org.group_a.id).parent_id == org.inspection_body.id  # nothing yet
    done = admin.post(f"/admin/units/{org.group_a.id}/move/confirm",
                      data={"parent_id": str(org.group_b.id), "fingerprint": _fingerprint(html)})
    assert done.status_code == 302
    moved = _unit(rectify, org.group_a.id)
    assert (moved.parent_id, moved.path) == (org.group_b.id, f"{org.group_b.path}{org.group_a.id}/")
    assert _unit(rectify, org.sub_a1.id).path == f"{moved.path}{org.sub_a1.id}/"


def test_a_stale_confirmation_is_refused_with_a_new_preview(browser, api, rectify, org):
    admin = browser("admin")
    html = text_of(admin.post(f"/admin/units/{org.group_a.id}/move",
                              data={"parent_id": str(org.group_b.id)}))
    other = api.post(f"/api/v1/units/{org.sub_a2.id}/move-preview", "admin",
                     json={"parent_id": org.group_b.id}).get_json()
    assert api.post(f"/api/v1/units/{org.sub_a2.id}/move", "admin",
                    json={"parent_id": org.group_b.id,
                          "fingerprint": other["fingerprint"]}).status_code == 200
    stale = admin.post(f"/admin/units/{org.group_a.id}/move/confirm",
                       data={"parent_id": str(org.group_b.id), "fingerprint": _fingerprint(html)})
    assert stale.status_code == 409
    assert _fingerprint(text_of(stale)) != _fingerprint(html)  # the preview as it is now
    assert _unit(rectify, org.group_a.id).parent_id == org.inspection_body.id


def test_a_cycle_is_a_field_error_on_the_page(browser, org):
    refused = browser("admin").post(f"/admin/units/{org.group_a.id}/move",
                                    data={"parent_id": str(org.sub_a1.id)})
    assert refused.status_code == 422
    assert "不能移到本单位或其下级单位之下" in text_of(refused)


@pytest.mark.parametrize("username", ["supervisor", "inspector", "handler_a"])
def test_only_admins_move_or_deactivate(browser, api, rectify, org, username):
    client = browser(username)
    unit_id = org.sub_a1.id
    assert client.post(f"/admin/units/{unit_id}/move",
                       data={"parent_id": str(org.group_b.id)}).status_code == 403
    assert client.post(f"/admin/units/{unit_id}/active", data={"active": "0"}).status_code == 403
    for path in ("deactivate", "move-preview"):
        response = api.post(f"/api/v1/units/{unit_id}/{path}", username,
                            json={"parent_id": org.group_b.id} if path == "move-preview" else None)
        assert response.status_code in (403, 404)  # 404: outside the user's scope
    assert _unit(rectify, unit_id).active is True


def test_the_page_deactivates_and_the_raise_form_stops_offering_the_unit(browser, rectify, org):
    admin = browser("admin")
    page = text_of(admin.get(f"/admin/units/{org.sub_a2.id}"))
    assert "open findings: 0" in page or "未结问题：0" in page
    assert admin.post(f"/admin/units/{org.sub_a2.id}/active",
                      data={"active": "0"}).status_code == 302
    assert _unit(rectify, org.sub_a2.id).active is False
    offered = picker_offers(browser("inspector"), "/units/pick?purpose=raise")  # the raise form
    assert org.sub_a2.id not in offered and org.sub_a1.id in offered
    refused = admin.post(f"/admin/units/{org.group_a.id}/active", data={"active": "0"})
    assert refused.status_code == 422
    assert "个启用的下级单位" in text_of(refused)


def test_the_api_moves_deactivates_and_reactivates(api, rectify, org):
    preview = api.post(f"/api/v1/units/{org.sub_b1.id}/move-preview", "admin",
                       json={"parent_id": org.group_a.id})
    body = preview.get_json()
    assert preview.status_code == 200
    assert [u["username"] for u in body["gaining"]] == ["handler_a", "handler_reviewer_a"]
    assert [u["username"] for u in body["losing"]] == ["handler_b"]
    moved = api.post(f"/api/v1/units/{org.sub_b1.id}/move", "admin",
                     json={"parent_id": org.group_a.id, "fingerprint": body["fingerprint"]})
    assert moved.get_json()["parent_id"] == org.group_a.id
    off = api.post(f"/api/v1/units/{org.sub_b1.id}/deactivate", "admin")
    assert off.get_json()["active"] is False
    on = api.post(f"/api/v1/units/{org.sub_b1.id}/reactivate", "admin")
    assert on.get_json()["active"] is True
    with rectify.unit_of_work(write=False) as uow:
        assert list(uow.session.scalars(select(AdminChange.action).order_by(AdminChange.id))) == [
            "move", "deactivate", "reactivate"]


def test_api_refusals_name_the_field(api, rectify, org):
    stale = api.post(f"/api/v1/units/{org.group_a.id}/move", "admin",
                     json={"parent_id": org.group_b.id, "fingerprint": "0" * 64})
    assert "preview the move again" in assert_error(stale, 409)["message"].lower() or \
        "重新预览" in assert_error(stale, 409)["message"]
    cycle = api.post(f"/api/v1/units/{org.group_a.id}/move-preview", "admin",
                     json={"parent_id": org.sub_a2.id})
    assert set(assert_error(cycle, 422)["errors"]) == {"parent_id"}
    children = api.post(f"/api/v1/units/{org.group_a.id}/deactivate", "admin")
    assert set(assert_error(children, 422)["errors"]) == {"active"}
    taken = api.patch(f"/api/v1/units/{org.group_a.id}", "admin", json={"code": "GB"})
    assert set(assert_error(taken, 422)["errors"]) == {"code"}
    renamed = api.patch(f"/api/v1/units/{org.group_a.id}", "admin",
                        json={"code": "GA-2026", "name_en": "Group A Ltd"})
    assert (renamed.get_json()["code"], renamed.get_json()["name_en"]) == ("GA-2026", "Group A Ltd")


@pytest.mark.parametrize(("form", "field"), [
    ({"name_zh": "甲\x00"}, "name_zh"), ({"name_en": "x" * 201}, "name_en"),
    ({"code": "GB"}, "code"), ({"code": "a b"}, "code"),
])
def test_the_rename_form_shows_each_error_and_changes_nothing(browser, rectify, org, form, field):
    before = _unit(rectify, org.group_a.id)
    data = {"code": "GA", "name_zh": "甲集团", "name_en": "Group A", "kind": "group", **form}
    refused = browser("admin").post(f"/admin/units/{org.group_a.id}", data=data)
    assert refused.status_code == 422
    html = text_of(refused)  # a NUL byte is refused at the edge, naming the field, before the form
    assert re.search(rf'id="{field}"[^\n]*role="alert"', html) or f"{field}: " in html
    after = _unit(rectify, org.group_a.id)
    assert (after.code, after.name_zh, after.name_en) == (before.code, before.name_zh, before.name_en)
