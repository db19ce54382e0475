"""The search page: the box in every page's top bar, an exact code jumps to the finding (only
one the user may see), results grouped within scope, and bad queries answered 422 naming q."""

from __future__ import annotations

from urllib.parse import quote

import pytest


def test_the_search_box_is_in_the_top_bar_and_an_exact_code_jumps_to_it(browser, flow, org):
    finding = flow.raise_(title="Sprinkler valve closed", unit=org.group_a.id)
    inspector = browser("inspector")
    assert 'class="menu-search"' in inspector.get("/ledger").get_data(as_text=True)
    jump = inspector.get(f"/search?q={finding.code}")
    assert jump.status_code == 302
    assert jump.headers["Location"].endswith(f"/findings/{finding.id}")
    listed = inspector.get("/search?q=sprinkler").get_data(as_text=True)
    assert f"/findings/{finding.id}" in listed and 'id="search-units"' in listed
    # someone who may not see it: no jump, nothing listed
    outsider = browser("handler_b")
    page = outsider.get(f"/search?q={finding.code}")
    assert page.status_code == 200
    assert f"/findings/{finding.id}" not in page.get_data(as_text=True)


@pytest.mark.parametrize("q", ["a%00b", "%C2%85", "x" * 10_000])
def test_bad_queries_are_refused_with_422_naming_q(browser, q):
    response = browser("inspector").get(f"/search?q={q}")
    assert response.status_code == 422
    assert "q: " in response.get_data(as_text=True)


def test_an_empty_query_shows_the_empty_page(browser):
    response = browser("handler_a").get(f"/search?q={quote('  ')}")
    assert response.status_code == 200
    assert 'id="search-findings"' not in response.get_data(as_text=True)


def test_the_api_answers_the_same_search(api, flow, org):
    finding = flow.raise_(title="Sprinkler valve closed", unit=org.group_a.id)
    body = api.get("/api/v1/search?q=sprinkler", org.handler_a).get_json()
    assert [hit["label"] for hit in body["findings"]["items"]] == [finding.code]
    assert api.get(f"/api/v1/search?q={finding.code}", org.handler_a).get_json()["exact"]["id"] \
        == finding.id
    outsider = api.get(f"/api/v1/search?q={finding.code}", org.handler_b).get_json()
    assert outsider["exact"] is None and outsider["findings"]["items"] == []
    refused = api.get("/api/v1/search?q=a%00b", org.handler_a)
    assert refused.status_code == 422 and "q" in refused.get_json()["errors"]
