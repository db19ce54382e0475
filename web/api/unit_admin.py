"""Unit administration (admin): move a unit with its subtree (preview, then confirm with the
preview's fingerprint), deactivate and reactivate it. Renaming: PATCH /units/{unit_id}."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from werkzeug.exceptions import NotFound

from web.api.directory import UnitOut
from web.api.schemas import ApiError, UnitRef, id_field
from web.auth import actor
from web.uow import get_uow
from workflow.models import Unit
from workflow.services.unit_move import MovePreview, move_unit, preview_move
from workflow.services.unit_status import deactivate_unit, reactivate_unit

PREFIX = ""
blp = Blueprint("api_unit_admin", __name__, description="Unit administration: move, deactivate")


class UserRef(Schema):
    id = fields.Int()
    username = fields.Str()
    display_name = fields.Str()
    unit = fields.Nested(UnitRef)


class MovePreviewOut(Schema):
    unit = fields.Nested(UnitRef)
    old_parent = fields.Nested(UnitRef)
    new_parent = fields.Nested(UnitRef)
    units_moved = fields.Int(metadata={"description": "The unit and every unit below it"})
    findings_total = fields.Function(lambda p: p.findings.total, metadata={
        "description": "Findings whose responsible unit moves"})
    findings_open = fields.Function(lambda p: p.findings.open)
    findings_as_party = fields.Function(lambda p: p.findings.as_party, metadata={
        "description": "Other findings where a moving unit is a party"})
    findings_raised_here = fields.Function(lambda p: p.findings.raised_here, metadata={
        "description": "Findings raised by a moving body: their recorded raising body stays"})
    gaining = fields.List(fields.Nested(UserRef), metadata={
        "description": "Users who will see the moved findings (at the new units above)"})
    losing = fields.List(fields.Nested(UserRef), metadata={
        "description": "Users who will no longer see them (at the old units above)"})
    fingerprint = fields.Str(metadata={"description": "Send it back to POST .../move"})


class MoveIn(Schema):
    parent_id = id_field(required=True)


class MoveConfirmIn(MoveIn):
    fingerprint = fields.Str(required=True, metadata={
        "description": "From the preview; a tree changed since is refused (409)"})


def _unit(unit_id: int) -> Unit:
    unit = get_uow().session.get(Unit, unit_id)
    if unit is None:
        raise NotFound()
    return unit


@blp.route("/units/<int:unit_id>/move-preview")
class UnitMovePreview(MethodView):
    @blp.arguments(MoveIn)
    @blp.response(200, MovePreviewOut)
    @blp.alt_response(403, schema=ApiError)
    @blp.alt_response(404, schema=ApiError)
    @blp.alt_response(422, schema=ApiError)
    def post(self, data: dict[str, Any], unit_id: int) -> MovePreview:
        """What moving the unit (with its subtree) under parent_id would change for scope;
        changes nothing (admin). The root never moves; a parent in the subtree is refused."""
        return preview_move(get_uow().session, actor(), _unit(unit_id), data["parent_id"])


@blp.route("/units/<int:unit_id>/move")
class UnitMove(MethodView):
    @blp.arguments(MoveConfirmIn)
    @blp.response(200, UnitOut)
    @blp.alt_response(403, schema=ApiError)
    @blp.alt_response(404, schema=ApiError)
    @blp.alt_response(409, schema=ApiError)
    @blp.alt_response(422, schema=ApiError)
    def post(self, data: dict[str, Any], unit_id: int) -> Unit:
        """Move the unit and its subtree under parent_id (admin), if the tree is still the
        one the preview's fingerprint names (409 otherwise: preview again)."""
        return move_unit(get_uow(), actor(), _unit(unit_id), data)


@blp.route("/units/<int:unit_id>/deactivate")
class UnitDeactivate(MethodView):
    @blp.response(200, UnitOut)
    @blp.alt_response(403, schema=ApiError)
    @blp.alt_response(404, schema=ApiError)
    @blp.alt_response(422, schema=ApiError)
    def post(self, unit_id: int) -> Unit:
        """Deactivate the unit (admin): chosen nowhere any more, its findings go on; refused
        (422, field active) while it has active sub-units."""
        return deactivate_unit(get_uow(), actor(), _unit(unit_id))


@blp.route("/units/<int:unit_id>/reactivate")
class UnitReactivate(MethodView):
    @blp.response(200, UnitOut)
    @blp.alt_response(403, schema=ApiError)
    @blp.alt_response(404, schema=ApiError)
    @blp.alt_response(422, schema=ApiError)
    def post(self, unit_id: int) -> Unit:
        """Reactivate the unit (admin), under an active parent."""
        return reactivate_unit(get_uow(), actor(), _unit(unit_id))
