"""My work for a wide scope: its page read by walking the findings that may await someone (open,
or closed with a look-back pending) in due order, through the partial index ix_findings_todo_due
(migration 0015), and stopping at the page's end, instead of reading and sorting every finding
of the scope. A narrow scope reads its own units' findings: the walk would pass over most."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, case, false, literal, or_, select, true
from sqlalchemy.orm import Session

from workflow.models import Finding
from workflow.services.ledger_sorts import cursor_after, position, sort_key
from workflow.services.scope import Breadth

WIDE = 50  # a scope holding at least 1/WIDE of the units walks
WALK = 20_000  # candidates walked at most; the findings after them are read the narrow way
FIRST_STEP = 1000  # candidates in the walk's first window: as a window stops at its last
# match wanted, a larger one reads no more rows, and saves statements (each builds the scope's
# unit lists again: 3.7 ms for the province's at 1,000,000 findings on SQLite)


def candidates() -> ColumnElement[bool]:
    """The findings that may await someone: open, or a look-back pending (the predicate of
    ix_findings_todo_due, written as the index writes it)."""
    return or_(Finding.is_open == true(), Finding.lookback_due_date.is_not(None))


def is_wide(breadth: Breadth) -> bool:
    """At least 1/WIDE of the units lie in the actor's scope. The walk reads about PAGE / (that
    share × the share of the scope's open findings the actor may act on) candidates, whatever
    the number of findings; the narrow way reads every finding of the scope, a number that
    grows with them. At 1,000,000 findings a city's scope (a thirteenth of the units) is four
    times faster walked; at 100,000 it is a third slower (benchmarks/results/
    2026-11-30-my-work-wide-scopes.md)."""
    return breadth.in_scope * WIDE >= breadth.units


def walk(session: Session, clause: ColumnElement[bool], cursor: str | None,
         limit: int) -> tuple[list[int], str | None]:
    """The ids of the first `limit` candidates after the cursor, in due order, that `clause`
    matches, among the next WALK candidates; and, when those held fewer, the cursor after the
    last one walked (None: there is nothing more to find). The candidates are read in windows
    growing fourfold, each an index walk from where the last stopped (the clause is only
    judged, never a way in) that stops at the last match wanted; the window's end is looked
    up apart, only when the walk goes on past it (the last window of the province supervisor's
    page at 1,000,000 findings: 38 -> 9.5 ms, stopping at its 37th match of 3,200)."""
    after = None if cursor is None else position("due", cursor)
    ids: list[int] = []
    step, walked = FIRST_STEP, 0
    while walked < WALK:
        step = min(step, WALK - walked)
        ids += session.scalars(_hits(clause, after, step, limit - len(ids))).all()
        end = None if len(ids) >= limit else session.execute(
            _walked(after).offset(step - 1).limit(1)).first()
        if end is None:  # the page is full, or fewer than `step` candidates were left
            return ids, None
        after, walked, step = (end.sort_key, end.id), walked + step, step * 4
    return ids, None if after is None else cursor_after(*after)


def _hits(clause: ColumnElement[bool], after: tuple[date, int] | None, step: int,
          wanted: int) -> Select[Any]:
    """The ids of the first `wanted` matches among the next `step` candidates, in due order.
    No ORDER BY outside the window: both planners read the window in its own order (SQLite a
    co-routine, PostgreSQL a subquery scan of the limited index scan) and stop at the last
    match wanted; sorting it again would read the whole window first."""
    window = _candidates(clause, after).limit(step).subquery()
    return select(window.c.id).where(window.c.hit).limit(wanted)


def _candidates(clause: ColumnElement[bool], after: tuple[date, int] | None) -> Select[Any]:
    """The candidates after (sort key, id) in due order, with whether `clause` matches each:
    judged in a CASE, whose condition stops at its first false AND term or true OR term as a
    WHERE does. SQLite (3.40) computes every operand of an AND or OR that is a selected value,
    so every arm of the clause, subqueries included, on every candidate: the first window of
    the province supervisor's page at 1,000,000 findings took 11.0 ms, 2.7 in a CASE."""
    return _walked(after).add_columns(case((clause, true()), else_=false()).label("hit"))


def _walked(after: tuple[date, int] | None) -> Select[Any]:
    """The candidates after (sort key, id) in due order: their ids and sort keys. Written so
    that both planners start the index walk there (key >= the last key: SQLite does not seek
    a row comparison on an expression index)."""
    key = sort_key("due")
    query = select(Finding.id, key.label("sort_key")).where(candidates())
    if after is not None:
        last_key = literal(after[0], Date)
        query = query.where(key >= last_key, or_(key > last_key, Finding.id > after[1]))
    return query.order_by(key, Finding.id)
