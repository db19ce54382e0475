"""Units, users and campaigns: creating and changing the directory the findings hang on."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from workflow.catalog import METHODS
from workflow.errors import InvalidInput
from workflow.models import Campaign, Inspection, Unit, User
from workflow.services.scope import unit_in_scope, units_clause
from workflow.services.tokens import revoke_all_tokens
from workflow.spec.model import ROLES

LANGUAGES = ("zh_CN", "en")


def _bad(field: str, zh: str, en: str) -> InvalidInput:
    return InvalidInput({field: {"zh": zh, "en": en}})


def create_unit(session: Session, code: str, name_zh: str, name_en: str, kind: str,
                parent: Unit | None = None) -> Unit:
    if session.scalar(select(Unit.id).where(Unit.code == code)) is not None:
        raise _bad("code", "单位代码已存在", "a unit with this code exists")
    unit = Unit(code=code, name_zh=name_zh, name_en=name_en, kind=kind,
                parent_id=parent.id if parent else None, path="", active=True)
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    return unit


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def password_matches(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, else None (one answer for both)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not password_matches(user, password):
        return None
    return user


def all_users(session: Session) -> list[User]:
    """Every user with its unit, by username (the admin's list)."""
    return list(session.scalars(select(User).options(joinedload(User.unit)).order_by(User.username)))


def has_users(session: Session) -> bool:
    """Whether anyone exists yet: the demo goes only into an empty database."""
    return session.scalar(select(User.id).limit(1)) is not None


def visible_units(session: Session, actor: User, active_only: bool = False,
                  everywhere: bool = False) -> list[Unit]:
    """Units the actor may see (or, with everywhere, every unit: a `scope: all` field), in tree
    order."""
    query = select(Unit).order_by(Unit.path)
    if not everywhere:
        query = query.where(units_clause(actor))
    if active_only:
        query = query.where(Unit.active.is_(True))
    return list(session.scalars(query))


def unit_in_view(session: Session, actor: User, unit_id: int | None) -> Unit | None:
    """The unit if it exists and the actor may see it."""
    unit = session.get(Unit, unit_id) if unit_id is not None else None
    return unit if unit is not None and unit_in_scope(actor, unit) else None


def visible_inspections(session: Session, actor: User, limit: int | None = None) -> list[Inspection]:
    """Inspections of units the actor may see, newest first."""
    query = (select(Inspection).join(Unit, Unit.id == Inspection.unit_id)
             .where(units_clause(actor)).options(joinedload(Inspection.unit))
             .order_by(Inspection.inspected_on.desc(), Inspection.id.desc()))
    return list(session.scalars(query.limit(limit) if limit else query))


def visible_campaigns(session: Session, actor: User) -> list[Campaign]:
    """Campaigns organised within the actor's subtree or by a body above it (admins: all)."""
    query = select(Campaign).join(Unit, Unit.id == Campaign.organiser_id)
    if not actor.has_role("admin"):
        ancestors = [int(part) for part in actor.unit.path.strip("/").split("/") if part]
        query = query.where(or_(Unit.id.in_(ancestors), units_clause(actor)))
    return list(session.scalars(query.order_by(Campaign.starts_on.desc(), Campaign.id.desc())))


def check_roles(roles: list[str]) -> str:
    unknown = [r for r in roles if r not in ROLES]
    if not roles or unknown:
        raise _bad("roles", f"角色无效：{'、'.join(unknown) or '至少一个'}",
                   f"invalid roles: {', '.join(unknown) or 'at least one is needed'}")
    return " ".join(dict.fromkeys(roles))


def create_user(session: Session, username: str, display_name: str, password: str,
                roles: list[str], unit: Unit, language: str = "zh_CN") -> User:
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise _bad("username", "用户名已存在", "this username is taken")
    if len(password) < 8:
        raise _bad("password", "密码至少 8 位", "the password needs at least 8 characters")
    if language not in LANGUAGES:
        raise _bad("language", "语言应为 zh_CN 或 en", "language must be zh_CN or en")
    user = User(username=username, display_name=display_name,
                password_hash=hash_password(password), roles=check_roles(roles),
                unit_id=unit.id, language=language, active=True)
    user.unit = unit
    session.add(user)
    session.flush()
    return user


def create_campaign(session: Session, name: str, organiser: Unit, starts_on: date,
                    ends_on: date | None = None, scope: str = "") -> Campaign:
    if ends_on is not None and ends_on < starts_on:
        raise _bad("ends_on", "结束日期早于开始日期", "ends before it starts")
    campaign = Campaign(name=name, organiser_id=organiser.id, starts_on=starts_on,
                        ends_on=ends_on, scope=scope)
    session.add(campaign)
    session.flush()
    return campaign


def create_inspection(session: Session, unit: Unit, inspected_on: date, method: str,
                      campaign: Campaign | None = None, team: str = "", notes: str = "",
                      created_by: User | None = None) -> Inspection:
    if method not in METHODS:
        raise _bad("method", "检查方式无效", f"method must be one of {', '.join(METHODS)}")
    inspection = Inspection(unit_id=unit.id, inspected_on=inspected_on, method=method,
                            campaign_id=campaign.id if campaign else None, team=team,
                            notes=notes, created_by_id=created_by.id if created_by else None)
    session.add(inspection)
    session.flush()
    return inspection


def update_user(session: Session, user: User, *, display_name: str | None = None,
                password: str | None = None, roles: list[str] | None = None,
                unit: Unit | None = None, language: str | None = None,
                active: bool | None = None) -> User:
    """Change what is given; a new password also ends the user's sessions (see web.auth)."""
    if display_name is not None:
        user.display_name = display_name
    if password is not None:
        if len(password) < 8:
            raise _bad("password", "密码至少 8 位", "the password needs at least 8 characters")
        user.password_hash = hash_password(password)
        revoke_all_tokens(session, user)  # a new password ends every way in: sessions and tokens
    if roles is not None:
        user.roles = check_roles(roles)
    if unit is not None:
        user.unit_id, user.unit = unit.id, unit
    if language is not None:
        if language not in LANGUAGES:
            raise _bad("language", "语言应为 zh_CN 或 en", "language must be zh_CN or en")
        user.language = language
    if active is not None:
        user.active = active
        if not active:
            revoke_all_tokens(session, user)
    session.flush()
    return user
