"""Child findings: one problem that needs several units, split into one finding per unit (the
parent's `raise_child` effect), each raised and assigned at once; listed on the parent."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from workflow.errors import DefinitionError
from workflow.models import Finding, Unit, User
from workflow.payload import clean, unit_record
from workflow.rule_context import Context
from workflow.services.firing import check_guards, payload_lookup, refusal, write_transition
from workflow.services.raising import derived_finding, next_code, start
from workflow.spec.model import Lifecycle
from workflow.spec.split_checks import ASSIGN

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

TITLE_LIMIT = 300  # a finding's title, at most (raising's title field)


def plan_child(ctx: Context, lifecycle: str, fields: Mapping[str, str]) -> None:
    """The parent's effect: take the child's code now (the parent's event records it) and raise
    the child once that event exists. `fields` names the split's unit, title, requirement and
    due-date fields."""
    uow, parent, actor, now = ctx.uow, ctx.finding, ctx.actor, ctx.now
    assert uow is not None, "raising a child finding needs the unit of work"
    spec = uow.registry.get(lifecycle)
    unit: Unit = ctx.payload[fields["unit"]]
    title = ctx.payload.get(fields["title"]) or default_title(parent.title, unit)
    with uow.session.no_autoflush:  # the parent's row is written once, with its event
        code = next_code(uow.session, now.astimezone(uow.zone).year)
    ctx.facts["child"] = code
    assignment = {"requirement": ctx.payload.get(fields["requirement"]),
                  "due_date": ctx.payload.get(fields["due_date"])}
    ctx.later.append(lambda: raise_child(uow, spec, parent, actor, now, code, unit, title,
                                         assignment))


def default_title(parent_title: str, unit: Unit) -> str:
    """"<parent title>（<unit name>）", the parent's title shortened to fit."""
    suffix = f"（{unit.name_zh}）"
    return parent_title[:TITLE_LIMIT - len(suffix)] + suffix


def raise_child(uow: UnitOfWork, spec: Lifecycle, parent: Finding, actor: User, now: datetime,
                code: str, unit: Unit, title: str, assignment: Mapping[str, Any]) -> Finding:
    """Raise the child (its 'raise' event records the parent's code) and assign it to its unit
    through its lifecycle's own `assign` (its fields, guards, effects and notifications)."""
    child = derived_finding(uow, spec, parent, actor, now, code, title=title, unit_id=unit.id,
                            unit=unit, requirement="", parent_id=parent.id)
    start(uow, spec, child, actor, {
        "lifecycle": spec.key, "parent": parent.code, "title": title, "unit": unit_record(unit),
        "category": child.category, "severity": child.severity,
        "inspection": child.inspection_id})
    uow.session.flush()  # the child's id: its notifications link to it
    assign = spec.transition(child.state, ASSIGN)
    if assign is None:
        raise DefinitionError([f"{spec.key}: no '{ASSIGN}' from '{child.state}' for a child"])
    refused = refusal(actor, assign, child)
    if refused is not None:
        raise refused
    given = {name: value for name, value in assignment.items() if value is not None}
    cleaned = clean(assign.fields, given, payload_lookup(uow, child, actor))
    ctx = Context(uow.session, child, actor, cleaned.values, now, uow.today(), spec, uow)
    check_guards(ctx, assign)
    uow.session.add(write_transition(uow, ctx, spec, assign, cleaned))
    return child
