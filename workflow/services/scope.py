"""What an actor may see: the subtree of its unit (admins: everything). The one place it is decided."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from workflow.models import Finding, Unit, User


def sees_everything(actor: User) -> bool:
    return actor.has_role("admin")


def unit_in_scope(actor: User, unit: Unit) -> bool:
    return sees_everything(actor) or unit.path.startswith(actor.unit.path)


def independent(actor: User, side: str, unit: Unit) -> bool:
    """On the inspecting side the actor must sit strictly above the finding's unit: a body
    never raises, checks, closes or waives findings against itself (scope already holds)."""
    return side == "responsible" or unit.id != actor.unit_id


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
