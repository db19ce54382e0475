"""The one set of findings every statistic reads: live, or as they stood at a past moment."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Column, MetaData, Subquery, Table, select
from sqlalchemy.orm import Session

from workflow.models import Finding, User
from workflow.services.as_of import findings_as_of
from workflow.services.scope import answered_clause, own_findings_clause, subtree_clause
from workflow.services.stats_args import StatsQuery
from workflow.services.stats_facts import FACTS
from workflow.spec import Registry

# Columns that never change after raising, always read from the findings table.
_FIXED = ("id", "lifecycle", "lifecycle_version", "campaign_id", "category", "raised_by_id",
          "created_at", "recurrence_of_id")
# Columns that move with the finding: from the table (live) or from findings_as_of (past).
MOVING = ("state", "is_open", "unit_id", "due_date", "rework_rounds", "rectified_at",
          "closed_at", "last_seq")

# What the dashboard's board reads besides (services.stats_board), live only: not rebuilt as of.
BOARD = ("review_due_date", "acknowledge_due_date", "acknowledged_at", "overdue_level")


def findings_source(session: Session, actor: User, registry: Registry,
                    query: StatsQuery) -> Subquery:
    """A subquery with the columns _FIXED + MOVING + rectified_on (live: and the stored FACTS
    and BOARD) of the findings the actor answers for (its unit, then, in the actor's scope) that
    match the filters (raised in the period; by query.as_of, then with their state, unit, due date... as
    of that moment)."""
    fixed = [getattr(Finding, name) for name in _FIXED]
    if query.as_of is None:
        moving: Any = Finding
        rectified_on: Any = Finding.rectified_on
        select_from = select(*fixed, *[getattr(Finding, n) for n in MOVING], rectified_on,
                             *[getattr(Finding, n) for n in FACTS],  # services.stats_stored
                             *[getattr(Finding, n) for n in BOARD])
    else:
        past = findings_as_of(registry, query.as_of, query.zone)
        moving = past.c
        rectified_on = past.c.rectified_on  # the report's local date as of then
        fixed = [past.c.lifecycle_version if name == "lifecycle_version"
                 else getattr(Finding, name) for name in _FIXED]  # migrated since, maybe
        select_from = (select(*fixed, *[getattr(moving, n) for n in MOVING],
                              rectified_on.label("rectified_on"))
                       .join(past, past.c.id == Finding.id))
    if query.as_of is None:
        where = [answered_clause(session, actor, query.unit_id)]
    else:  # its unit then, as the ledger's scope (and the actor's now: own_findings_clause)
        where = [own_findings_clause(actor, moving.unit_id)]
        if query.unit_id is not None:
            where.append(subtree_clause(session, query.unit_id, moving.unit_id))
    for column, value in ((Finding.campaign_id, query.campaign_id),
                          (Finding.category, query.category),
                          (Finding.raised_by_id, query.raised_by),
                          (Finding.lifecycle, query.lifecycle)):
        if value is not None:
            where.append(column == value)
    if (after := query.raised_after()) is not None:
        where.append(Finding.created_at >= after)
    if (before := query.raised_before()) is not None:
        where.append(Finding.created_at < before)
    return select_from.where(*where).subquery("counted_findings")



@contextmanager
def kept_rows(session: Session, source: Subquery) -> Iterator[Any]:
    """What the statistics' passes read: on SQLite the source's rows copied once into a
    temporary table, dropped on leaving (nine passes over a subtree's findings read their wide,
    scattered rows nine times; the copy holds only these columns, together); elsewhere the
    source itself (PostgreSQL reads it in one GROUPING SETS pass, and caches its pages)."""
    if session.get_bind().dialect.name != "sqlite":
        yield source
        return
    table = Table("counted_findings_kept", MetaData(),
                  *[Column(c.name, c.type) for c in source.c], prefixes=["TEMPORARY"])
    conn = session.connection()
    table.drop(conn, checkfirst=True)  # a pooled connection keeps its temporary tables
    table.create(conn)
    try:
        conn.execute(table.insert().from_select(list(source.c.keys()), select(source)))
        yield table
    finally:
        table.drop(conn)
