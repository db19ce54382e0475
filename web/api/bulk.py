"""Bulk actions on a selection of findings: one trigger and one payload, a result per finding."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from web.api.schemas import ApiError, id_field
from web.auth import actor
from web.bulk_results import results_view
from web.forms import ID_MAX
from web.uow import get_uow
from workflow.services.bulk import BULK_TRIGGERS, MAX_FINDINGS, fire_many

PREFIX = "/findings/bulk"
blp = Blueprint("api_bulk", __name__, description="Bulk actions on a selection of findings")


class BulkRequest(Schema):
    findings = fields.List(id_field(), required=True,
                           validate=validate.Length(min=1, max=MAX_FINDINGS),
                           metadata={"description": "Finding ids (duplicates count once)"})
    trigger = fields.Str(required=True, validate=validate.OneOf(BULK_TRIGGERS))
    payload = fields.Dict(keys=fields.Str(), load_default=dict, metadata={
        "description": "The transition's fields, the same for every finding (see each "
                       "lifecycle's `<lifecycle>.v<version>.<trigger>` schema)"})
    versions = fields.Dict(keys=fields.Str(validate=validate.Regexp(r"^[0-9]{1,10}$")),
                           values=fields.Int(strict=True, validate=validate.Range(0, ID_MAX)),
                           load_default=dict, metadata={
                               "description": "Optional: finding id → the version you saw; a "
                                              "finding changed since is refused (stale)"})


class BulkResultOut(Schema):
    finding_id = fields.Int()
    code = fields.Str(allow_none=True, metadata={"description": "None when not found"})
    title = fields.Str(allow_none=True)
    state = fields.Str(allow_none=True, metadata={"description": "The state now"})
    state_label = fields.Str(allow_none=True)
    done = fields.Bool()
    message = fields.Str(allow_none=True, metadata={"description": "Why it was refused"})
    errors = fields.Dict(keys=fields.Str(), values=fields.Str())


class BulkOut(Schema):
    results = fields.List(fields.Nested(BulkResultOut))
    done = fields.Int()
    refused = fields.Int()


@blp.route("")
class BulkActions(MethodView):
    @blp.arguments(BulkRequest)
    @blp.response(200, BulkOut)
    @blp.alt_response(422, schema=ApiError, description="A request that cannot be right")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Fire one transition (assign, urge, confirm, reassign or withdraw) with one payload on
        up to 200 findings. Each goes through every check of the one-by-one endpoint and is
        committed on its own: the answer lists each finding as done (its new state) or refused
        (why); a finding you may not see is "not found", without its code."""
        versions = {int(k): v for k, v in data["versions"].items()}
        outcomes = fire_many(get_uow(), actor(), data["findings"], data["trigger"],
                             data["payload"], versions)
        return results_view(outcomes)
