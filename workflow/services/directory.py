"""Units, campaigns and inspections: the directory the findings hang on (users: accounts.py;
adding and editing units: units.py).

`add_campaign` and `add_inspection` are the operations pages, API and CLI call: each checks who
may (workflow.services.permissions), validates every field at once (InvalidInput, zh and en) and
commits. `create_campaign` and `create_inspection` write trusted data (demo, fixtures) without
those checks and leave the commit to their caller."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session, joinedload

from workflow.catalog import METHODS, as_choices
from workflow.errors import InvalidInput
from workflow.models import Campaign, Inspection, Unit, User
from workflow.services.form_check import checked, commit, refuse
from workflow.services.permissions import require
from workflow.services.scope import sees_everything, unit_in_scope, units_clause
from workflow.services.units import CODE, add_unit, create_unit, edit_unit
from workflow.spec.model import FieldSpec
from workflow.text import as_id

__all__ = ["CODE", "add_unit", "create_unit", "edit_unit"]  # kept importable from here

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork


def _bad(field: str, zh: str, en: str) -> InvalidInput:
    return InvalidInput({field: {"zh": zh, "en": en}})


CAMPAIGN_FIELDS = (
    FieldSpec("name", "text", "名称", "Name", required=True, min_length=2, max_length=200),
    FieldSpec("starts_on", "date", "开始日期", "Starts on", required=True),
    FieldSpec("ends_on", "date", "结束日期", "Ends on"),
    FieldSpec("scope", "text", "范围", "Scope", max_length=4000),
    FieldSpec("organiser_id", "unit", "组织单位", "Organiser", required=True),
)
INSPECTION_FIELDS = (
    FieldSpec("unit_id", "unit", "被检查单位", "Unit inspected", required=True),
    FieldSpec("inspected_on", "date", "检查日期", "Date", required=True),
    FieldSpec("method", "choice", "检查方式", "Method", required=True, choices=as_choices(METHODS)),
    FieldSpec("team", "text", "检查组", "Team", max_length=500),
    FieldSpec("notes", "text", "备注", "Notes", max_length=4000),
)
_NO_CAMPAIGN = {"zh": "专项检查不存在或不在您的范围内。",
                "en": "There is no such campaign within your scope."}


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


def inspection_in_view(session: Session, actor: User, raw: object) -> Inspection | None:
    """The inspection of that id (as it came, e.g. a query argument) if the actor may see it."""
    inspection_id = as_id(raw)
    inspection = session.get(Inspection, inspection_id) if inspection_id else None
    if inspection is None or not unit_in_scope(actor, inspection.unit):
        return None
    return inspection


def campaigns_clause(actor: User) -> ColumnElement[bool]:
    """WHERE clause on the campaign's organiser Unit: the campaigns the actor may see and link."""
    if sees_everything(actor):
        return true()
    ancestors = [int(part) for part in actor.unit.path.strip("/").split("/") if part]
    return or_(Unit.id.in_(ancestors), units_clause(actor))


def visible_campaigns(session: Session, actor: User) -> list[Campaign]:
    """Campaigns organised within the actor's subtree or by a body above it (admins: all)."""
    query = (select(Campaign).join(Unit, Unit.id == Campaign.organiser_id)
             .where(campaigns_clause(actor)))
    return list(session.scalars(query.order_by(Campaign.starts_on.desc(), Campaign.id.desc())))


def campaign_in_view(session: Session, actor: User, campaign_id: int) -> Campaign | None:
    """The campaign if it exists and the actor may see it (one answer for both otherwise)."""
    return session.scalar(select(Campaign).join(Unit, Unit.id == Campaign.organiser_id)
                          .where(Campaign.id == campaign_id, campaigns_clause(actor)))



def create_campaign(session: Session, name: str, organiser: Unit, starts_on: date,
                    ends_on: date | None = None, scope: str = "") -> Campaign:
    """Write a campaign from trusted data (no authorization); the caller commits."""
    if ends_on is not None and ends_on < starts_on:
        raise _bad("ends_on", "结束日期早于开始日期。", "The end date must be on or after the start date.")
    campaign = Campaign(name=name, organiser_id=organiser.id, starts_on=starts_on,
                        ends_on=ends_on, scope=scope)
    session.add(campaign)
    session.flush()
    return campaign


