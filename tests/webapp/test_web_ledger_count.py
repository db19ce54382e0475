"""The ledger page's count of matching findings: exact up to a cap, then "more than" the cap, in
both languages; a list that fits on its first page is counted from the page itself."""

from __future__ import annotations

import re

from web_support import text_of

from workflow.models import Finding
from workflow.services import ledger_view
from workflow.services.ledger_sorts import cursor_after

TOTAL = re.compile(r'<b id="ledger-total">([^<]*)</b>')


def test_beyond_the_cap_the_page_says_more_than_the_cap_in_both_languages(browser, driver,
                                                                           rectify, monkeypatch):
    ids = [driver.raise_()["id"] for _ in range(4)]
    with rectify.unit_of_work(write=False) as uow:
        newest = uow.session.get_one(Finding, ids[-1])
        second_page = cursor_after(newest.created_at, newest.id)  # a page after the first
    supervisor = browser("supervisor")

    def total() -> str:
        return TOTAL.search(text_of(supervisor.get("/ledger?cursor=" + second_page))).group(1)

    monkeypatch.setattr(ledger_view, "COUNT_CAP", 4)
    assert total() == "4"  # every page together
    monkeypatch.setattr(ledger_view, "COUNT_CAP", 3)
    assert total() == "超过 3"
    supervisor.post("/language", data={"lang": "en", "next": "/ledger"})
    assert total() == "more than 3"


def test_a_list_on_one_page_is_counted_from_the_page_without_a_count_query(browser, driver,
                                                                           monkeypatch):
    for _ in range(3):
        driver.raise_()
    counted: list[object] = []
    monkeypatch.setattr(ledger_view, "ledger_total", lambda *args, **kw: counted.append(args) or 0)
    page = text_of(browser("supervisor").get("/ledger"))
    assert TOTAL.search(page).group(1) == "3"
    assert counted == []
