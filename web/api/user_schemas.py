"""The users API's request and response schemas (types only: workflow.services.accounts and
user_search check the values)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from web.api.schemas import UnitRef, id_field
from workflow.services.accounts import LANGUAGES, MAX_PASSWORD, MIN_PASSWORD, USERNAME
from workflow.services.user_search import PAGE_SIZE
from workflow.spec.model import ROLES


class UserOut(Schema):
    id = fields.Int()
    username = fields.Str()
    display_name = fields.Str()
    roles = fields.Function(lambda u: sorted(u.role_set))
    unit = fields.Nested(UnitRef)
    language = fields.Str()
    active = fields.Bool()
    email = fields.Str()


class UserIn(Schema):
    username = fields.Str(required=True, validate=validate.Regexp(USERNAME))
    display_name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    password = fields.Str(required=True, load_only=True,
                          validate=validate.Length(min=MIN_PASSWORD, max=MAX_PASSWORD))
    roles = fields.List(fields.Str(validate=validate.OneOf(ROLES)), required=True,
                        validate=validate.Length(min=1))
    unit_id = id_field(required=True)
    language = fields.Str(load_default="zh_CN", validate=validate.OneOf(LANGUAGES))
    email = fields.Str(load_default="", metadata={"description": "optional; checked by the "
                                                  "same rule as the account page"})


class UserPatch(Schema):
    display_name = fields.Str(validate=validate.Length(min=1, max=200))
    password = fields.Str(load_only=True,
                          validate=validate.Length(min=MIN_PASSWORD, max=MAX_PASSWORD))
    roles = fields.List(fields.Str(validate=validate.OneOf(ROLES)), validate=validate.Length(min=1))
    unit_id = id_field()
    language = fields.Str(validate=validate.OneOf(LANGUAGES))
    active = fields.Bool()
    email = fields.Str(metadata={"description": "An e-mail address, or empty to remove it"})


class UserArgs(Schema):
    """Types only: workflow.services.user_search.find_users checks the values."""

    q = fields.Str(load_default="", metadata={"description": "Text in the username, name or "
                                                             "e-mail"})
    unit = id_field(query=True, load_default=None,
                    metadata={"description": "A unit: its users and those of the units below"})
    role = fields.Str(load_default="", metadata={"enum": list(ROLES)})
    page = fields.Int(load_default=1, metadata={"description": f"From 1; {PAGE_SIZE} a page"})