def create_inspection(session: Session, unit: Unit, inspected_on: date, method: str,
                      campaign: Campaign | None = None, team: str = "", notes: str = "",
                      created_by: User | None = None) -> Inspection:
    """Write an inspection from trusted data (no authorization); the caller commits."""
    if method not in METHODS:
        raise _bad("method", f"检查方式无效，应为 {'、'.join(METHODS)} 之一。",
                   f"Choose a method: one of {', '.join(METHODS)}.")
    inspection = Inspection(unit_id=unit.id, inspected_on=inspected_on, method=method,
                            campaign_id=campaign.id if campaign else None, team=team,
                            notes=notes, created_by_id=created_by.id if created_by else None)
    session.add(inspection)
    session.flush()
    return inspection


def add_campaign(uow: UnitOfWork, actor: User, data: Mapping[str, Any]) -> Campaign:
    """Add a campaign organised by a unit in the actor's scope; every field checked; commits."""
    require(actor, "add_campaign")
    values, errors = checked(uow, actor, CAMPAIGN_FIELDS, data)
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if starts is not None and ends is not None and ends < starts:
        errors["ends_on"] = {"zh": "结束日期早于开始日期。",
                             "en": "The end date must be on or after the start date."}
    organiser = values.get("organiser_id")
    if (organiser is not None and not sees_everything(actor) and organiser.id != actor.unit_id
            and organiser.kind not in uow.unit_kinds.inspecting):
        errors["organiser_id"] = {
            "zh": "专项检查由本单位或其下属纪检监察机构组织，不能以被检查单位的名义组织。",
            "en": "A campaign is organised by your unit or an inspecting body under it, "
                  "not by a unit under inspection."}
    refuse(errors)
    campaign = create_campaign(uow.session, values["name"], values["organiser_id"],
                               values["starts_on"], ends, values.get("scope", ""))
    commit(uow)
    return campaign


def add_inspection(uow: UnitOfWork, actor: User, data: Mapping[str, Any]) -> Inspection:
    """Record a visit to a unit in the actor's scope, in a campaign the actor may see; commits."""
    values, campaign = check_inspection(uow, actor, data)
    inspection = create_inspection(uow.session, values["unit_id"], values["inspected_on"],
                                   values["method"], campaign, values.get("team", ""),
                                   values.get("notes", ""), actor)
    commit(uow)
    return inspection


def check_inspection(uow: UnitOfWork, actor: User,
                     data: Mapping[str, Any]) -> tuple[dict[str, Any], Campaign | None]:
    """Every rule a new inspection obeys, writing nothing: its cleaned fields and campaign, or
    InvalidInput naming each wrong field (Forbidden without the role)."""
    require(actor, "add_inspection")
    fields = {k: v for k, v in data.items() if k != "campaign_id"}
    values, errors = checked(uow, actor, INSPECTION_FIELDS, fields)
    inspected = values.get("unit_id")
    if inspected is not None and inspected.id == actor.unit_id:
        errors["unit_id"] = {"zh": "不能检查本单位：被检查单位须在本单位之下。",
                             "en": "You cannot inspect your own unit: it must be below yours."}
    raw = data.get("campaign_id")
    campaign = _campaign(uow.session, actor, raw)
    if campaign is None and raw not in (None, ""):
        errors["campaign_id"] = _NO_CAMPAIGN
    refuse(errors)
    return values, campaign


def _campaign(session: Session, actor: User, raw: Any) -> Campaign | None:
    """The campaign the id names if the actor may see it, else None (none such: the same)."""
    text = str(raw) if isinstance(raw, int | str) and not isinstance(raw, bool) else ""
    if not text.isascii() or not text.isdigit() or not 0 < int(text) < 2**31:
        return None
    return campaign_in_view(session, actor, int(text))
