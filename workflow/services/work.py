"""My work (待办): findings in scope where the actor's roles can fire something now (open ones,
and closed ones whose look-back is due)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, false, func, or_, select, tuple_, union_all
from sqlalchemy.orm import joinedload

from workflow.guards import GUARDS
from workflow.models import Finding, User
from workflow.services.ledger_sorts import sort_key
from workflow.services.parties import PARTY_ROLES
from workflow.services.scope import (
    independent_clause,
    load_raising_bodies,
    own_findings_clause,
    party_findings,
    side_clause,
)
from workflow.spec.model import TransitionSpec

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork


@dataclass
class WorkList:
    items: list[Finding] = field(default_factory=list)
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)  # (lifecycle key, state)
    total: int = 0


def actionable_states(uow: UnitOfWork,
                      actor: User) -> list[tuple[str, int, str, list[TransitionSpec]]]:
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


def _from_side(actor: User, found: list[tuple[str, int, str, list[TransitionSpec]]],
               today: date, side: str) -> ColumnElement[bool] | None:
    """The findings the actor may act on from this side: in an actionable state, with the
    guards of one of its to-do transitions taken from that side. The states are grouped by
    those guards, so the statement stays small (and quick to build, compile and plan) however
    many definitions and versions there are."""
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
    taken = side_clause(actor, side) if side in PARTY_ROLES else independent_clause(actor, side)
    states = sorted({state for _, states in grouped.values() for *_, state in states})
    return and_(taken, Finding.state.in_(states), or_(*arms))


def work_clauses(uow: UnitOfWork, actor: User) -> list[ColumnElement[bool]]:
    """My work as WHERE clauses on Finding whose matches do not overlap, each with a driving
    condition an index serves: the findings in the actor's scope its roles may act on from the
    responsible or inspecting side, and (the rest) those its own unit is a party of and may act
    on as that party. A party side implies the scope (the actor's unit is in its subtree), and
    the others contain it: no other scope test is needed."""
    found, today = actionable_states(uow, actor), uow.today()
    sides = sorted({side for *_, todo in found for t in todo for side in t.sides})
    by_side = {side: clause for side in sides
               if (clause := _from_side(actor, found, today, side)) is not None}
    own_sides = [c for side, c in by_side.items() if side not in PARTY_ROLES]
    party_sides = [c for side, c in by_side.items() if side in PARTY_ROLES]
    own = and_(own_findings_clause(actor), or_(*own_sides)) if own_sides else None
    clauses = [own] if own is not None else []
    if party_sides:
        not_own = [] if own is None else [~func.coalesce(own, false())]  # NULL counts as no
        clauses.append(and_(Finding.id.in_(party_findings(actor)), or_(*party_sides), *not_own))
    return clauses


def my_work(uow: UnitOfWork, actor: User, limit: int = 200) -> WorkList:
    """Soonest deadline first (undated last, as the ledger's due-date order, whose index it can
    walk); counts per (lifecycle, state) over all of it."""
    clauses = work_clauses(uow, actor)
    if not clauses:
        return WorkList()
    matched = union_all(*[select(Finding.lifecycle, Finding.lifecycle_version, Finding.state)
                          .where(c) for c in clauses]).subquery()
    kind = (matched.c.lifecycle, matched.c.lifecycle_version, matched.c.state)
    counts: Counter[tuple[str, str]] = Counter()
    for name, version, at, n in uow.session.execute(select(*kind, func.count()).group_by(*kind)):
        counts[(f"{name}@{version}", at)] += n
    due = sort_key("due")
    soonest = [select(Finding.id).where(c).order_by(due, Finding.id).limit(limit).subquery()
               for c in clauses]
    items = list(uow.session.scalars(
        select(Finding).where(Finding.id.in_(union_all(*[select(s.c.id) for s in soonest])))
        .options(joinedload(Finding.unit)).order_by(due, Finding.id).limit(limit)))
    load_raising_bodies(uow.session, items)  # the page's buttons judge independence by them
    return WorkList(items, counts, sum(counts.values()))
