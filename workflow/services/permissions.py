"""Who may add units, campaigns, inspections and users, see the dashboard, run notifications: one table."""

from __future__ import annotations

from workflow.errors import Forbidden
from workflow.models import User

RULES: dict[str, tuple[str, ...]] = {
    "add_unit": ("admin",),
    "edit_unit": ("admin",),  # names, kind and document-number prefix
    "add_campaign": ("admin", "supervisor"),
    "add_inspection": ("admin", "inspector"),
    "dashboard": ("admin", "supervisor", "inspector", "reviewer"),
    "manage_users": ("admin",),
    "manage_notifications": ("admin",),  # the outbox (dead letters, retry) and webhook endpoints
}


def may(actor: User, action: str) -> bool:
    """Whether the actor holds a role the action needs (pages use it to offer the action)."""
    return actor.has_role(*RULES[action])


def require(actor: User, action: str) -> None:
    """Forbidden unless the actor holds a role the action needs."""
    if not may(actor, action):
        raise Forbidden(f"'{action}' needs one of the roles: {', '.join(RULES[action])}")
