"""Migration 0011 back-fills the facts of each finding's history (services.ledger_facts) from its
events, on SQLite and PostgreSQL: an upgraded database holds what the engine would have kept."""

from __future__ import annotations

from sqlalchemy import inspect, select

from workflow.models import Finding
from workflow.services.comments import add_comment
from workflow.services.ledger_facts import EMPTY_FACTS

FACTS = [getattr(Finding, name) for name in EMPTY_FACTS]


def facts(rectify) -> dict[int, tuple]:
    with rectify.unit_of_work(write=False) as uow:
        return {row[0]: tuple(row[1:]) for row in uow.session.execute(
            select(Finding.id, *FACTS).order_by(Finding.id))}


def test_an_0010_database_upgrades_with_the_facts_its_events_give(rectify, org, flow):
    flow.raise_()
    reworked = flow.drive(flow.raise_(due_date=flow.today().isoformat()).id, "assign",
                          "report_rectification", "revisit", "reject", "request_extension",
                          "approve_extension").id
    with rectify.unit_of_work() as uow:
        add_comment(uow, org.handler_a, reworked, "Not a step")
    kept = facts(rectify)
    assert kept[reworked][0] and kept[reworked][1].count("],[") == 2 and kept[reworked][2]
    rectify.database.downgrade("0010_stats_facts")
    try:
        columns = {c["name"] for c in inspect(rectify.database.engine).get_columns("findings")}
        assert columns.isdisjoint(EMPTY_FACTS)
    finally:
        rectify.database.upgrade("head")
    assert facts(rectify) == kept
