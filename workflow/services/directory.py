"""Units, campaigns and inspections: the directory the findings hang on (users: accounts.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from workflow.catalog import METHODS
from workflow.errors import InvalidInput
from workflow.models import Campaign, Inspection, Unit, User
from workflow.services.scope import unit_in_scope, units_clause


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
