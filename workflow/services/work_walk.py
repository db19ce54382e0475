"""My work for a wide scope: its page read by walking the findings that may await someone (open,
or closed with a look-back pending) in due order, through the partial index ix_findings_todo_due
(migration 0015), and stopping at the page's end, instead of reading and sorting every finding
of the scope. A narrow scope reads its own units' findings: the walk would pass over most."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, func, literal, or_, select, true
from sqlalchemy.orm import Session

from workflow.models import Finding, Unit, User
from workflow.services.ledger_sorts import cursor_after, position, sort_key
from workflow.services.scope import units_clause

WIDE = 50  # a scope holding at least 1/WIDE of the units walks
WALK = 20_000  # candidates walked at most; the findings after them are read the narrow way
FIRST_STEP = 200  # candidates read by the walk's first statement


def candidates() -> ColumnElement[bool]:
    """The findings that may await someone: open, or a look-back pending (the predicate of
    ix_findings_todo_due, written as the index writes it)."""
    return or_(Finding.is_open == true(), Finding.lookback_due_date.is_not(None))


def is_wide(session: Session, actor: User) -> bool:
    """At least 1/WIDE of the units lie in the actor's scope. The walk reads about PAGE / (that
    share × the share of the scope's open findings the actor may act on) candidates, whatever
    the number of findings; the narrow way reads every finding of the scope, a number that
    grows with them. At 1,000,000 findings a city's scope (a thirteenth of the units) is four
    times faster walked; at 100,000 it is a third slower (benchmarks/results/
    2026-11-30-my-work-wide-scopes.md)."""
    query = select(func.count(), func.count().filter(units_clause(actor))).select_from(Unit)
    units, in_scope = session.execute(query).one()
    return bool(in_scope * WIDE >= units)


def walk(session: Session, clause: ColumnElement[bool], cursor: str | None,
         limit: int) -> tuple[list[int], str | None]:
    """The ids of the first `limit` candidates after the cursor, in due order, that `clause`
    matches, among the next WALK candidates; and, when those held fewer, the cursor after the
    last one walked (None: there is nothing more to find). The candidates are read in steps
    growing fourfold, each an index walk from where the last stopped (the clause is only
    judged, never a way in)."""
    after, ids = None if cursor is None else position("due", cursor), []
    step, walked = FIRST_STEP, 0
    while walked < WALK:
        step = min(step, WALK - walked)
        rows = session.execute(_candidates(clause, after).limit(step)).all()
        ids += [row.id for row in rows if row.hit]
        if len(ids) >= limit or len(rows) < step:
            return ids[:limit], None
        after, walked, step = (rows[-1].sort_key, rows[-1].id), walked + step, step * 4
    return ids, None if after is None else cursor_after(*after)


def _candidates(clause: ColumnElement[bool], after: tuple[date, int] | None) -> Select[Any]:
    """The candidates after (sort key, id) in due order, with whether `clause` matches each.
    Written so that both planners start the index walk there (key >= the last key: SQLite
    does not seek a row comparison on an expression index)."""
    key = sort_key("due")
    query = select(Finding.id, key.label("sort_key"), clause.label("hit")).where(candidates())
    if after is not None:
        last_key = literal(after[0], Date)
        query = query.where(key >= last_key, or_(key > last_key, Finding.id > after[1]))
    return query.order_by(key, Finding.id)
