"""Who may add units, campaigns, inspections and users, see the dashboard, run notifications: one table."""

from __future__ import annotations

from workflow.errors import Forbidden
from workflow.models import User

RULES: dict[str, tuple[str, ...]] = {
    "add_unit": ("admin",),
    "edit_unit": ("admin",),  # code, names, kind and document-number prefix
    "move_unit": ("admin",),  # with its subtree, under another parent
    "deactivate_unit": ("admin",),  # and reactivate
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
        raise Forbidden(f"The action '{action}' needs one of the roles: {', '.join(RULES[action])}.")


# Roles that find work in My work (待办); a user with none of them starts in the directory.
WORKING_ROLES = ("inspector", "handler", "reviewer", "supervisor")


def starts_in_directory(actor: User) -> bool:
    """Where a user lands after login: an admin with no working role has an empty My work, so
    starts on the unit directory instead."""
    return actor.has_role("admin") and not actor.has_role(*WORKING_ROLES)
