"""Guards and effects a definition may name for linked findings: split a problem into one child
finding per unit (raise_child, new_child_unit), close the parent only after them (children_closed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import aliased

from workflow.models import Finding
from workflow.rule_context import Context, Effect, Guard, Message

_Child = aliased(Finding, name="child")
SHOWN = 5  # open children named in the refusal, at most


def _open_children() -> ColumnElement[bool]:
    return exists(select(_Child.id).where(_Child.parent_id == Finding.id, _Child.is_open))


def _children_closed(ctx: Context, params: Mapping[str, Any]) -> Message | None:
    """Every child finding is in a final state (closed, waived, withdrawn)."""
    codes = list(ctx.session.scalars(select(Finding.code).where(
        Finding.parent_id == ctx.finding.id, Finding.is_open).order_by(Finding.id)))
    if not codes:
        return None
    named = "、".join(codes[:SHOWN]) + ("…" if len(codes) > SHOWN else "")
    return {"zh": f"还有 {len(codes)} 个子问题未办结（{named}），全部办结后才能办结本问题。",
            "en": f"Child findings still open: {len(codes)} ({named.replace('、', ', ')}). "
                  "Close every child finding first."}


def _new_child_unit(ctx: Context, params: Mapping[str, Any]) -> Message | None:
    """The finding has no child for this unit yet (one child per unit)."""
    unit = ctx.payload.get(params["field"])
    if unit is None:
        return None
    code = ctx.session.scalar(select(Finding.code).where(
        Finding.parent_id == ctx.finding.id, Finding.unit_id == unit.id).limit(1))
    if code is None:
        return None
    return {"zh": f"该单位已有本问题的子问题 {code}。", "en": f"This unit already has child finding {code}."}


def _raise_child(ctx: Context, params: Mapping[str, Any]) -> None:
    from workflow.services.children import plan_child  # services import the guards

    fields = {name: params[name] for name in ("unit", "title", "requirement", "due_date")}
    plan_child(ctx, params["lifecycle"], fields)


LINK_GUARDS: Mapping[str, Guard] = {
    "children_closed": Guard(_children_closed, {}, sql=lambda today: ~_open_children()),
    "new_child_unit": Guard(_new_child_unit, {"field": "field:unit"}),
}

LINK_EFFECTS: Mapping[str, Effect] = {
    "raise_child": Effect(_raise_child, {"lifecycle": "lifecycle", "unit": "field:unit",
                                         "title": "field:text", "requirement": "field:text",
                                         "due_date": "field:date"}),
}
