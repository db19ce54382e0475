"""My work (待办): findings in scope where the actor's roles can fire something now (open ones,
and closed ones whose look-back is due)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import joinedload

from workflow.guards import GUARDS
from workflow.models import Finding, User
from workflow.services.scope import findings_clause, side_clause
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


def _possible(actor: User, spec: TransitionSpec, today: date) -> ColumnElement[bool]:
    """The transition in SQL: the actor's side of the finding, and those of its guards that
    have a SQL form (the ones the finding page checks before offering it)."""
    guards = [sql for g in spec.guards
              if (sql := GUARDS[g.name].sql_for(today, actor)) is not None]
    return and_(or_(*[side_clause(actor, side) for side in spec.sides]), *guards)


def my_work(uow: UnitOfWork, actor: User, limit: int = 200) -> WorkList:
    """Soonest deadline first (undated last); counts per (lifecycle, state) over all of it."""
    found, today = actionable_states(uow, actor), uow.today()
    match = or_(*[and_(Finding.lifecycle == n, Finding.lifecycle_version == v, Finding.state == s,
                       or_(*[_possible(actor, t, today) for t in todo]))
                  for n, v, s, todo in found]) if found else false()
    where = [findings_clause(actor), match]
    counts: Counter[tuple[str, str]] = Counter()
    for name, version, state, n in uow.session.execute(
            select(Finding.lifecycle, Finding.lifecycle_version, Finding.state, func.count())
            .where(*where).group_by(Finding.lifecycle, Finding.lifecycle_version, Finding.state)):
        counts[(f"{name}@{version}", state)] += n
    items = list(uow.session.scalars(
        select(Finding).where(*where).options(joinedload(Finding.unit))
        .order_by(Finding.due_date.is_(None), Finding.due_date, Finding.id).limit(limit)))
    return WorkList(items, counts, sum(counts.values()))
