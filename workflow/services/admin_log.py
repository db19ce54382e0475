"""The admin log of units: each admin change written in the same transaction as the change,
never altered (workflow.models.AdminChange); read back for a unit's page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from workflow.models import AdminChange, Unit, User


def record(session: Session, actor: User, action: str, unit: Unit, details: dict[str, Any]) -> None:
    """Append who (actor) did what (action, details: old and new values) to which unit, now;
    the caller commits it with the change itself."""
    session.add(AdminChange(actor_id=actor.id, action=action, unit_id=unit.id, details=details))


def changes_of(session: Session, unit_id: int, limit: int = 50) -> list[AdminChange]:
    """The unit's latest admin changes, newest first."""
    return list(session.scalars(
        select(AdminChange).where(AdminChange.unit_id == unit_id)
        .options(joinedload(AdminChange.actor))
        .order_by(AdminChange.id.desc()).limit(limit)))
