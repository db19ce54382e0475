"""Which units a unit picker offers for a purpose: the one rule behind every unit chooser.

Purposes: "filter" (a list filter: every unit in the actor's scope, deactivated ones too),
"choose" (a form choosing a unit in scope: admin forms, letters' bodies), "raise" (a finding's
responsible unit: in scope, never the raising body itself), "letter" (a letter's addressees:
any active unit in the tree, never the issuing body; letter_input checks against this offer) and
"field:<lifecycle>:<version>:<trigger>:<field>" (a transition's unit field: in scope, or any
unit when the field declares `scope: all`). Offers are a convenience; every submitted unit is
still checked by the rules of the form that receives it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, true

from workflow.errors import InvalidInput, UnknownLifecycle
from workflow.models import Unit, User
from workflow.services.scope import units_clause
from workflow.text import as_id

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

PURPOSES = ("filter", "choose", "raise", "letter")  # and "field:..." (see the module docstring)
BAD_PURPOSE = {"zh": "未知的单位选择用途。", "en": "The purpose of this unit choice is not known."}


@dataclass(frozen=True)
class Offer:
    """The units offered: in the actor's scope (or everywhere), active only, the actor's own
    unit selectable or not (it may still be browsed through)."""

    actor: User
    everywhere: bool = False
    active_only: bool = True
    own_unit_selectable: bool = True

    def visible(self) -> ColumnElement[bool]:
        """WHERE clause on Unit: the units that may be listed (browsed or picked)."""
        scope = true() if self.everywhere else units_clause(self.actor)
        return and_(scope, Unit.active.is_(True)) if self.active_only else scope

    def selectable(self, unit_id: int) -> bool:
        return self.own_unit_selectable or unit_id != self.actor.unit_id


def offer_for(uow: UnitOfWork, actor: User, purpose: object) -> Offer:
    """The offer of a purpose; InvalidInput naming 'purpose' for an unknown one."""
    if purpose == "filter":
        return Offer(actor, active_only=False)
    if purpose == "choose":
        return Offer(actor)
    if purpose == "raise":  # the inspecting body's own unit is never a responsible unit
        return Offer(actor, own_unit_selectable=False)
    if purpose == "letter":  # a letter may go to any body but the one that sends it
        return Offer(actor, everywhere=True, own_unit_selectable=False)
    if isinstance(purpose, str) and purpose.startswith("field:"):
        return Offer(actor, everywhere=_field_scope(uow, actor, purpose) == "all")
    raise InvalidInput({"purpose": BAD_PURPOSE})


def _field_scope(uow: UnitOfWork, actor: User, purpose: str) -> str:
    """The declared scope of a transition's unit field, if the actor holds one of the
    transition's roles (else, or for a field that does not exist, InvalidInput)."""
    parts = purpose.split(":")
    version = as_id(parts[2]) if len(parts) == 5 else None
    try:
        lifecycle = uow.registry.get(parts[1], version) if version else None
    except UnknownLifecycle:
        lifecycle = None
    spec = next((t for t in lifecycle.transitions if t.trigger == parts[3]), None) \
        if lifecycle else None
    field = spec.field(parts[4]) if spec else None
    if spec is None or field is None or field.type != "unit" or not actor.has_role(*spec.roles):
        raise InvalidInput({"purpose": BAD_PURPOSE})
    return field.unit_scope


def field_purpose(lifecycle: str, version: int, trigger: str, field: str) -> str:
    """The purpose string of a transition's unit field (what its picker asks the server for)."""
    return f"field:{lifecycle}:{version}:{trigger}:{field}"
