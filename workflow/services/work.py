"""My work (待办): findings in scope where the actor's roles can fire something now (open ones,
and closed ones whose look-back is due)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    and_,
    false,
    func,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session, joinedload

from workflow.guards import GUARDS
from workflow.models import Finding, User
from workflow.services import ledger_view
from workflow.services.ledger_sorts import cursor_after, position, sort_key, sorted_page
from workflow.services.ledger_view import LedgerCount, capped_count
from workflow.services.parties import PARTY_ROLES
from workflow.services.scope import (
    breadth,
    independent_clause,
    load_raising_bodies,
    own_findings_clause,
    party_findings,
    side_clause,
)
from workflow.services.work_walk import candidates, is_wide, walk
from workflow.spec.model import TransitionSpec

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork


PAGE = 50  # findings a page of My work lists, as the ledger's
Kind = tuple[str, int, str]  # lifecycle, version, state
Match = tuple[int, date, str, int, str]  # id, due-order key, Kind
Actionable = tuple[str, int, str, list[TransitionSpec]]  # a Kind, the to-do steps out of it


@dataclass
class WorkList:
    """One page of My work, and how much awaits in all."""

    items: list[Finding] = field(default_factory=list)
    # per (lifecycle key, state): only when the total is exact (not "more than" the cap)
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    total: LedgerCount = LedgerCount(0)
    next_cursor: str | None = None


def actionable_states(uow: UnitOfWork, actor: User) -> list[Actionable]:
    """(lifecycle, version, state, the to-do transitions from it one of the actor's roles
    may fire)."""
    out = []
    for lc in uow.registry.all():
        for state in lc.states:
            todo = [t for t in lc.transitions_from(state.name)
                    if t.todo and actor.role_set.intersection(t.roles)]
            if todo:
                out.append((lc.name, lc.version, state.name, todo))
    return out


def _guards(actor: User, spec: TransitionSpec, today: date) -> list[ColumnElement[bool]]:
    """Those of the transition's guards that have a SQL form (the ones the finding page checks
    before offering it)."""
    return [sql for g in spec.guards if (sql := GUARDS[g.name].sql_for(today, actor)) is not None]


def _from_side(actor: User, found: list[Actionable], today: date, side: str,
               whole: bool) -> ColumnElement[bool] | None:
    """The findings the actor may act on from this side: in an actionable state, with the
    guards of one of its to-do transitions taken from that side. The states are grouped by
    those guards, so the statement stays small (and quick to build, compile and plan) however
    many definitions and versions there are. No plain `state IN (...)` beside them: it repeats
    the states, and PostgreSQL, multiplying the two as if independent, judged the scope's
    matches a few and joined the raising bodies by a nested loop (the city reviewer's count)."""
    grouped: dict[str, tuple[list[ColumnElement[bool]], list[tuple[str, int, str]]]] = {}
    for name, version, state, todo in found:
        for spec in todo:
            if side in spec.sides:
                key = repr([(g.name, sorted(g.params.items())) for g in spec.guards])
                grouped.setdefault(key, (_guards(actor, spec, today), []))[1].append(
                    (name, version, state))
    if not grouped:
        return None
    in_state = tuple_(Finding.lifecycle, Finding.lifecycle_version, Finding.state)
    arms = [and_(in_state.in_(sorted(set(states))), *guards) for guards, states in grouped.values()]
    taken = (side_clause(actor, side) if side in PARTY_ROLES
             else independent_clause(actor, side, whole))
    return and_(taken, or_(*arms))


def work_clauses(uow: UnitOfWork, actor: User, found: list[Actionable] | None = None,
                 whole: bool = False) -> list[ColumnElement[bool]]:
    """My work as WHERE clauses on Finding whose matches do not overlap, each with a driving
    condition an index serves: the findings in the actor's scope its roles may act on from the
    responsible or inspecting side, and (the rest) those its own unit is a party of and may act
    on as that party. A party side implies the scope (the actor's unit is in its subtree), and
    the others contain it: no other scope test is needed. whole: the actor's scope holds every
    unit (scope.Breadth), so no unit test is needed either."""
    found = actionable_states(uow, actor) if found is None else found
    today = uow.today()
    sides = sorted({side for *_, todo in found for t in todo for side in t.sides})
    by_side = {side: clause for side in sides
               if (clause := _from_side(actor, found, today, side, whole)) is not None}
    own_sides = [c for side, c in by_side.items() if side not in PARTY_ROLES]
    party_sides = [c for side, c in by_side.items() if side in PARTY_ROLES]
    own = and_(own_findings_clause(actor, whole=whole), or_(*own_sides)) if own_sides else None
    clauses = [own] if own is not None else []
    if party_sides:
        not_own = [] if own is None else [~func.coalesce(own, false())]  # NULL counts as no
        clauses.append(and_(Finding.id.in_(party_findings(actor)), or_(*party_sides), *not_own))
    return clauses


def my_work(uow: UnitOfWork, actor: User, cursor: str | None = None, limit: int = PAGE,
            cap: int | None = None) -> WorkList:
    """One page, soonest deadline first (undated last: the ledger's due-date order and cursor,
    whose index each part walks, or a wide scope work_walk's; pass next_cursor back for the
    next page), and how much awaits, counted as the ledger counts: up to `cap` (beyond, "more
    than"), per (lifecycle, state) when exact; the first page, when it holds everything, is
    the count."""
    found, cap = actionable_states(uow, actor), ledger_view.COUNT_CAP if cap is None else cap
    if not found:
        return WorkList()
    reach = breadth(uow.session, actor)
    clauses = work_clauses(uow, actor, found, reach.whole)
    if not clauses:
        return WorkList()
    if walkable(uow, found):  # every finding listed is a candidate: read them by that index
        clauses = [and_(candidates(), c) for c in clauses]
    wide = walkable(uow, found) and is_wide(reach)
    every = None if wide else _every_match(uow.session, clauses, cap)
    items, next_cursor = _page(uow.session, clauses, cursor, limit, wide, every)
    load_raising_bodies(uow.session, items)  # the page's buttons judge independence by them
    if cursor is None and next_cursor is None:  # the whole list: exact, whatever the cap
        kinds = Counter((f.lifecycle, f.lifecycle_version, f.state) for f in items)
        total = LedgerCount(kinds.total())
    elif not wide:  # counted by _every_match
        kinds = Counter(match[2:] for match in every or [])
        total = LedgerCount(cap, more=True) if every is None else LedgerCount(len(every))
    else:
        kinds = _kinds(uow.session, clauses, cap)
        total = capped_count(kinds.total(), cap)
    counts = Counter() if total.more else Counter(
        {(f"{n}@{v}", s): count for (n, v, s), count in kinds.items()})
    return WorkList(items, counts, total, next_cursor)


def walkable(uow: UnitOfWork, found: list[Actionable]) -> bool:
    """Whatever the actor may act on is open or has a look-back due (the walk's candidates): a
    closed finding awaits only a look-back (a to-do step out of a final state guarded by
    lookback_due)."""
    return all(any(g.name == "lookback_due" for g in t.guards)
               for name, version, state, todo in found
               if uow.registry.get(name, version).is_final(state) for t in todo)


def _every_match(session: Session, clauses: list[ColumnElement[bool]],
                 cap: int) -> list[Match] | None:
    """Every finding a narrow scope's clauses match, with its due-order key and kind, when
    they are `cap` at most (None: more). Its page and its count are then found in them: the
    scope's candidates are read once, not once for each (a 集团's 2,748 candidates at 1,000,000
    findings on SQLite: about 8 ms a reading, mostly their rows' pages)."""
    key = sort_key("due")
    matched = union_all(*[select(Finding.id, key.label("sort_key"), Finding.lifecycle,
                                 Finding.lifecycle_version, Finding.state).where(c)
                          for c in clauses]).limit(cap + 1)
    rows = [(i, k, name, version, state)
            for i, k, name, version, state in session.execute(matched)]
    return rows if len(rows) <= cap else None


def _page(session: Session, clauses: list[ColumnElement[bool]], cursor: str | None,
          limit: int, wide: bool, every: list[Match] | None) -> tuple[list[Finding], str | None]:
    """The findings after the cursor in due-date order, at most `limit`, and the next cursor:
    a wide scope walks the candidates in that order, a narrow one sorts its own (every match,
    when they are known, in Python)."""
    ids: list[int] | CompoundSelect[Any]
    if every is not None:
        after = None if cursor is None else position("due", cursor)
        ids = [i for k, i in sorted((k, i) for i, k, *_ in every)
               if after is None or (k, i) > after][:limit + 1]
    elif not wide:
        ids = _sorted_ids(clauses, cursor, limit + 1)
    else:
        ids, rest = walk(session, or_(*clauses), cursor, limit + 1)
        if rest is not None:
            ids += session.scalars(_sorted_ids(clauses, rest, limit + 1 - len(ids))).all()
    query = sorted_page(select(Finding).where(Finding.id.in_(ids))
                        .options(joinedload(Finding.unit)), "due", Finding, None)
    rows = session.execute(query.limit(limit + 1)).all()
    items = [row[0] for row in rows[:limit]]
    if len(rows) <= limit:
        return items, None
    return items, cursor_after(rows[limit - 1].sort_key, items[-1].id)


def _sorted_ids(clauses: list[ColumnElement[bool]], cursor: str | None,
                limit: int) -> CompoundSelect[Any]:
    """The ids of the first `limit` findings after the cursor that the clauses match, each
    clause's read in due order apart."""
    arms = [sorted_page(select(Finding.id).where(c), "due", Finding, cursor).limit(limit)
            .subquery() for c in clauses]
    return union_all(*[select(arm.c.id) for arm in arms])


def _kinds(session: Session, clauses: list[ColumnElement[bool]], cap: int) -> Counter[Kind]:
    """How many findings await, by (lifecycle, version, state), up to cap + 1 of them: counted
    in SQL (the rows counted never reach Python: 1,001 of them cost about 2 ms to fetch)."""
    matched = union_all(*[select(Finding.lifecycle, Finding.lifecycle_version, Finding.state)
                          .where(c) for c in clauses]).limit(cap + 1).subquery()
    by_kind = select(matched.c.lifecycle, matched.c.lifecycle_version, matched.c.state,
                     func.count()).group_by(matched.c.lifecycle, matched.c.lifecycle_version,
                                            matched.c.state)
    return Counter({(name, version, state): count
                    for name, version, state, count in session.execute(by_kind)})
