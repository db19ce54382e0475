"""Inspections made in the period: how many, how many units (distinct), by inspection mode."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.catalog import METHODS
from workflow.models import Inspection, Unit, User
from workflow.services.scope import units_clause
from workflow.services.stats_args import StatsQuery


@dataclass
class InspectionFigures:
    made: int = 0
    units: int = 0  # distinct units inspected
    by_mode: dict[str, int] = field(default_factory=dict)  # every mode of catalog.METHODS
    dates: list[date] = field(default_factory=list)  # each inspection's date, for trends

    def as_dict(self) -> dict[str, Any]:
        return {"made": self.made, "units": self.units, "by_mode": self.by_mode}


def inspection_figures(session: Session, actor: User, query: StatsQuery,
                       last_day: date) -> InspectionFigures:
    """Inspections of units the actor may see (within the unit filter), of the campaign, entered
    by the inspector filter's user, dated within the period and not after last_day."""
    where = [units_clause(actor), Inspection.inspected_on <= last_day]
    if query.unit_id is not None and (unit := session.get(Unit, query.unit_id)) is not None:
        where.append(Unit.path.startswith(unit.path, autoescape=True))
    elif query.unit_id is not None:
        where.append(Unit.id.is_(None))
    if query.campaign_id is not None:
        where.append(Inspection.campaign_id == query.campaign_id)
    if query.raised_by is not None:
        where.append(Inspection.created_by_id == query.raised_by)
    if query.start is not None:
        where.append(Inspection.inspected_on >= query.start)
    if query.end is not None:
        where.append(Inspection.inspected_on <= query.end)
    rows = session.execute(select(Inspection.unit_id, Inspection.method, Inspection.inspected_on)
                           .join(Unit, Unit.id == Inspection.unit_id).where(*where)).all()
    by_mode = dict.fromkeys(METHODS, 0)
    for _unit, method, _day in rows:
        by_mode[method] = by_mode.get(method, 0) + 1
    return InspectionFigures(len(rows), len({unit for unit, _m, _d in rows}), by_mode,
                             [day for _u, _m, day in rows])
