"""Marshmallow schemas: the API contract for requests and responses."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, fields, validate

from web.api.link_schemas import ChildrenOut, LinkedFinding, LinksOut
from web.forms import ID_MAX, form_fields
from web.i18n import lang
from workflow.models import Finding
from workflow.services.ledger_args import Id
from workflow.services.ledger_args import LedgerArgs as LedgerArgs  # the ledger's one contract
from workflow.spec.model import TransitionSpec


def id_field(*, query: bool = False, **kwargs: Any) -> fields.Int:
    """A row id: a JSON integer (in a query string: digits) within the databases' integer range."""
    return Id(strict=not query, validate=validate.Range(min=1, max=ID_MAX), **kwargs)


class Error(Schema):
    """Every error answer (web/errors.py writes it); flask-smorest's ERROR_SCHEMA, so the
    document has this one `Error` schema."""

    code = fields.Int(required=True, metadata={"description": "The HTTP status code"})
    status = fields.Str(required=True, metadata={"description": "The HTTP status name"})
    message = fields.Str(required=True, metadata={"description": "In the caller's language"})
    errors = fields.Dict(keys=fields.Str(), values=fields.Str(),
                         metadata={"description": "Field name -> what is wrong with it"})
    allowed = fields.List(fields.Str(), metadata={"description": "409 on a transition: the "
                                                  "triggers the caller may fire now"})


ApiError = Error  # the name the API modules import


class TokenRequest(Schema):
    username = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    password = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    label = fields.Str(load_default="api", validate=validate.Length(max=200))
    expires_in_days = fields.Int(load_default=None, allow_none=True,
                                 validate=validate.Range(min=1, max=3650))


class TokenResponse(Schema):
    token = fields.Str(required=True)
    user = fields.Str(required=True)
    expires_at = fields.DateTime(required=True)


class TokenOut(Schema):
    id = fields.Int()
    label = fields.Str()
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)


class UnitRef(Schema):
    id = fields.Int()
    code = fields.Str()
    name = fields.Method("get_name")

    def get_name(self, obj: Any) -> str:
        return str(obj.name(lang()))


class ChoiceOut(Schema):
    value = fields.Str()
    label = fields.Str()


class FieldOut(Schema):
    name = fields.Str()
    type = fields.Str()
    label = fields.Str()
    required = fields.Bool()
    min_length = fields.Int(allow_none=True)
    max_length = fields.Int(allow_none=True)
    min_date = fields.Date(allow_none=True)
    max_date = fields.Date(allow_none=True)
    minimum = fields.Float(allow_none=True)
    maximum = fields.Float(allow_none=True)
    integer = fields.Bool()
    min_count = fields.Int()
    max_count = fields.Int(allow_none=True)
    choices = fields.List(fields.Nested(ChoiceOut))


class TransitionOut(Schema):
    trigger = fields.Str()
    label = fields.Str()
    sources = fields.List(fields.Str())
    dest = fields.Str()
    roles = fields.List(fields.Str())
    fields_ = fields.List(fields.Nested(FieldOut), data_key="fields")


def transition_out(spec: TransitionSpec, finding: Finding, today: date) -> dict[str, Any]:
    """A transition as offered on this finding: date limits include its guards' (as the forms)."""
    return {"trigger": spec.trigger, "label": spec.label(lang()),
            "dest": spec.dest_from(finding.state), "roles": list(spec.roles),
            "fields_": form_fields(spec, finding, today)}


class LightOut(Schema):
    """The traffic light (workflow.services.light); colour null when the deadline does not run."""

    colour = fields.Str(allow_none=True, metadata={"enum": ["green", "yellow", "red", None]})
    working_days_left = fields.Int(allow_none=True)
    working_days_overdue = fields.Int(allow_none=True)
    level = fields.Int(metadata={"description": "0 not overdue; when red, the escalation "
                                                "ladder's overdue level, at least 1"})
    estimated = fields.Bool(metadata={"description": "counted across a year whose holidays "
                                                     "are not yet known (weekends only)"})


class DelayOut(Schema):
    """Working days past a deadline (workflow.services.delays)."""

    working_days = fields.Int()
    until = fields.Date(metadata={"description": "The report or decision; today while running"})
    running = fields.Bool(metadata={"description": "Still growing: nothing reported or decided"})
    estimated = fields.Bool()


class DelaysOut(Schema):
    unit = fields.Nested(DelayOut, allow_none=True, metadata={
        "description": "Past the due date, to the report (or today while the unit owes it)"})
    reviewer = fields.Nested(DelayOut, allow_none=True, metadata={
        "description": "Past the follow-up check deadline, to the decision (or today)"})


