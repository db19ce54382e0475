"""Burden on the grassroots: other bodies' inspections near a visit, and findings a new one
may repeat (the same services as the pages: inspection_burden, duplicates)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from web.api.directory import InspectionOut
from web.api.link_schemas import LinkedFinding
from web.api.links import linked_out
from web.api.schemas import ApiError, UnitRef, id_field
from web.auth import actor
from web.uow import get_uow
from workflow.services.duplicates import suggestions_for
from workflow.services.inspection_burden import overlaps_checked

PREFIX = ""
blp = Blueprint("api_burden", __name__,
                description="Burden on the grassroots (减轻基层负担): overlaps and duplicates")


class OverlapArgs(Schema):
    unit_id = id_field(query=True, required=True)
    inspected_on = fields.Str(required=True, metadata={"format": "date"})


class OverlapOut(Schema):
    inspection = fields.Nested(InspectionOut)
    body = fields.Nested(UnitRef, allow_none=True,
                         metadata={"description": "The recorder's unit; null if none"})


class SimilarArgs(Schema):
    unit = id_field(query=True, required=True)
    title = fields.Str(required=True, validate=validate.Length(min=1, max=300))
    description = fields.Str(load_default="", validate=validate.Length(max=4000))


class SuggestionOut(Schema):
    finding = fields.Nested(LinkedFinding)
    score = fields.Float(metadata={"description": "Character n-gram similarity, 0 to 1"})
    recurrence = fields.Bool(metadata={"description": "Closed: raise the new one as its "
                                                      "recurrence (recurrence_of)"})


@blp.route("/inspections/overlaps")
class InspectionOverlaps(MethodView):
    @blp.arguments(OverlapArgs, location="query")
    @blp.response(200, OverlapOut(many=True))
    @blp.alt_response(422, schema=ApiError)
    def get(self, args: dict[str, Any]) -> list[Any]:
        """Inspections of the unit or its parent by other bodies than yours within
        RECTIFY_INSPECTION_OVERLAP_DAYS of the date (不准搞重复多头检查), nearest first."""
        uow = get_uow()
        return overlaps_checked(uow.session, actor(), args["unit_id"], args["inspected_on"],
                                uow.burden_policy)


@blp.route("/findings/similar")
class SimilarFindings(MethodView):
    @blp.arguments(SimilarArgs, location="query")
    @blp.response(200, SuggestionOut(many=True))
    @blp.alt_response(422, schema=ApiError)
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Findings you may see, of the unit or its parent, open or closed within 180 days,
        that a new finding with this title and description may repeat; best first."""
        uow = get_uow()
        hits = suggestions_for(uow.session, actor(), args["unit"], args["title"],
                               args["description"], uow.now())
        return [{"finding": linked_out(s.finding), "score": s.score,
                 "recurrence": s.recurrence} for s in hits]
