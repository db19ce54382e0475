"""Accounts: username and password rules, login with lockout, session versions, user changes.

`add_user`, `update_user`, `change_own_password`, `log_out`, `set_language` and `login` are what
pages, API and CLI call: each takes the unit of work first and commits. `create_user` writes a
user from trusted data (demo, fixtures) after the same field checks and leaves the commit to its
caller."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from workflow.errors import Forbidden, InvalidInput
from workflow.models import Unit, User
from workflow.services.login import Login, login, password_matches
from workflow.services.permissions import require
from workflow.services.preferences import email_errors
from workflow.services.system import USERNAME as SYSTEM_USERNAME
from workflow.services.tokens import revoke_all_tokens
from workflow.spec.model import ROLES

_USERNAME_TAKEN = {"zh": "用户名已存在。", "en": "This username is taken."}
if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

__all__ = ["Login", "login", "password_matches"]  # with the account rules below

LANGUAGES = ("zh_CN", "en")
USERNAME = re.compile(r"^[a-z0-9_.-]{2,64}$")
MIN_PASSWORD, MAX_PASSWORD = 10, 200
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "common_passwords.txt"

Errors = dict[str, dict[str, str]]


def hash_password(password: str) -> str:
    return generate_password_hash(password)


@cache
def _common() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def password_errors(password: str, username: str) -> Errors:
    """What is wrong with a new password (empty when it is acceptable)."""
    lowered, name = password.lower(), username.lower()
    if len(password) < MIN_PASSWORD:
        return {"password": {"zh": f"密码至少 {MIN_PASSWORD} 位。",
                             "en": f"The password needs at least {MIN_PASSWORD} characters."}}
    if len(password) > MAX_PASSWORD:
        return {"password": {"zh": f"密码最多 {MAX_PASSWORD} 位。",
                             "en": f"The password can have at most {MAX_PASSWORD} characters."}}
    if lowered == name or (len(name) >= 4 and name in lowered):
        return {"password": {"zh": "密码不能包含用户名。",
                             "en": "The password must not contain the username."}}
    if lowered in _common():
        return {"password": {"zh": "这个密码太常见，请换一个。",
                             "en": "This password is too common: choose another one."}}
    return {}


def username_errors(session: Session, username: str) -> Errors:
    if not USERNAME.match(username):
        return {"username": {"zh": "用户名应为 2–64 位，由小写字母、数字或 _ . - 组成。",
                             "en": "The username must be 2 to 64 lower-case letters, digits, _ . or -."}}
    if username == SYSTEM_USERNAME or session.scalar(
            select(User.id).where(User.username == username)) is not None:
        return {"username": _USERNAME_TAKEN}  # "system" is the engine's own account
    return {}


def _field_errors(display_name: str | None, roles: list[str] | None,
                  language: str | None) -> Errors:
    errors: Errors = {}
    if display_name is not None and not 1 <= len(display_name.strip()) <= 200:
        errors["display_name"] = {"zh": "姓名应为 1–200 字。",
                                  "en": "The display name must be 1 to 200 characters."}
    unknown = [r for r in roles if r not in ROLES] if roles is not None else []
    if unknown:
        errors["roles"] = {"zh": f"没有这些角色：{'、'.join(unknown)}。请从 {'、'.join(ROLES)} 中选择。",
                           "en": f"Roles not known: {', '.join(unknown)}. "
                                 f"Choose from {', '.join(ROLES)}."}
    elif roles is not None and not roles:
        errors["roles"] = {"zh": "请至少选择一个角色。", "en": "Choose at least one role."}
    if language is not None and language not in LANGUAGES:
        errors["language"] = {"zh": "语言应为 zh_CN 或 en。", "en": "The language must be zh_CN or en."}
    return errors


def create_user(session: Session, username: str, display_name: str, password: str,
                roles: list[str], unit: Unit | None, language: str = "zh_CN",
                email: str = "") -> User:
    """A new active user; every field error is reported at once (InvalidInput). No
    authorization and no commit: for trusted data (demo, fixtures); others call add_user."""
    errors = {**password_errors(password, username), **username_errors(session, username),
              **_field_errors(display_name, roles, language), **email_errors(email)}
    if unit is None:
        errors["unit"] = {"zh": "请选择单位。", "en": "Choose a unit."}
    if errors:
        raise InvalidInput(errors)
    assert unit is not None
    user = User(username=username, display_name=display_name.strip(),
                password_hash=hash_password(password), roles=" ".join(dict.fromkeys(roles)),
                unit_id=unit.id, language=language, active=True, session_version=0,
                email=email)
    user.unit = unit
    session.add(user)
    session.flush()
    return user


def add_user(uow: UnitOfWork, actor: User, username: str, display_name: str, password: str,
             roles: list[str], unit: Unit | None, language: str = "zh_CN",
             email: str = "") -> User:
    """An admin creates a user (see permissions.RULES); every field checked at once; commits."""
    require(actor, "manage_users")
    try:
        user = create_user(uow.session, username, display_name, password, roles, unit, language,
                           email)
        uow.commit()
    except IntegrityError:  # the same username created at the same moment by someone else
        uow.session.rollback()
        raise InvalidInput({"username": _USERNAME_TAKEN}) from None
    return user


@dataclass(frozen=True)
class UserChange:
    """What an admin changes on a user; None leaves a field as it is."""

    display_name: str | None = None
    password: str | None = None
    roles: list[str] | None = None
    unit: Unit | None = None
    language: str | None = None
    active: bool | None = None
    email: str | None = None  # "" removes it
    unit_chosen: bool = True  # False: the form named no unit in the admin's view (a field error)


def _last_admin_errors(session: Session, user: User, change: UserChange) -> Errors:
    """The last active admin keeps the admin role and stays active."""
    demoted = change.roles is not None and "admin" not in change.roles
    if not (user.active and user.has_role("admin") and (demoted or change.active is False)):
        return {}
    if active_admins(session) > 1:
        return {}
    field = "roles" if demoted else "active"
    return {field: {"zh": "这是最后一个在用的管理员，不能取消其管理员角色或停用。",
                    "en": "The last active admin cannot lose the admin role or be deactivated."}}


def update_user(uow: UnitOfWork, actor: User, user: User, change: UserChange) -> User:
    """Apply an admin's change (see permissions.RULES); every field error at once; commits.
    Sessions end when it matters."""
    require(actor, "manage_users")
    if user.username == SYSTEM_USERNAME:
        raise Forbidden("The system account is the engine's own: nobody may change it.",
                        {"zh": "系统账户由引擎使用，不能修改。", "en": "The system account is the "
                         "engine's own and cannot be changed."})
    session = uow.session
    errors = {**_field_errors(change.display_name, change.roles, change.language),
              **_last_admin_errors(session, user, change), **email_errors(change.email)}
    if not change.unit_chosen:
        errors["unit"] = {"zh": "请选择单位。", "en": "Choose a unit."}
    if change.password is not None:
        errors.update(password_errors(change.password, user.username))
    if errors:
        raise InvalidInput(errors)
    if _apply(session, user, change):
        end_sessions(user)
    uow.commit()
    return user


def _apply(session: Session, user: User, change: UserChange) -> bool:
    """Write the change; whether it must end the user's sessions."""
    new_roles = " ".join(dict.fromkeys(change.roles)) if change.roles is not None else user.roles
    ends = (change.password is not None or set(new_roles.split()) != user.role_set
            or (change.unit is not None and change.unit.id != user.unit_id)
            or (change.active is not None and change.active != user.active))
    if change.display_name is not None:
        user.display_name = change.display_name.strip()
    if change.password is not None:
        user.password_hash = hash_password(change.password)
    if change.unit is not None:
        user.unit_id, user.unit = change.unit.id, change.unit
    if change.language is not None:
        user.language = change.language
    if change.active is not None:
        user.active = change.active
    if change.email is not None:
        user.email = change.email
    user.roles = new_roles
    if change.password is not None or change.active is False:
        revoke_all_tokens(session, user)  # a new password or deactivation ends every way in
    return ends