class FindingOut(Schema):
    id = fields.Int()
    code = fields.Str()
    title = fields.Str()
    description = fields.Str()
    category = fields.Str()
    severity = fields.Str()
    unit = fields.Nested(UnitRef)
    raised_by_unit = fields.Nested(UnitRef, metadata={
        "description": "The body that raised the finding, recorded when it was raised"})
    inspection_id = fields.Int(allow_none=True)
    campaign_id = fields.Int(allow_none=True)
    requirement = fields.Str()
    due_date = fields.Date(allow_none=True)
    pending_due_date = fields.Date(allow_none=True)
    lifecycle = fields.Str()
    lifecycle_version = fields.Int()
    state = fields.Str()
    state_label = fields.Str()
    is_open = fields.Bool()
    overdue = fields.Bool()
    light = fields.Nested(LightOut)
    rework_rounds = fields.Int()
    version = fields.Int()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    rectified_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    acknowledged_at = fields.DateTime(allow_none=True, metadata={"description": "签收"})
    acknowledge_due_date = fields.Date(allow_none=True)
    unacknowledged = fields.Bool(metadata={"description": "Awaiting the unit's 签收"})
    review_due_date = fields.Date(allow_none=True, metadata={
        "description": "The follow-up check deadline (复查时限)"})
    lookback_due_date = fields.Date(allow_none=True, metadata={"description": "回头看"})
    overdue_level = fields.Int(metadata={"description": "Raised by the escalation ladder"})
    recurrences = fields.Int()
    recurrence_of = fields.Str(allow_none=True, metadata={
        "description": "Code of the finding this one recurs of"})


class PartyOut(Schema):
    role = fields.Str(metadata={"description": "addressee (the body an escalation is addressed "
                                               "to), lead (牵头单位) or co_responsible (配合单位)"})
    unit = fields.Nested(UnitRef)
    part = fields.Str(metadata={"description": "The part of the problem a co-responsible unit "
                                               "owns (empty for the other roles)"})
    done = fields.Bool(metadata={"description": "A co-responsible unit has reported its part"})


class FindingDetail(FindingOut):
    transitions = fields.List(fields.Nested(TransitionOut))
    parties = fields.List(fields.Nested(PartyOut), metadata={
        "description": "Units with a role on the finding besides its responsible unit"})
    delays = fields.Nested(DelaysOut)
    recurrence_codes = fields.List(fields.Str(), metadata={
        "description": "Codes of the findings raised again as recurrences of this one"})
    parent = fields.Nested(LinkedFinding, allow_none=True, metadata={
        "description": "The finding this one was split off from (if you may see it)"})
    children = fields.Nested(ChildrenOut)
    links = fields.Nested(LinksOut)


class FindingPage(Schema):
    items = fields.List(fields.Nested(FindingOut))
    next_cursor = fields.Str(allow_none=True)


class FindingCreate(Schema):
    lifecycle = fields.Str(load_default="standard", validate=validate.Length(min=1, max=64))
    title = fields.Str(required=True)
    description = fields.Str(load_default="")
    category = fields.Str(required=True)
    severity = fields.Str(required=True)
    unit = id_field(required=True)
    requirement = fields.Str(load_default="")
    due_date = fields.Str(load_default=None, allow_none=True)
    inspection = id_field(load_default=None, allow_none=True)
    recurrence_of = id_field(load_default=None, allow_none=True, metadata={
        "description": "A closed finding of the same unit or its parent this one recurs of "
                       "(GET /api/v1/findings/similar offers them)"})
    evidence = fields.List(fields.Str(), load_default=list)


class FireRequest(Schema):
    version = id_field(load_default=None, allow_none=True,
                         metadata={"description": "Expected version; or send If-Match"})
    payload = fields.Dict(keys=fields.Str(), load_default=dict)  # documented per transition


IF_MATCH = {"in": "header", "name": "If-Match", "required": False,
            "schema": {"type": "string", "pattern": '^(W/)?"?[0-9]{1,9}"?$'},
            "description": "The finding's version you saw (or send `version` in the body; one "
                           "of them is required: 428 without). A stale version answers 409."}


class EventOut(Schema):
    seq = fields.Int()
    trigger = fields.Str()
    from_state = fields.Str(allow_none=True)
    to_state = fields.Str()
    actor = fields.Method("get_actor")
    payload = fields.Dict()
    created_at = fields.DateTime()
    hash = fields.Str()
    prev_hash = fields.Str()

    def get_actor(self, obj: Any) -> dict[str, Any]:
        return {"id": obj.actor.id, "username": obj.actor.username,
                "display_name": obj.actor.display_name}


class AttachmentOut(Schema):
    sha256 = fields.Str()
    size = fields.Int()
    media_type = fields.Str()
    original_name = fields.Str()
    url = fields.Str()
