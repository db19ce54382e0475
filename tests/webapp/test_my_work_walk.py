"""My work of a wide scope walks the findings that may await someone in due order (SQLite and
PostgreSQL): on findings in every state with random due dates (ties and undated ones among them),
the walked pages, taken to the end, are exactly the list a narrow scope's statement reads and
sorts, for every user; so are they when the walk gives up early and the rest is read the narrow
way. Which scope walks, and the index the walk reads."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from db_support import index_definition
from sqlalchemy import select, text, update
from sqlalchemy.orm import joinedload

from tests.webapp.test_my_work_agrees import _with_parties
from workflow.models import Finding, User
from workflow.services import work, work_walk
from workflow.services.scope import breadth, units_outside
from workflow.services.waiting import waiting_on_others
from workflow.services.work import my_work

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Both backends: the walk's plan is each planner's (web tests pin SQLite otherwise)."""
    return str(request.param)


@pytest.fixture
def every_state(driver, rectify, org, flow):
    """A finding in each state of each lifecycle, the party sides, and random due dates."""
    for lifecycle in ("standard", "immediate", "suggestion", "escalation"):
        for state in driver.lifecycle(lifecycle).states:
            driver.bring_to(lifecycle, state.name)
    _with_parties(driver, org)
    rng, today = random.Random(11), flow.today()
    with rectify.unit_of_work() as uow:
        for finding_id in uow.session.scalars(select(Finding.id)):
            days = rng.choice([None, -30, -2, 0, 0, 3, 3, 40])  # undated, overdue, ties
            due = None if days is None else today + timedelta(days=days)
            uow.session.execute(update(Finding).where(Finding.id == finding_id)
                                .values(due_date=due))
        uow.commit()


def _pages(rectify, user_id: int, limit: int, cap: int | None = None) -> list[int]:
    """Every page of the user's My work, `limit` a page, from the first to the last."""
    seen: list[int] = []
    cursor = None
    with rectify.unit_of_work(write=False) as uow:
        user = uow.session.scalars(select(User).where(User.id == user_id)
                                   .options(joinedload(User.unit))).one()
        for _ in range(200):
            page = my_work(uow, user, cursor, limit=limit, cap=cap)
            seen += [f.id for f in page.items]
            cursor = page.next_cursor
            if cursor is None:
                return seen
    raise AssertionError("the cursor never ends")


@pytest.mark.parametrize(("first_step", "walk_at_most"), [(200, 20_000), (1, 3)])
def test_walked_pages_are_the_sorted_list_for_every_user(rectify, org, every_state, monkeypatch,
                                                         first_step, walk_at_most):
    monkeypatch.setattr(work_walk, "FIRST_STEP", first_step)  # (1, 3): the walk gives up after
    monkeypatch.setattr(work_walk, "WALK", walk_at_most)  # three candidates, the rest is sorted
    listed = 0
    for user in org.users.values():
        monkeypatch.setattr(work, "is_wide", lambda breadth: False)
        sorted_ = _pages(rectify, user.id, limit=10_000)
        assert _pages(rectify, user.id, limit=3) == sorted_, user.username  # from every match
        assert _pages(rectify, user.id, limit=3, cap=2) == sorted_, user.username  # sorted in SQL
        narrow = _counts(rectify, user.id)
        monkeypatch.setattr(work, "is_wide", lambda breadth: True)
        assert _pages(rectify, user.id, limit=3) == sorted_, user.username
        assert _pages(rectify, user.id, limit=10_000) == sorted_, user.username
        assert _counts(rectify, user.id) == narrow, user.username
        listed += len(sorted_)
    assert listed > 2 * len(org.users)


def _counts(rectify, user_id: int) -> list[tuple[object, object]]:
    """The count and the per-state counts of the user's second page, exact and capped at 2."""
    with rectify.unit_of_work(write=False) as uow:
        user = uow.session.get_one(User, user_id)
        pages = [my_work(uow, user, my_work(uow, user, limit=1).next_cursor, limit=1, cap=cap)
                 for cap in (1000, 2)]
        return [(page.total, dict(page.counts)) for page in pages]


def test_a_scope_is_wide_from_a_fiftieth_of_the_units(rectify, org, monkeypatch):
    with rectify.unit_of_work(write=False) as uow:
        def wide(user):
            return work_walk.is_wide(breadth(uow.session, uow.session.get_one(User, user.id)))

        assert all(wide(user) for user in org.users.values())  # 7 units: each holds 1/50
        monkeypatch.setattr(work_walk, "WIDE", 2)  # wide: at least half of the 7 units
        assert [u.username for u in org.users.values() if wide(u)] == [
            "admin", "supervisor", "inspector", "reviewer"]


def test_the_walk_reads_the_partial_index_from_the_cursor_on(rectify, backend):
    with rectify.database.engine.connect() as conn:
        created = index_definition(conn, "ix_findings_todo_due")
    assert "lookback_due_date IS NOT NULL" in created and "is_open" in created, created
    if backend != "sqlite":
        return
    step = work_walk._candidates(Finding.state == "raised", (date(2026, 1, 1), 7)).limit(5)
    with rectify.database.engine.connect() as conn:
        plan = " ".join(row[3] for row in conn.execute(text("EXPLAIN QUERY PLAN " + str(
            step.compile(conn, compile_kwargs={"literal_binds": True})))))
    assert "SEARCH findings USING INDEX ix_findings_todo_due (<expr>>?)" in plan, plan


def test_nothing_waits_on_others_for_a_scope_without_units_outside(rectify, org, flow):
    """The responsible side needs a raising body outside the actor's subtree: at the top of
    the tree there is none (so the list is not looked for), below it there are."""
    flow.drive(flow.raise_().id, "assign", "report_rectification")  # group A's, awaiting
    with rectify.unit_of_work(write=False) as uow:
        def outside(user):
            return units_outside(uow.session, uow.session.get_one(User, user.id))

        assert not outside(org.supervisor) and not outside(org.admin)
        assert outside(org.inspector) and outside(org.handler_a) and outside(org.handler_a1)
        handler_a = uow.session.get_one(User, org.handler_a.id)
        assert len(waiting_on_others(uow.session, uow.registry, handler_a).items) == 1
