"""Guards and effects on the parties to a finding a definition may name: the body an escalation
is addressed to, the lead coordinating body (牵头单位), co-responsible units (配合单位) and their
parts. Every write goes through workflow.services.parties."""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

from sqlalchemy import ColumnElement, exists

from workflow.models import Finding, FindingParty, Unit, User
from workflow.rule_context import Context, Effect, Guard, Message


def _parties() -> ModuleType:
    """workflow.services.parties, imported when first used (the services import this module
    through workflow.guards)."""
    from workflow.services import parties

    return parties


def _unit(ctx: Context, params: Mapping[str, Any]) -> Unit | None:
    unit: Unit | None = ctx.payload.get(params["field"])
    return unit


def _address_escalation(ctx: Context, params: Mapping[str, Any]) -> None:
    unit = _unit(ctx, params)
    if unit is not None:
        _parties().add_party(ctx.session, ctx.finding, "addressee", unit, ctx.now)


def _set_lead(ctx: Context, params: Mapping[str, Any]) -> None:
    """The named body leads; none named: the body the escalation was addressed to."""
    unit = _unit(ctx, params)
    if unit is None:
        addressees = _parties().party_units(ctx.finding, "addressee")
        with ctx.session.no_autoflush:  # one UPDATE of the finding, at the end
            unit = ctx.session.get(Unit, addressees[-1]) if addressees else None
    if unit is not None:
        _parties().add_party(ctx.session, ctx.finding, "lead", unit, ctx.now)


def _add_co_responsible(ctx: Context, params: Mapping[str, Any]) -> None:
    unit = _unit(ctx, params)
    if unit is not None:
        part = str(ctx.payload.get(params["part"]) or "")
        _parties().add_party(ctx.session, ctx.finding, "co_responsible", unit, ctx.now, part)


def _record_part_done(ctx: Context, params: Mapping[str, Any]) -> None:
    _parties().mark_done(ctx.session, ctx.finding, "co_responsible", ctx.actor.unit_id, ctx.now)


def _unit_above_finding(ctx: Context, params: Mapping[str, Any]) -> Message | None:
    """向上级报告: the named body is an ancestor of the finding's unit (not the unit itself)."""
    unit = _unit(ctx, params)
    below = ctx.finding.unit.path
    if unit is None or (below.startswith(unit.path) and below != unit.path):
        return None
    return {"zh": "上报的受理机构须是责任单位的上级单位。",
            "en": "The body addressed must be above the finding's unit."}


def _not_a_party_yet(ctx: Context, params: Mapping[str, Any]) -> Message | None:
    unit = _unit(ctx, params)
    if unit is None:
        return None
    if unit.id == ctx.finding.unit_id:
        return {"zh": "该单位是责任单位，不能再作为配合单位。",
                "en": "That unit is the responsible unit, it cannot also be co-responsible."}
    if _parties().is_party(ctx.finding, "co_responsible", unit.id):
        return {"zh": "该单位已是配合单位。", "en": "That unit is already co-responsible."}
    return None


def _part_not_done(ctx: Context, params: Mapping[str, Any]) -> Message | None:
    if any(p.role == "co_responsible" and p.unit_id == ctx.actor.unit_id and not p.done
           for p in _parties().parties_of(ctx.finding)):
        return None
    return {"zh": "本单位负责的部分已报送或本单位不是配合单位。",
            "en": "Your unit's part is already reported, or your unit is not co-responsible."}


def _parts_done(ctx: Context, params: Mapping[str, Any]) -> Message | None:
    open_parts = [p for p in _parties().parties_of(ctx.finding)
                  if p.role == "co_responsible" and not p.done]
    if not open_parts:
        return None
    return {"zh": f"还有 {len(open_parts)} 个配合单位未报送其负责的部分。",
            "en": f"Co-responsible units that have not reported their part yet: {len(open_parts)}."}


def _open_part(*where: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(FindingParty.finding_id == Finding.id,
                          FindingParty.role == "co_responsible", FindingParty.done_at.is_(None),
                          *where)


def _actors_open_part(today: Any, actor: User) -> ColumnElement[bool]:
    return _open_part(FindingParty.unit_id == actor.unit_id)


PARTY_GUARDS: Mapping[str, Guard] = {
    "unit_above_finding": Guard(_unit_above_finding, {"field": "field:unit"}),
    "not_a_party_yet": Guard(_not_a_party_yet, {"field": "field:unit"}),
    "part_not_done": Guard(_part_not_done, {}, actor_sql=_actors_open_part),
    "parts_done": Guard(_parts_done, {}, sql=lambda today: ~_open_part()),
}

PARTY_EFFECTS: Mapping[str, Effect] = {
    "address_escalation": Effect(_address_escalation, {"field": "field:unit"}),
    "set_lead": Effect(_set_lead, {"field": "field:unit"}),
    "add_co_responsible": Effect(_add_co_responsible, {"field": "field:unit",
                                                       "part": "field:text"}),
    "record_part_done": Effect(_record_part_done, {}),
}
