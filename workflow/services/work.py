"""My work (待办): open findings in scope where the actor's roles can fire something now."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import joinedload

from workflow.models import Finding, User
from workflow.services.scope import findings_clause, side_clause

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork


@dataclass
class WorkList:
    items: list[Finding] = field(default_factory=list)
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)  # (lifecycle key, state)
    total: int = 0


def actionable_states(uow: UnitOfWork,
                      actor: User) -> list[tuple[str, int, str, frozenset[str]]]:
    """(lifecycle, version, state, sides) where a to-do transition of those sides awaits one
    of the actor's roles."""
    out = []
    for lc in uow.registry.all():
        for state in lc.states:
            sides = frozenset(t.side for t in lc.transitions_from(state.name)
                              if t.todo and actor.role_set.intersection(t.roles))
            if sides:
                out.append((lc.name, lc.version, state.name, sides))
    return out


def my_work(uow: UnitOfWork, actor: User, limit: int = 200) -> WorkList:
    """Soonest deadline first (undated last); counts per (lifecycle, state) over all of it."""
    triples = actionable_states(uow, actor)
    match = or_(*[and_(Finding.lifecycle == n, Finding.lifecycle_version == v, Finding.state == s,
                       or_(*[side_clause(actor, side) for side in sorted(sides)]))
                  for n, v, s, sides in triples]) if triples else false()
    where = [findings_clause(actor), Finding.is_open.is_(True), match]
    counts: Counter[tuple[str, str]] = Counter()
    for name, version, state, n in uow.session.execute(
            select(Finding.lifecycle, Finding.lifecycle_version, Finding.state, func.count())
            .where(*where).group_by(Finding.lifecycle, Finding.lifecycle_version, Finding.state)):
        counts[(f"{name}@{version}", state)] += n
    items = list(uow.session.scalars(
        select(Finding).where(*where).options(joinedload(Finding.unit))
        .order_by(Finding.due_date.is_(None), Finding.due_date, Finding.id).limit(limit)))
    return WorkList(items, counts, sum(counts.values()))
