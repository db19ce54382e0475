"""The allow-list of guards and effects a definition may name; no other code is reachable from YAML."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from workflow.link_rules import LINK_EFFECTS, LINK_GUARDS
from workflow.models import Event, Finding, Unit
from workflow.party_effects import PARTY_EFFECTS, PARTY_GUARDS
from workflow.rule_context import Context, Effect, Guard, Message, ParamKinds
from workflow.time_effects import TIME_EFFECTS

if TYPE_CHECKING:  # the spec package imports this module: no import cycle at run time
    from workflow.spec.model import TransitionSpec

def _date_after_due_date(ctx: Context, params: Mapping[str, Any]) -> Message | None:
    wanted = ctx.payload.get(params["field"])
    due = ctx.finding.due_date
    if wanted is None or due is None or wanted > due:
        return None
    return {
        "zh": f"申请的日期必须晚于当前整改期限 {due.isoformat()}。",
        "en": f"Enter a date later than the current due date, {due.isoformat()}.",
    }


def _day_after_due_date(finding: Finding, params: Mapping[str, Any]) -> date | None:
    return finding.due_date + timedelta(days=1) if finding.due_date else None


def _unit_differs(ctx: Context, params: Mapping[str, Any]) -> Message | None:
    unit = ctx.payload.get(params["field"])
    if unit is None or unit.id != ctx.finding.unit_id:
        return None
    return {"zh": "新责任单位与当前责任单位相同。", "en": "Choose a unit other than the current one."}


def below_raising_body(finding: Finding, unit: Unit) -> bool:
    """A responsible unit must lie strictly below the body that raised the finding."""
    raiser = finding.raised_by_unit.path
    return unit.path.startswith(raiser) and unit.path != raiser


def _unit_below_raising_body(ctx: Context, params: Mapping[str, Any]) -> Message | None:
    """The new responsible unit lies strictly below the raising body (and is not the actor's)."""
    unit = ctx.payload.get(params["field"])
    if unit is None or (unit.id != ctx.actor.unit_id and below_raising_body(ctx.finding, unit)):
        return None
    return {"zh": "责任单位须在提出问题的检查机构之下，不能是该机构本身或其上级，也不能是本单位。",
            "en": "The responsible unit must be below the body that raised the finding: not that "
                  "body, nor one above it, nor your own unit."}


def _actor_did_not_fire(ctx: Context, params: Mapping[str, Any]) -> Message | None:
    query = select(Event.id).where(
        Event.finding_id == ctx.finding.id,
        Event.trigger == params["trigger"],
        Event.actor_id == ctx.actor.id,
    )
    if ctx.session.execute(query.limit(1)).first() is None:
        return None
    return {
        "zh": "不能复核自己报送的整改。",
        "en": "You cannot confirm a rectification you reported yourself.",
    }


def _not_acknowledged(ctx: Context, params: Mapping[str, Any]) -> Message | None:
    if ctx.finding.acknowledged_at is None:
        return None
    return {"zh": "已签收，无需重复签收。", "en": "This finding is already acknowledged."}


def _lookback_due(ctx: Context, params: Mapping[str, Any]) -> Message | None:
    due = ctx.finding.lookback_due_date
    if due is not None and due <= ctx.today:
        return None
    if due is not None:
        return {"zh": f"回头看定于 {due.isoformat()}，届时再进行。",
                "en": f"The look-back is due on {due.isoformat()}, not before."}
    return {"zh": "该问题没有待进行的回头看。", "en": "No look-back is due on this finding."}


def _set_due_date(ctx: Context, params: Mapping[str, Any]) -> None:
    value = ctx.payload.get(params["field"])
    if value is not None:
        ctx.finding.due_date = value


def _set_requirement(ctx: Context, params: Mapping[str, Any]) -> None:
    value = ctx.payload.get(params["field"])
    if value:
        ctx.finding.requirement = value


def _set_pending_due_date(ctx: Context, params: Mapping[str, Any]) -> None:
    value = ctx.payload.get(params["field"])
    if value is not None:
        ctx.finding.pending_due_date = value


def _apply_pending_due_date(ctx: Context, params: Mapping[str, Any]) -> None:
    if ctx.finding.pending_due_date is not None:
        ctx.finding.due_date = ctx.finding.pending_due_date
    ctx.finding.pending_due_date = None


def _clear_pending_due_date(ctx: Context, params: Mapping[str, Any]) -> None:
    ctx.finding.pending_due_date = None


def _clear_due_date(ctx: Context, params: Mapping[str, Any]) -> None:
    ctx.finding.due_date = None


def _count_rework(ctx: Context, params: Mapping[str, Any]) -> None:
    ctx.finding.rework_rounds += 1
    ctx.finding.rectified_at = None
    ctx.finding.rectified_on = None


def _record_rectified_at(ctx: Context, params: Mapping[str, Any]) -> None:
    ctx.finding.rectified_at = ctx.now
    ctx.finding.rectified_on = ctx.today


def _reassign_unit(ctx: Context, params: Mapping[str, Any]) -> None:
    unit: Unit | None = ctx.payload.get(params["field"])
    if unit is not None:
        ctx.finding.unit_id, ctx.finding.unit = unit.id, unit


GUARDS: Mapping[str, Guard] = {
    "date_after_due_date": Guard(_date_after_due_date, {"field": "field:date"}, _day_after_due_date),
    "unit_differs": Guard(_unit_differs, {"field": "field:unit"}),
    # Shipped definitions name it by its first, narrower name; both mean the same rule.
    "unit_not_the_actors": Guard(_unit_below_raising_body, {"field": "field:unit"}),
    "unit_below_raising_body": Guard(_unit_below_raising_body, {"field": "field:unit"}),
    "actor_did_not_fire": Guard(_actor_did_not_fire, {"trigger": "trigger"}),
    "not_acknowledged": Guard(_not_acknowledged, {},
                              sql=lambda today: Finding.acknowledged_at.is_(None)),
    "lookback_due": Guard(_lookback_due, {}, sql=lambda today: Finding.lookback_due_date <= today),
    **LINK_GUARDS,
    **PARTY_GUARDS,
}

EFFECTS: Mapping[str, Effect] = {
    "set_due_date": Effect(_set_due_date, {"field": "field:date"}),
    "clear_due_date": Effect(_clear_due_date, {}),
    "set_requirement": Effect(_set_requirement, {"field": "field:text"}),
    "set_pending_due_date": Effect(_set_pending_due_date, {"field": "field:date"}),
    "apply_pending_due_date": Effect(_apply_pending_due_date, {}),
    "clear_pending_due_date": Effect(_clear_pending_due_date, {}),
    "count_rework": Effect(_count_rework, {}),
    "record_rectified_at": Effect(_record_rectified_at, {}),
    "reassign_unit": Effect(_reassign_unit, {"field": "field:unit"}),
    **TIME_EFFECTS,
    **LINK_EFFECTS,
    **PARTY_EFFECTS,
}

__all__ = ["EFFECTS", "GUARDS", "Context", "Effect", "Guard", "Message", "ParamKinds",
           "earliest_dates"]


def offered(ctx: Context, spec: TransitionSpec) -> bool:
    """Whether the guards that read only the finding and the day let the transition through."""
    return all((GUARDS[g.name].sql is None and GUARDS[g.name].actor_sql is None)
               or GUARDS[g.name].check(ctx, g.params) is None for g in spec.guards)


def earliest_dates(spec: TransitionSpec, finding: Finding) -> dict[str, date]:
    """Per date field of `spec`, the earliest date its guards accept on `finding` now."""
    out: dict[str, date] = {}
    for rule in spec.guards:
        guard = GUARDS[rule.name]
        field = guard.field_of(rule.params)
        earliest = guard.earliest(finding, rule.params) if guard.earliest else None
        if field and earliest and (field not in out or earliest > out[field]):
            out[field] = earliest
    return out
