"""The ledger page: several states at once, sortable column headers, saved filters (CSRF, 422s,
another user's refused)."""

from __future__ import annotations

import re
from html import unescape

from test_web_security import assert_csrf_refusal, logged_in_with_csrf
from web_support import text_of


def codes_listed(html: str) -> list[str]:
    return re.findall(r'<tr class="[^"]*">\s*(?:<td class="select".*?</td>\s*)?'
                      r'<td data-label="[^"]+"><a href="/findings/\d+">([^<]+)</a>', html, re.S)


def test_several_states_at_once_list_both_and_keep_both_in_the_links(browser, driver):
    raised = driver.raise_(title="Stays raised")
    assigned = driver.drive(driver.raise_(title="Gets assigned")["id"], "assign")
    third = driver.drive(driver.raise_()["id"], "assign", "request_extension")
    states = [raised["state"], assigned["state"]]
    assert third["state"] not in states
    page = text_of(browser("supervisor").get("/ledger", query_string={"state": states}))
    assert sorted(codes_listed(page)) == sorted([raised["code"], assigned["code"]])
    assert '<b id="ledger-total">2</b>' in page
    for state in states:
        assert f'name="state" value="{state}" checked' in page
    export = unescape(re.search(r'href="(/ledger\.csv[^"]*)"', page).group(1))
    assert all(f"state={state}" in export for state in states)


def test_column_headers_sort_and_toggle_with_aria_sort(browser, driver):
    first, second = driver.raise_(title="First"), driver.raise_(title="Second")
    page = text_of(browser("supervisor").get("/ledger?sort=code&state=" + first["state"]))
    assert codes_listed(page) == sorted([first["code"], second["code"]])
    header = re.search(r'<th scope="col" aria-sort="ascending"><a href="([^"]+)"', page)
    assert "sort=-code" in unescape(header.group(1)) and "state=" in unescape(header.group(1))
    descending = text_of(browser("supervisor").get(unescape(header.group(1))))
    assert codes_listed(descending) == sorted([first["code"], second["code"]], reverse=True)
    assert 'aria-sort="descending"' in descending and 'aria-sort="none"' in descending


def test_saving_a_filter_needs_the_csrf_token_and_is_reapplied_and_deleted(make_app, driver):
    app = make_app(WTF_CSRF_ENABLED=True)
    client, token = logged_in_with_csrf(app, "supervisor")
    form = {"name": "未关闭", "query": "open=1&sort=due&cursor=x"}
    assert_csrf_refusal(app, client.post("/ledger/saved", data=form))
    saved = client.post("/ledger/saved", data={**form, "csrf_token": token})
    assert saved.status_code == 302 and saved.headers["Location"] == "/ledger?open=1&sort=due"
    page = text_of(client.get("/ledger"))
    filter_id = re.search(r'href="/ledger/saved/(\d+)">未关闭</a>', page).group(1)
    assert client.get(f"/ledger/saved/{filter_id}").headers["Location"] == "/ledger?open=1&sort=due"
    other, other_token = logged_in_with_csrf(app, "inspector")
    assert other.get(f"/ledger/saved/{filter_id}").status_code == 403
    assert other.post(f"/ledger/saved/{filter_id}/delete",
                      data={"csrf_token": other_token}).status_code == 403
    assert_csrf_refusal(app, client.post(f"/ledger/saved/{filter_id}/delete"))
    client.post(f"/ledger/saved/{filter_id}/delete", data={"csrf_token": token})
    assert client.get(f"/ledger/saved/{filter_id}").status_code == 404


def test_a_bad_name_or_query_is_a_422_and_nothing_saved(browser):
    supervisor = browser("supervisor")
    for form, field in (({"name": "", "query": "open=1"}, "name"),
                        ({"name": "x" * 41, "query": "open=1"}, "name"),
                        ({"name": "ok", "query": "state=nowhere"}, "state"),
                        ({"name": "ok\x00", "query": "open=1"}, "name"),
                        ({"name": "ok", "query": "q=%00"}, "query")):
        response = supervisor.post("/ledger/saved", data=form)
        assert response.status_code == 422 and f"{field}:" in text_of(response), form
    assert "/ledger/saved/" not in text_of(supervisor.get("/ledger"))
