"""What an actor may see: the subtree of its unit (admins: everything). The one place it is decided."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, select, true
from sqlalchemy.orm import Session

from workflow.models import Finding, Unit, User


def sees_everything(actor: User) -> bool:
    return actor.has_role("admin")


def unit_in_scope(actor: User, unit: Unit) -> bool:
    return sees_everything(actor) or unit.path.startswith(actor.unit.path)


def independent(actor: User, side: str, finding: Finding) -> bool:
    """Who may take which side of a finding (scope already holds):

    - inspecting steps (assign, check, confirm, waive, decide): the body that raised the
      finding or one above it, never a member of the finding's own unit;
    - responsible steps (report, ask, adopt): the unit's side, never the raising body or one
      above it — nobody both does the work and checks it.

    The raising body is the one recorded on the finding when it was raised, never the
    raiser's current unit. `side_clause` is the same rule in SQL."""
    above_raiser = finding.raised_by_unit.path.startswith(actor.unit.path)
    if side == "responsible":
        return not above_raiser
    return above_raiser and finding.unit_id != actor.unit_id


def raised_at_or_below(actor: User) -> ColumnElement[bool]:
    """WHERE clause on Finding: raised by the actor's unit or a unit below it."""
    bodies = select(Unit.id).where(Unit.path.startswith(actor.unit.path, autoescape=True))
    return Finding.raised_by_unit_id.in_(bodies)


def side_clause(actor: User, side: str) -> ColumnElement[bool]:
    """`independent()` as a WHERE clause on Finding, for lists such as My work."""
    ours = raised_at_or_below(actor)
    if side == "responsible":
        return ~ours
    return and_(ours, Finding.unit_id != actor.unit_id)


def units_clause(actor: User) -> ColumnElement[bool]:
    """WHERE clause on Unit for the units this actor may see."""
    if sees_everything(actor):
        return true()
    return Unit.path.startswith(actor.unit.path, autoescape=True)


def findings_clause(actor: User) -> ColumnElement[bool]:
    """WHERE clause on Finding for the findings this actor may see."""
    if sees_everything(actor):
        return true()
    return Finding.unit_id.in_(select(Unit.id).where(units_clause(actor)))


def subtree_clause(session: Session, unit_id: int) -> ColumnElement[bool]:
    """WHERE clause on Finding: responsible unit within the subtree of unit_id."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        return Finding.id.is_(None)
    subtree = select(Unit.id).where(Unit.path.startswith(unit.path, autoescape=True))
    return Finding.unit_id.in_(subtree)
