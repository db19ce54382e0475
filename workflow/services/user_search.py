"""The admin's user list: search by name, filter by unit (its subtree) and role, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from workflow.errors import InvalidInput
from workflow.models import Unit, User
from workflow.services.directory import unit_in_view
from workflow.services.permissions import require
from workflow.services.system import USERNAME as SYSTEM_USERNAME
from workflow.spec.model import ROLES

PAGE_SIZE = 50
MAX_QUERY = 100


@dataclass(frozen=True)
class UserFilter:
    """What the admin asks for: text in the username, name or e-mail; a unit (and the units
    under it); a role; the page (from 1)."""

    text: str = ""
    unit_id: int | None = None
    role: str = ""
    page: int = 1


@dataclass(frozen=True)
class UserPage:
    users: list[User]
    total: int
    page: int
    pages: int


def _filter_errors(wanted: UserFilter, unit: Unit | None) -> dict[str, dict[str, str]]:
    errors = {}
    if len(wanted.text) > MAX_QUERY or "\x00" in wanted.text:
        errors["q"] = {"zh": f"搜索词最多 {MAX_QUERY} 字。", "en": f"Enter at most {MAX_QUERY} characters."}
    if wanted.unit_id is not None and unit is None:
        errors["unit"] = {"zh": "请选择单位。", "en": "Choose a unit."}
    if wanted.role and wanted.role not in ROLES:
        errors["role"] = {"zh": "角色无效。", "en": f"Choose one of the roles: {', '.join(ROLES)}."}
    if not 1 <= wanted.page <= 1_000_000:
        errors["page"] = {"zh": "页码从 1 开始。", "en": "Enter a page number of 1 or more."}
    return errors


def _query(wanted: UserFilter, unit: Unit | None) -> Select[User]:
    query = select(User).where(User.username != SYSTEM_USERNAME)
    if wanted.text.strip():
        needle = wanted.text.strip()
        query = query.where(or_(User.username.icontains(needle, autoescape=True),
                                User.display_name.icontains(needle, autoescape=True),
                                User.email.icontains(needle, autoescape=True)))
    if unit is not None:
        subtree = select(Unit.id).where(Unit.under(unit.path))
        query = query.where(User.unit_id.in_(subtree))
    if wanted.role:  # roles are space-separated names, none a part of another
        query = query.where((" " + User.roles + " ").contains(f" {wanted.role} "))
    return query


def find_users(session: Session, actor: User, wanted: UserFilter) -> UserPage:
    """The users matching the filter, by username, one page of PAGE_SIZE; the unit must be one
    the admin sees. Every bad field at once (InvalidInput)."""
    require(actor, "manage_users")
    unit = unit_in_view(session, actor, wanted.unit_id)
    errors = _filter_errors(wanted, unit)
    if errors:
        raise InvalidInput(errors)
    query = _query(wanted, unit)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.options(joinedload(User.unit)).order_by(User.username)
                           .offset((wanted.page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return UserPage(list(rows), total, wanted.page, max(1, -(-total // PAGE_SIZE)))
