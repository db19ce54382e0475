"""The allow-list of guards and effects a definition may name; no other code is reachable from YAML."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.models import Event, Finding, Unit, User

if TYPE_CHECKING:  # the spec package imports this module: no import cycle at run time
    from workflow.spec.model import TransitionSpec

# A parameter kind: "field:<type>" names a field of that type declared on the same
# transition; "trigger" names a trigger of the same lifecycle.
ParamKinds = Mapping[str, str]
Message = dict[str, str]


@dataclass
class Context:
    """What a guard or effect may look at: the finding, who acts, the cleaned payload, the clock."""

    session: Session
    finding: Finding
    actor: User
    payload: Mapping[str, Any]
    now: datetime
    today: date


@dataclass(frozen=True)
class Guard:
    check: Callable[[Context, Mapping[str, Any]], Message | None]
    params: ParamKinds
    # The earliest date the guard accepts in its field on this finding (a date picker's min).
    earliest: Callable[[Finding, Mapping[str, Any]], date | None] | None = None

    def field_of(self, params: Mapping[str, Any]) -> str | None:
        """The payload field this guard judges (its field-kind parameter), if any."""
        return next((str(params[name]) for name, kind in self.params.items()
                     if kind.startswith("field:") and name in params), None)


@dataclass(frozen=True)
class Effect:
    apply: Callable[[Context, Mapping[str, Any]], None]
    params: ParamKinds


def _date_after_due_date(ctx: Context, params: Mapping[str, Any]) -> Message | None:
    wanted = ctx.payload.get(params["field"])
    due = ctx.finding.due_date
    if wanted is None or due is None or wanted > due:
        return None
    return {
        "zh": f"申请的日期必须晚于当前整改期限 {due.isoformat()}",
        "en": f"the requested date must be later than the current due date {due.isoformat()}",
    }


def _day_after_due_date(finding: Finding, params: Mapping[str, Any]) -> date | None:
    return finding.due_date + timedelta(days=1) if finding.due_date else None


def _unit_differs(ctx: Context, params: Mapping[str, Any]) -> Message | None:
    unit = ctx.payload.get(params["field"])
    if unit is None or unit.id != ctx.finding.unit_id:
        return None
    return {"zh": "新责任单位与当前责任单位相同", "en": "the new unit is the current unit"}


def below_raising_body(finding: Finding, unit: Unit) -> bool:
    """A responsible unit must lie strictly below the body that raised the finding."""
    raiser = finding.raised_by_unit.path
    return unit.path.startswith(raiser) and unit.path != raiser


def _unit_below_raising_body(ctx: Context, params: Mapping[str, Any]) -> Message | None:
    """The new responsible unit lies strictly below the raising body (and is not the actor's)."""
    unit = ctx.payload.get(params["field"])
    if unit is None or (unit.id != ctx.actor.unit_id and below_raising_body(ctx.finding, unit)):
        return None
    return {"zh": "责任单位须在提出问题的检查机构之下，不能是该机构本身或其上级，也不能是本单位",
            "en": "the responsible unit must be below the body that raised the finding: not that "
                  "body, nor one above it, nor your own unit"}


def _actor_did_not_fire(ctx: Context, params: Mapping[str, Any]) -> Message | None:
    query = select(Event.id).where(
        Event.finding_id == ctx.finding.id,
        Event.trigger == params["trigger"],
        Event.actor_id == ctx.actor.id,
    )
    if ctx.session.execute(query.limit(1)).first() is None:
        return None
    return {
        "zh": "不能复核自己报送的整改",
        "en": "you cannot confirm a rectification you reported yourself",
    }


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
}


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
