"""The My work page: statements that do not grow with its rows, a page at a time, and the count
as the ledger says it (exact up to a cap, then "more than" the cap) in both languages."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import event as sa_event
from sqlalchemy import update
from web_support import text_of

from workflow.models import Finding
from workflow.services import ledger_view
from workflow.services.ledger_sorts import cursor_after

TOTAL = re.compile(r'<small id="work-total">([^<]*)</small>')


def _awaiting_confirm(driver, rectify, n: int) -> list[int]:
    """Findings awaiting the reviewer's confirm (a step with a guard that reads the database),
    marked not acknowledged, as the bulk world has them: the row then asks may_fire about
    'acknowledge', a step their state does not have."""
    ids = [driver.bring_to("standard", "revisited")["id"] for _ in range(n)]
    with rectify.unit_of_work() as uow:
        uow.session.execute(update(Finding).where(Finding.id.in_(ids)).values(
            acknowledge_due_date=date(2030, 1, 1), acknowledged_at=None))
        uow.commit()
    return ids


def test_my_work_sends_as_many_statements_for_four_rows_as_for_one(browser, driver, rectify):
    reviewer = browser("reviewer")

    def statements() -> tuple[int, str]:
        reviewer.get("/work")  # warm: the same session work before each count
        sent: list[str] = []

        def tally(conn, cursor, statement, *rest):
            sent.append(statement)

        sa_event.listen(rectify.database.engine, "before_cursor_execute", tally)
        try:
            page = text_of(reviewer.get("/work"))
        finally:
            sa_event.remove(rectify.database.engine, "before_cursor_execute", tally)
        return len(sent), page

    first = _awaiting_confirm(driver, rectify, 1)
    one, _ = statements()
    more = _awaiting_confirm(driver, rectify, 3)
    four, page = statements()
    assert all(f'name="version-{i}"' not in page and f"/findings/{i}\"" in page
               for i in first + more)
    assert four == one


def test_the_page_pages_and_beyond_the_cap_says_more_than_it(browser, driver, rectify,
                                                              monkeypatch):
    ids = [driver.raise_()["id"] for _ in range(4)]  # the inspector assigns them
    with rectify.unit_of_work(write=False) as uow:
        first = min((uow.session.get_one(Finding, i) for i in ids),
                    key=lambda f: (f.due_date or date.max, f.id))  # undated last
        first_id, second_page = first.id, cursor_after(first.due_date or date.max, first.id)
    inspector = browser("inspector")

    def total(path: str) -> str:
        return TOTAL.search(text_of(inspector.get(path))).group(1)

    monkeypatch.setattr(ledger_view, "COUNT_CAP", 4)
    assert total("/work") == "待您办理 4 项"
    assert total("/work?cursor=" + second_page) == "待您办理 4 项"  # every page together
    monkeypatch.setattr(ledger_view, "COUNT_CAP", 3)
    assert total("/work?cursor=" + second_page) == "待您办理 超过 3 项"
    assert f"/findings/{first_id}\"" not in text_of(inspector.get("/work?cursor=" + second_page))
    assert total("/work?cursor=not-a-cursor") == "待您办理 4 项"  # an old link: the first page
    inspector.post("/language", data={"lang": "en", "next": "/work"})
    assert total("/work?cursor=" + second_page) == "more than 3 awaiting you"
