"""Deactivating and reactivating a unit (admin). A deactivated unit is offered nowhere and
refused wherever a unit is chosen (workflow.payload: raising, transition fields, parents,
campaigns, inspections, import); its existing findings stay visible and workable.

Refused while the unit has active sub-units (deactivate those first, or move them); its open
findings and active users are counted for the admin beforehand (unit_sight.unit_load) and
written to the admin log, but do not block: the findings are still worked on to the end."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflow.errors import Forbidden, InvalidInput
from workflow.models import Unit, User
from workflow.services.admin_log import record
from workflow.services.permissions import require
from workflow.services.scope import unit_in_scope
from workflow.services.unit_sight import unit_load

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork


def _allowed(actor: User, unit: Unit) -> None:
    require(actor, "deactivate_unit")
    if not unit_in_scope(actor, unit):
        raise Forbidden(f"Unit {unit.code} is outside the actor's scope.")


def deactivate_unit(uow: UnitOfWork, actor: User, unit: Unit) -> Unit:
    """Mark the unit inactive (see the module); written to the admin log; commits."""
    _allowed(actor, unit)
    if not unit.active:
        raise InvalidInput({"active": {"zh": "该单位已停用。", "en": "The unit is already deactivated."}})
    load = unit_load(uow.session, unit)
    if load.active_children:
        raise InvalidInput({"active": {
            "zh": f"该单位还有 {load.active_children} 个启用的下级单位：请先停用或移走。",
            "en": f"The unit has {load.active_children} active sub-units: deactivate or move "
                  "them first."}})
    unit.active = False
    record(uow.session, actor, "deactivate", unit, {
        "old": {"active": True}, "new": {"active": False},
        "open_findings": load.open_findings, "active_users": load.active_users})
    uow.commit()
    return unit


def reactivate_unit(uow: UnitOfWork, actor: User, unit: Unit) -> Unit:
    """Mark the unit active again, under an active parent; written to the admin log; commits."""
    _allowed(actor, unit)
    if unit.active:
        raise InvalidInput({"active": {"zh": "该单位已启用。", "en": "The unit is already active."}})
    if unit.parent is not None and not unit.parent.active:
        raise InvalidInput({"active": {"zh": "上级单位已停用：请先启用上级单位。",
                                       "en": "Its parent is deactivated: reactivate the parent first."}})
    unit.active = True
    record(uow.session, actor, "reactivate", unit, {"old": {"active": False}, "new": {"active": True}})
    uow.commit()
    return unit
