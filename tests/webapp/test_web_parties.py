"""Parties on the finding page and in the API (v3): the co-responsible unit's handler sees the
finding, its part and the one form that is theirs; the API lists parties with unit, part and
whether it is done; the page and the API refuse what is not the party's."""

from __future__ import annotations

from typing import Any

import pytest
from web_support import assert_error, text_of

pytestmark = pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])


def _shared(driver: Any, org: Any) -> dict[str, Any]:
    finding = driver.bring_to("standard", "assigned")
    response = driver.fire(finding["id"], "add_co_responsible", org.inspector,
                           {"unit": org.group_b.id, "part": "Clear the shared corridor"})
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def test_the_api_lists_the_parties_and_the_party_sees_its_step(driver, api, org):
    finding = _shared(driver, org)
    seen = api.get(f"/api/v1/findings/{finding['id']}", org.handler_b).get_json()
    assert seen["parties"] == [{"role": "co_responsible", "done": False,
                                "part": "Clear the shared corridor",
                                "unit": {"id": org.group_b.id, "code": "GB", "name": "乙集团"}}]
    assert [t["trigger"] for t in seen["transitions"]] == ["report_part"]
    listed = api.get("/api/v1/findings?limit=500", org.handler_b).get_json()["items"]
    assert [item["id"] for item in listed] == [finding["id"]]
    refused = assert_error(api.post(
        f"/api/v1/findings/{finding['id']}/transitions/report_rectification", org.handler_b,
        json={"version": finding["version"], "payload": {"measures": "Cleared it all"}}), 403)
    assert refused["message"] == ("本单位只作为该问题的协办方（受理、牵头或配合单位）参与，"
                                  "此操作不由本单位办理。")
    done = driver.fire(finding["id"], "report_part", org.handler_b,
                       {"measures": "Corridor cleared on our side"})
    assert done.status_code == 200, done.get_json()
    after = api.get(f"/api/v1/findings/{finding['id']}", org.handler_b).get_json()
    assert after["parties"][0]["done"] is True and after["transitions"] == []


def test_the_page_shows_the_parties_and_only_the_partys_form(driver, browser, org):
    finding = _shared(driver, org)
    page = text_of(browser("handler_b").get(f"/findings/{finding['id']}"))
    assert "配合单位" in page and "Clear the shared corridor" in page and "未报送" in page
    assert 'id="form-report_part"' in page
    assert 'id="form-report_rectification"' not in page and 'id="form-acknowledge"' not in page
    own = text_of(browser("handler_a").get(f"/findings/{finding['id']}"))
    assert 'id="form-report_rectification"' in own and 'id="form-report_part"' not in own


def test_the_page_shows_the_addressed_and_the_lead_body(driver, browser, org):
    finding = driver.bring_to("escalation", "coordinating")
    page = text_of(browser("supervisor").get(f"/findings/{finding['id']}"))
    assert "上报至" in page and "牵头单位" in page
    assert 'class="party-addressee">纪委监委' in page and 'class="party-lead">纪委监委' in page
    assert 'id="form-complete_coordination"' in page
