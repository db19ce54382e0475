"""My work a page at a time (SQLite and PostgreSQL): the ledger's due-date order and cursor, the
pages together are the whole list, and the count is the ledger's: exact up to a cap, then "more
than" the cap, with the per-state counts only when exact."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.test_raising_body import load_user
from workflow.services.ledger_view import LedgerCount
from workflow.services.work import my_work

DAYS = (9, 3, 3, 7, 1)  # due in so many days: two on the same day (the id breaks the tie)


def _raised(flow) -> list[int]:
    """Findings raised and awaiting the inspector's assignment, in their due-date order."""
    today = flow.today()
    due = {flow.raise_(due_date=(today + timedelta(days=d)).isoformat()).id: d for d in DAYS}
    return sorted(due, key=lambda i: (due[i], i))


def test_the_pages_together_are_the_whole_list_in_due_date_order(rectify, org, flow):
    expected = _raised(flow)
    with rectify.unit_of_work(write=False) as uow:
        inspector = load_user(uow, org.inspector.id)
        whole = [f.id for f in my_work(uow, inspector).items]
        seen, cursor, pages = [], None, 0
        for _ in range(4):  # a cursor that leads nowhere would loop: 4 pages at most
            page, pages = my_work(uow, inspector, cursor, limit=2), pages + 1
            assert len(page.items) <= 2 and page.total == LedgerCount(5)
            seen += [f.id for f in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
    assert whole == expected
    assert seen == expected and pages == 3


def test_beyond_the_cap_the_count_is_more_than_the_cap_without_per_state_counts(rectify, org,
                                                                                flow):
    expected = _raised(flow)
    with rectify.unit_of_work(write=False) as uow:
        inspector = load_user(uow, org.inspector.id)
        capped = my_work(uow, inspector, limit=2, cap=3)
        exact = my_work(uow, inspector, limit=2, cap=5)
        listed = [f.id for f in capped.items]
        key = (f"standard@{exact.items[0].lifecycle_version}", "raised")
    assert listed == expected[:2]
    assert capped.total == LedgerCount(3, more=True) and not capped.counts
    assert exact.total == LedgerCount(5) and exact.counts == {key: 5}
