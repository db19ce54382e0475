"""My work (待办): open findings in scope where the actor's roles can fire something now."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.orm import joinedload

from workflow.models import Finding, User
from workflow.services.scope import findings_clause

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork


@dataclass
class WorkList:
    items: list[Finding] = field(default_factory=list)
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)  # (lifecycle key, state)
    total: int = 0


def actionable_states(uow: UnitOfWork, actor: User) -> list[tuple[str, int, str, bool]]:
    """(lifecycle, version, state, any_unit) where a to-do transition awaits one of the
    actor's roles; any_unit False: only inspecting-side work, so not on its own unit's findings."""
    out = []
    for lc in uow.registry.all():
        for state in lc.states:
            sides = {t.side for t in lc.transitions_from(state.name)
                     if t.todo and actor.role_set.intersection(t.roles)}
            if sides:
                out.append((lc.name, lc.version, state.name, "responsible" in sides))
    return out


def my_work(uow: UnitOfWork, actor: User, limit: int = 200) -> WorkList:
    """Soonest deadline first (undated last); counts per (lifecycle, state) over all of it."""
    triples = actionable_states(uow, actor)
    match = or_(*[and_(Finding.lifecycle == n, Finding.lifecycle_version == v, Finding.state == s,
                       true() if any_unit else Finding.unit_id != actor.unit_id)
                  for n, v, s, any_unit in triples]) if triples else false()
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
