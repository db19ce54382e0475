"""Waiting on others (等待他方): what the actor's unit reported or asked and awaits someone else's
decision. Read from the definitions: a state waits on others for the actor when the unit's own
steps (responsible-side transitions of the actor's roles) lead into it, possibly through others'
steps, and none of the to-do transitions out of it is the unit's; or a new due date is asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from workflow.models import Event, Finding, User
from workflow.services.paging import page_count
from workflow.services.scope import findings_clause, side_clause, units_outside
from workflow.services.work_walk import candidates
from workflow.spec import Registry
from workflow.spec.model import Lifecycle, TransitionSpec

UNIT_SIDE = "responsible"
ON_MY_WORK = 20  # the longest waiting, below My work's list; the rest on their own pages
PAGE_SIZE = 50  # a page of the whole list (/work/waiting)


@dataclass(frozen=True)
class Waiting:
    """A finding awaiting others, since when (the event that put it there), and on whom."""

    finding: Finding
    since: datetime | None
    roles: tuple[str, ...]


@dataclass(frozen=True)
class WaitingPage:
    """A page of the findings awaiting others, and how many await in all."""

    items: list[Waiting]
    total: int
    page: int
    pages: int

    @property
    def more(self) -> bool:
        """Whether pages follow this one."""
        return self.page < self.pages


def _ours(spec: TransitionSpec, actor: User) -> bool:
    return UNIT_SIDE in spec.sides and bool(actor.role_set.intersection(spec.roles))


def _owes(lc: Lifecycle, state: str, actor: User) -> bool:
    """Some to-do transition out of the state is the unit's own."""
    return any(t.todo and _ours(t, actor) for t in lc.transitions_from(state))


def waiting_states(lc: Lifecycle, actor: User) -> set[str]:
    """States the unit's own steps lead into (through others' steps too), owing it nothing."""
    reached = {t.dest_from(s) for t in lc.transitions if _ours(t, actor) for s in t.sources}
    queue = [s for s in reached if not lc.is_final(s) and not _owes(lc, s, actor)]
    found: set[str] = set()
    while queue:
        state = queue.pop()
        if state in found:
            continue
        found.add(state)
        queue += [t.dest_from(state) for t in lc.transitions_from(state)
                  if t.todo and not lc.is_final(t.dest_from(state))
                  and not _owes(lc, t.dest_from(state), actor)]
    return found


def awaited_roles(lc: Lifecycle, state: str) -> tuple[str, ...]:
    """Who decides: the roles of the to-do steps that move the finding out of the state (steps
    staying in it, such as a co-responsible unit's part, decide nothing)."""
    return tuple(sorted({r for t in lc.transitions_from(state)
                         if t.todo and t.dest_from(state) != state for r in t.roles}))


def _waiting_clause(registry: Registry, actor: User) -> ColumnElement[bool]:
    parts = [and_(Finding.lifecycle == lc.name, Finding.lifecycle_version == lc.version,
                  Finding.state.in_(states))
             for lc in registry.all() if (states := waiting_states(lc, actor))]
    asked = Finding.pending_due_date.is_not(None)
    return or_(asked, *parts) if parts else asked


def _since() -> ColumnElement[datetime]:
    """When the finding entered its state (its last event moving it there)."""
    return (select(func.max(Event.created_at))
            .where(Event.finding_id == Finding.id, Event.to_state == Finding.state,
                   or_(Event.from_state.is_(None), Event.from_state != Event.to_state))
            .correlate(Finding).scalar_subquery())


def waiting_on_others(session: Session, registry: Registry, actor: User,
                      limit: int = ON_MY_WORK, page: int = 1) -> WaitingPage:
    """Open findings of the actor's unit (its responsible side, in scope) awaiting others,
    longest waiting first: the `page`th `limit` of them, and how many there are. Empty when no
    unit lies outside the actor's subtree (the province's people): the responsible side needs a
    raising body outside it, and the statement would read every finding in scope to find none.
    The order (and the count, alongside) is found on (since, id) alone, then the page's
    findings are read by id: sorting whole rows (every column of a finding, its unit's too) for
    the order cost more than finding it (a 集团's 1,128 at 1,000,000 findings)."""
    if (not any(_ours(t, actor) for lc in registry.all() for t in lc.transitions)
            or not units_outside(session, actor)):
        return WaitingPage([], 0, page, 1)
    where = and_(findings_clause(actor), side_clause(actor, UNIT_SIDE),
                 Finding.is_open.is_(True), candidates(), _waiting_clause(registry, actor))
    since = _since().label("since")
    first = session.execute(select(Finding.id, since, func.count().over().label("total"))
                            .where(where).order_by(since, Finding.id)
                            .offset((page - 1) * limit).limit(limit)).all()
    if first or page == 1:
        total = first[0].total if first else 0
    else:  # past the last page: counted apart
        total = session.scalar(select(func.count()).select_from(Finding).where(where)) or 0
    loaded = {f.id: f for f in session.scalars(
        select(Finding).where(Finding.id.in_([row.id for row in first]))
        .options(joinedload(Finding.unit)))} if first else {}
    items = [Waiting(f, at, awaited_roles(registry.get(f.lifecycle, f.lifecycle_version), f.state))
             for f, at in ((loaded[row.id], row.since) for row in first)]
    return WaitingPage(items, total, page, page_count(total, limit))
