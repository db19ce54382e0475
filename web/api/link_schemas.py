"""Marshmallow schemas of links between findings: parent, children, related, recurrence."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class LinkedFinding(Schema):
    """Another finding as a link shows it (only ever one the caller may see)."""

    id = fields.Int()
    code = fields.Str()
    title = fields.Str()
    unit = fields.Str(metadata={"description": "Its responsible unit's name"})
    state = fields.Str(metadata={"description": "The state's label in the caller's language"})
    is_open = fields.Bool()
    due_date = fields.Date(allow_none=True)
    light = fields.Nested("LightOut")  # by name: web.api.schemas imports this module


class ChildrenOut(Schema):
    items = fields.List(fields.Nested(LinkedFinding), metadata={
        "description": "The child findings you may see, oldest first"})
    total = fields.Int(metadata={"description": "Every child, seen or not"})
    closed = fields.Int(metadata={"description": "Children ended (closed, waived, withdrawn): "
                                                 "the parent closes when closed == total"})


class RelatedOut(Schema):
    link_id = fields.Int()
    finding = fields.Nested(LinkedFinding)
    note = fields.Str()
    direction = fields.Str(metadata={"enum": ["to", "from"], "description": "'to': this finding "
                                     "was linked to the other; 'from': the other to this one"})


class LinksOut(Schema):
    related = fields.List(fields.Nested(RelatedOut))
    recurrence_of = fields.Nested(LinkedFinding, allow_none=True)
    recurrences = fields.List(fields.Nested(LinkedFinding))
    hidden = fields.Int(metadata={"description": "Linked findings outside your scope, not shown"})


class LinkCreate(Schema):
    to = fields.Str(required=True, validate=validate.Length(min=1, max=32), metadata={
        "description": "The code of the finding to link to (e.g. 2026-0007)"})
    note = fields.Str(load_default="", metadata={"description": "Why they are related"})


class LinkOut(Schema):
    id = fields.Int()
    from_code = fields.Str()
    to_code = fields.Str()
    note = fields.Str()
