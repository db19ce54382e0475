"""Burden on the grassroots (减轻基层负担): repeated inspections by several bodies, and units
inspected too often. The one home of both rules (不准搞重复多头检查).

- Overlap: when a body records an inspection of a unit on a date, the inspections of that unit
  and of its parent within `overlap_days` of that date (before or after: visits are often
  recorded late) recorded by another body. An inspection's body is the unit of the user who
  recorded it; one recorded without a user (imported, demo) counts as another body.
- Frequency: inspections per unit within the last `period_days` up to today; a unit inspected
  more than `threshold` times is flagged.
Both read only units the actor may see (workflow.services.scope)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.orm import Session, joinedload

from workflow.config import BurdenPolicy
from workflow.errors import InvalidInput
from workflow.models import Inspection, Unit, User
from workflow.services.scope import unit_in_scope, units_clause
from workflow.text import as_id

SHOWN = 20  # overlapping inspections listed, and units in the frequency table, at most


@dataclass(frozen=True)
class Overlap:
    """Another body's inspection of the unit or its parent, close to the date."""

    inspection: Inspection
    body: Unit | None  # the recorder's unit; None when nobody recorded it in the app


@dataclass(frozen=True)
class UnitFrequency:
    """How often a unit was inspected within the period, and by how many bodies."""

    unit: Unit
    inspections: int
    bodies: int
    flagged: bool


@dataclass(frozen=True)
class FrequencyTable:
    rows: list[UnitFrequency]
    flagged_units: int  # every unit above the threshold, also those beyond the rows shown
    since: date
    until: date
    threshold: int


def overlapping_inspections(session: Session, actor: User, unit: Unit, on: date,
                            policy: BurdenPolicy) -> list[Overlap]:
    """Inspections of `unit` or its parent within policy.overlap_days of `on`, recorded by a
    body other than the actor's unit, that the actor may see; nearest date first."""
    window = timedelta(days=policy.overlap_days)
    units = [unit.id] + ([unit.parent_id] if unit.parent_id is not None else [])
    recorder = User.__table__.alias("recorder")
    query = (select(Inspection, recorder.c.unit_id)
             .join(Unit, Unit.id == Inspection.unit_id)
             .outerjoin(recorder, recorder.c.id == Inspection.created_by_id)
             .where(Inspection.unit_id.in_(units), units_clause(actor),
                    Inspection.inspected_on.between(on - window, on + window),
                    or_(recorder.c.unit_id.is_(None), recorder.c.unit_id != actor.unit_id))
             .options(joinedload(Inspection.unit))
             .order_by(Inspection.inspected_on.desc(), Inspection.id.desc()).limit(SHOWN))
    rows = session.execute(query).all()
    return sorted((Overlap(inspection, session.get(Unit, body) if body else None)
                   for inspection, body in rows),
                  key=lambda o: abs((o.inspection.inspected_on - on).days))


def inspection_frequency(session: Session, actor: User, today: date,
                         policy: BurdenPolicy) -> FrequencyTable:
    """Inspections per unit the actor may see within the last policy.period_days (today
    included), most inspected first; flagged above policy.threshold."""
    since = today - timedelta(days=policy.period_days - 1)
    count = func.count(Inspection.id)
    grouped = (select(Inspection.unit_id, count.label("n"),
                      func.count(distinct(User.unit_id)).label("bodies"))
               .join(Unit, Unit.id == Inspection.unit_id)
               .outerjoin(User, User.id == Inspection.created_by_id)
               .where(units_clause(actor), Inspection.inspected_on.between(since, today))
               .group_by(Inspection.unit_id))
    top = session.execute(grouped.order_by(count.desc(), Inspection.unit_id).limit(SHOWN)).all()
    flagged = session.scalar(select(func.count()).select_from(
        grouped.having(count > policy.threshold).subquery())) or 0
    rows = [UnitFrequency(session.get_one(Unit, unit_id), n, bodies, n > policy.threshold)
            for unit_id, n, bodies in top]
    return FrequencyTable(rows, flagged, since, today, policy.threshold)


def overlaps_checked(session: Session, actor: User, unit_id: object, on: object,
                     policy: BurdenPolicy) -> list[Overlap]:
    """overlapping_inspections for a unit id and an ISO date as they come (API, form);
    InvalidInput names each field that is not a unit the actor sees or not a date."""
    unit = session.get(Unit, as_id(unit_id)) if as_id(unit_id) is not None else None
    errors = {}
    if unit is None or not unit_in_scope(actor, unit):
        errors["unit_id"] = {"zh": "单位不存在或不在您的范围内。",
                             "en": "There is no such unit within your scope."}
    day = _iso_date(on)
    if day is None:
        errors["inspected_on"] = {"zh": "请填写有效日期（YYYY-MM-DD）。",
                                  "en": "Enter a valid date as YYYY-MM-DD."}
    if errors or unit is None or day is None:
        raise InvalidInput(errors)
    return overlapping_inspections(session, actor, unit, day, policy)


def overlaps_for_form(session: Session, actor: User, unit_id: object, on: object,
                      policy: BurdenPolicy) -> list[Overlap]:
    """overlaps_checked, or nothing while the form is incomplete (saving reports the fields)."""
    try:
        return overlaps_checked(session, actor, unit_id, on, policy)
    except InvalidInput:
        return []


def _iso_date(value: object) -> date | None:
    if not isinstance(value, str) or len(value) != 10 or not value.isascii():
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
