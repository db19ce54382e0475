"""The admin log: an append-only record of who changed the directory (units), when and what."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.models.base import Base, JSONType, UTCDateTime, utcnow
from workflow.models.core import User


class AdminChange(Base):
    """One admin change of a unit (added, edited, moved, deactivated, reactivated): the
    actor, the moment, the action and what changed (`details`: old and new values)."""

    __tablename__ = "admin_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[User] = relationship()


@event.listens_for(AdminChange, "before_update")
@event.listens_for(AdminChange, "before_delete")
def _admin_changes_are_append_only(mapper: Any, connection: Any, target: AdminChange) -> None:
    raise PermissionError("admin changes are append-only")
