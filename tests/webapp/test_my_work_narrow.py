"""My work of a narrow scope (its page and its count) and Waiting on others read the partial
index ix_findings_todo_unit: only the findings of their units that may await someone (open, or a
look-back pending), not every finding of the units (a 集团's handler at 1,000,000 findings on
SQLite: 2,748 of 5,471 findings read; benchmarks/results/2026-11-30-my-work-narrow-scopes.md);
judged in the index alone (0019: covering), not on the findings' rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from db_support import index_definition
from sqlalchemy import event, select, text
from sqlalchemy.orm import joinedload

from workflow.models import Finding, User
from workflow.services import work, work_walk
from workflow.services.waiting import waiting_on_others
from workflow.services.work import my_work

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
# sqlite_stat1 of the 1,000,000-finding benchmark world (benchmarks/bulk.py), taken before
# migrations 0015 and 0016 (no figures for their indexes): the planner chooses as at that size
WORLD_STATISTICS = {
    "findings": {"ix_findings_due_order": "1000000 2294 1", "ix_findings_due_date": "1000000 2294",
                 "ix_findings_is_open": "1000000 500000", "ix_findings_ledger": "1000000 1 1",
                 "ix_findings_state": "1000000 62500", "ix_findings_state_id": "1000000 62500 1",
                 "ix_findings_state_created": "1000000 62500 1 1",
                 "ix_findings_unit_created": "1000000 212 1 1", "ix_findings_unit_id": "1000000 212",
                 "ix_findings_raised_by_unit_id": "1000000 6994",
                 "ix_findings_parent_id": "1000000 1000000", "sqlite_autoindex_findings_1": "1000000 1"},
    "finding_parties": {"ix_finding_parties_finding_id": "137341 2",
                        "ix_finding_parties_unit_id": "137341 961",
                        "sqlite_autoindex_finding_parties_1": "137341 2 2 1"},
    "events": {"ix_events_finding_created": "4629192 5 1", "ix_events_finding_id": "4629192 5"},
    "units": {"ix_units_path": "4928 1", "sqlite_autoindex_units_1": "4928 1"},
}
STATEMENTS = {  # what tells each statement apart in its SQL
    "every match": "SELECT findings.id, coalesce(findings.due_date",
    "the page, beyond the cap": "UNION ALL SELECT anon_2.id",
    "waiting on others": "SELECT findings.id, (SELECT max(events.created_at)",
}


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Both backends: the index is each one's (web tests pin SQLite otherwise)."""
    return str(request.param)


@contextmanager
def statements(engine: Any) -> Iterator[list[tuple[str, Any]]]:
    """The statements sent inside the block, with their parameters."""
    sent: list[tuple[str, Any]] = []

    def note(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_a_narrow_scope_reads_the_todo_findings_by_unit(driver, rectify, org, backend,
                                                        monkeypatch):
    with rectify.database.engine.connect() as conn:
        created = index_definition(conn, "ix_findings_todo_unit")
    assert "(unit_id" in created and "lifecycle, lifecycle_version, state" in created, created
    if backend != "sqlite":  # the unit the key, the rest INCLUDEd, the id too (index-only)
        assert "(unit_id) INCLUDE (" in created and ", id)" in created, created
    assert "lookback_due_date IS NOT NULL" in created, created
    if backend != "sqlite":
        return
    for lifecycle in ("standard", "immediate", "suggestion", "escalation"):
        for state in driver.lifecycle(lifecycle).states:
            driver.bring_to(lifecycle, state.name)
    monkeypatch.setattr(work, "is_wide", lambda breadth: False)
    engine = rectify.database.engine
    with statements(engine) as sent, rectify.unit_of_work(write=False) as uow:
        handler = uow.session.scalars(select(User).where(User.id == org.handler_a.id)
                                      .options(joinedload(User.unit))).one()
        assert len(my_work(uow, handler, limit=1).items) == 1  # every match read at once
        assert len(my_work(uow, handler, limit=1, cap=1).items) == 1  # more than the cap
        assert waiting_on_others(uow.session, uow.registry, handler).items
    with engine.connect() as conn:
        _world_statistics(conn)
        for name, mark in STATEMENTS.items():
            statement, parameters = next(s for s in sent if mark in " ".join(s[0].split()))
            plan = " ".join(row[3] for row in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, parameters))
            assert "SEARCH findings USING COVERING INDEX ix_findings_todo_unit (unit_id=?)" in plan, (
                name, plan)


def _world_statistics(conn: Any) -> None:
    """Give the test database the statistics of the 1M world, and make the planner read them."""
    conn.execute(text("ANALYZE"))
    conn.execute(text("DELETE FROM sqlite_stat1"))
    for table, indexes in WORLD_STATISTICS.items():
        for index, stat in indexes.items():
            conn.execute(text("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (:t, :i, :s)"),
                         {"t": table, "i": index, "s": stat})
    conn.execute(text("ANALYZE sqlite_schema"))


def test_a_window_of_the_walk_stops_at_its_last_match_wanted(rectify, backend):
    """Its matches are read in the window's order, not sorted again (which reads it all)."""
    if backend != "sqlite":
        return
    hits = work_walk._hits(Finding.state == "raised", (date(2026, 1, 1), 7), 3200, 51)
    with rectify.database.engine.connect() as conn:
        plan = " ".join(row[3] for row in conn.execute(text("EXPLAIN QUERY PLAN " + str(
            hits.compile(conn, compile_kwargs={"literal_binds": True})))))
    assert "SEARCH findings USING INDEX ix_findings_todo_due (<expr>>?)" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
