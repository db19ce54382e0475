"""Dashboard numbers: counts by state, overdue, rectification and on-time rates, per unit."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from workflow.models import Finding, Unit, User
from workflow.services.ledger import overdue_clause
from workflow.services.scope import findings_clause, units_clause

# Final states that mean "confirmed rectified / done"; others (withdrawn, waived, not_adopted) don't.
CONFIRMED_STATES = ("closed", "implemented")
EXCLUDED_STATES = ("withdrawn",)


@dataclass
class Numbers:
    total: int = 0
    open: int = 0
    rectified: int = 0
    confirmed: int = 0
    overdue: int = 0
    rework_rounds: int = 0
    due_and_rectified: int = 0
    on_time: int = 0

    @property
    def rectification_rate(self) -> float | None:
        return round(self.confirmed / self.total, 4) if self.total else None

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time / self.due_and_rectified, 4) if self.due_and_rectified else None

    def add(self, other: Numbers) -> None:
        for name in ("total", "open", "rectified", "confirmed", "overdue", "rework_rounds",
                     "due_and_rectified", "on_time"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "rectification_rate": self.rectification_rate,
                "on_time_rate": self.on_time_rate}


@dataclass
class Dashboard:
    totals: Numbers
    by_state: dict[tuple[str, str], int]
    by_unit: list[tuple[Unit, Numbers]] = field(default_factory=list)
    by_category: dict[str, Numbers] = field(default_factory=dict)


def dashboard(session: Session, actor: User, today: date, campaign_id: int | None = None) -> Dashboard:
    """Numbers over what the actor may see, rolled up to the units directly below its own."""
    scope = [findings_clause(actor)]
    if campaign_id is not None:
        scope.append(Finding.campaign_id == campaign_id)
    by_state: dict[tuple[str, str], int] = {
        (lc, st): n for lc, st, n in session.execute(
            select(Finding.lifecycle, Finding.state, func.count()).where(*scope)
            .group_by(Finding.lifecycle, Finding.state))
    }
    per_unit = _numbers_by(session, Finding.unit_id, scope, today)
    per_category = _numbers_by(session, Finding.category, scope, today)
    totals = Numbers()
    for numbers in per_unit.values():
        totals.add(numbers)
    return Dashboard(totals, by_state, _roll_up(session, actor, per_unit),
                     dict(sorted(per_category.items())))


def _numbers_by(session: Session, key: Any, scope: list[Any], today: date) -> dict[Any, Numbers]:
    counted = Finding.state.not_in(EXCLUDED_STATES)
    rectified = Finding.rectified_at.is_not(None) | Finding.state.in_(CONFIRMED_STATES)
    due_rectified = Finding.due_date.is_not(None) & Finding.rectified_at.is_not(None)
    on_time = due_rectified & (func.date(Finding.rectified_at) <= Finding.due_date)

    def count_if(cond: Any) -> Any:
        return func.sum(case((cond, 1), else_=0))

    query = select(
        key, count_if(counted), count_if(counted & Finding.is_open.is_(True)),
        count_if(counted & rectified), count_if(Finding.state.in_(CONFIRMED_STATES)),
        count_if(overdue_clause(today)), func.sum(Finding.rework_rounds),
        count_if(counted & due_rectified), count_if(counted & on_time),
    ).where(*scope).group_by(key)
    return {row[0]: Numbers(*[int(v or 0) for v in row[1:]]) for row in session.execute(query)}


def _roll_up(session: Session, actor: User, per_unit: dict[int, Numbers]) -> list[tuple[Unit, Numbers]]:
    units = {u.id: u for u in session.scalars(select(Unit).where(units_clause(actor)))}
    if not units:
        return []
    top_depth = min(u.path.count("/") for u in units.values())
    # Roots of the view: the actor's own unit (or, for admins, the tree's roots) and its children.
    heads = [u for u in units.values() if u.path.count("/") in (top_depth, top_depth + 1)]
    heads.sort(key=lambda u: (u.path.count("/"), u.path))
    rolled: dict[int, Numbers] = defaultdict(Numbers)
    for unit_id, numbers in per_unit.items():
        unit = units.get(unit_id)
        if unit is None:
            continue
        head = max((h for h in heads if unit.path.startswith(h.path)),
                   key=lambda h: h.path.count("/"), default=None)
        if head is not None:
            rolled[head.id].add(numbers)
    return [(h, rolled[h.id]) for h in heads if h.id in rolled]