def change_own_password(uow: UnitOfWork, user: User, current: str, new: str) -> None:
    """A user changes their own password: the current one first. Ends their sessions (the
    caller starts a new one for this browser) and revokes their tokens; commits."""
    errors = password_errors(new, user.username)
    if not password_matches(user, current):
        errors["current_password"] = {"zh": "当前密码不正确。", "en": "The current password is wrong."}
    if errors:
        raise InvalidInput(errors)
    user.password_hash = hash_password(new)
    revoke_all_tokens(uow.session, user)
    end_sessions(user)
    uow.commit()


def end_sessions(user: User) -> None:
    """Every session and cookie issued under the current version stops working (no commit: a
    step of the use cases here)."""
    user.session_version = (user.session_version or 0) + 1


def log_out_everywhere(uow: UnitOfWork, user: User) -> None:
    """The user logs out on every device: each session and cookie of theirs ends; commits."""
    end_sessions(user)
    uow.commit()


def set_language(uow: UnitOfWork, user: User, language: str) -> None:
    """The user's interface language (zh_CN or en); commits."""
    errors = _field_errors(None, None, language)
    if errors:
        raise InvalidInput(errors)
    user.language = language
    uow.commit()


def active_admins(session: Session) -> int:
    """How many active users hold the admin role (rows locked on PostgreSQL: two admins demoting
    each other at once cannot both succeed)."""
    rows = session.scalars(select(User.roles).where(User.active.is_(True)).with_for_update()).all()
    return sum("admin" in roles.split() for roles in rows)

