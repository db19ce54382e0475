"""Units (and the declared unit kinds), users (admin), campaigns and inspections."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields
from werkzeug.exceptions import NotFound

from web.api.schemas import ApiError, UnitRef, id_field
from web.api.user_schemas import UserArgs, UserIn, UserOut, UserPatch
from web.auth import actor
from web.uow import get_uow, rectify
from workflow.catalog import METHODS
from workflow.errors import InvalidInput
from workflow.models import Campaign, Inspection, Unit, User
from workflow.services import accounts, units
from workflow.services.accounts import UserChange
from workflow.services.directory import (
    add_campaign,
    add_inspection,
    unit_in_view,
    visible_campaigns,
    visible_inspections,
    visible_units,
)
from workflow.services.user_search import UserFilter, find_users

PREFIX = ""
blp = Blueprint("api_directory", __name__, description="Units, users, campaigns, inspections")


class UnitOut(Schema):
    id = fields.Int()
    code = fields.Str()
    name_zh = fields.Str()
    name_en = fields.Str()
    kind = fields.Str(metadata={"description": "A key of GET /unit-kinds"})
    doc_prefix = fields.Str(metadata={"description": "Prefix of the unit's letter numbers, "
                                                     "e.g. 苏纪提 in 苏纪提〔2026〕12号; empty: none"})
    parent_id = fields.Int(allow_none=True)
    depth = fields.Function(lambda u: u.path.count("/") - 2)
    active = fields.Bool()


_KIND = {"description": "A declared unit kind: a key of GET /unit-kinds"}
_PREFIX = {"description": "Prefix of letter numbers (苏纪提 in 苏纪提〔2026〕12号): one line, "
                          f"no spaces inside, at most {units.PREFIX_MAX} characters; empty: none"}


class UnitIn(Schema):
    """Types only: workflow.services.units.add_unit checks the values (every error at once)."""

    code = fields.Str(required=True, metadata={"pattern": units.CODE.pattern})
    name_zh = fields.Str(required=True)
    name_en = fields.Str(metadata={"description": "Defaults to name_zh"})
    kind = fields.Str(required=True, metadata=_KIND)
    doc_prefix = fields.Str(metadata=_PREFIX)
    parent_id = id_field(allow_none=True)


class UnitPatch(Schema):
    """Types only: workflow.services.units.edit_unit checks the values; the parent: a move."""

    code = fields.Str(metadata={"pattern": units.CODE.pattern,
                                "description": "Unique; import files name units by it"})
    name_zh = fields.Str()
    name_en = fields.Str(metadata={"description": "Empty: the Chinese name"})
    kind = fields.Str(metadata=_KIND)
    doc_prefix = fields.Str(metadata=_PREFIX)


class UnitKindOut(Schema):
    key = fields.Str(metadata={"description": "Stored as a unit's kind"})
    zh = fields.Str()
    en = fields.Str()
    inspects = fields.Bool(metadata={"description": "Bodies of this kind organise campaigns "
                                                    "and raise findings on the units below"})
    description = fields.Str()


class CampaignOut(Schema):
    id = fields.Int()
    name = fields.Str()
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    scope = fields.Str()
    organiser = fields.Nested(UnitRef)


class CampaignIn(Schema):
    """Types only: workflow.services.directory.add_campaign checks the values."""

    name = fields.Str(required=True)
    starts_on = fields.Str(required=True, metadata={"format": "date"})
    ends_on = fields.Str(allow_none=True, metadata={"format": "date"})
    scope = fields.Str()
    organiser_id = id_field(required=True)


class InspectionOut(Schema):
    id = fields.Int()
    campaign_id = fields.Int(allow_none=True)
    unit = fields.Nested(UnitRef)
    inspected_on = fields.Date()
    team = fields.Str()
    method = fields.Str()
    notes = fields.Str()


class InspectionIn(Schema):
    """Types only: workflow.services.directory.add_inspection checks the values."""

    campaign_id = id_field(allow_none=True)
    unit_id = id_field(required=True)
    inspected_on = fields.Str(required=True, metadata={"format": "date"})
    team = fields.Str()
    method = fields.Str(required=True, metadata={"enum": list(METHODS)})
    notes = fields.Str()


def require_admin() -> User:
    user = actor()
    if not user.has_role("admin"):
        abort(403, message=_("Only administrators may do this."))
    return user


def scoped_unit(unit_id: int | None, field: str) -> Unit:
    unit = unit_in_view(get_uow().session, actor(), unit_id)
    if unit is None:
        raise InvalidInput({field: {"zh": "单位不存在或不在您的管辖范围内。",
                                    "en": "There is no such unit within your scope."}})
    return unit


@blp.route("/units")
class Units(MethodView):
    @blp.response(200, UnitOut(many=True))
    def get(self) -> list[Unit]:
        """Units you may see: your unit's subtree (admins: the whole tree), in tree order."""
        return visible_units(get_uow().session, actor())

    @blp.arguments(UnitIn)
    @blp.response(201, UnitOut)
    @blp.alt_response(403, schema=ApiError)
    @blp.alt_response(422, schema=ApiError)
    def post(self, data: dict[str, Any]) -> Unit:
        """Add a unit of a declared kind under a parent in your scope (admin)."""
        return units.add_unit(get_uow(), actor(), data)


@blp.route("/units/<int:unit_id>")
class UnitItem(MethodView):
    @blp.arguments(UnitPatch)
    @blp.response(200, UnitOut)
    @blp.alt_response(403, schema=ApiError)
    @blp.alt_response(404, schema=ApiError)
    @blp.alt_response(422, schema=ApiError)
    def patch(self, data: dict[str, Any], unit_id: int) -> Unit:
        """Change a unit's code, names, kind or document-number prefix (admin; a unit in your
        scope). The fields sent change; the place in the tree changes by a move."""
        unit = unit_in_view(get_uow().session, actor(), unit_id)
        if unit is None:
            raise NotFound()
        return units.edit_unit(get_uow(), actor(), unit, data)


@blp.route("/unit-kinds")
class UnitKindList(MethodView):
    @blp.response(200, UnitKindOut(many=True))
    def get(self) -> list[Any]:
        """The kinds of unit this organisation declares (its unit kinds file), in its order,
        with their labels; `kind` of a unit is one of these keys."""
        return list(rectify().unit_kinds)


@blp.route("/users")
class Users(MethodView):
    @blp.arguments(UserArgs, location="query")
    @blp.response(200, UserOut(many=True), headers={
        "X-Total-Count": {"description": "Users matching", "schema": {"type": "integer"}},
        "X-Pages": {"description": "Pages of them", "schema": {"type": "integer"}}})
    @blp.alt_response(403, schema=ApiError)
    @blp.alt_response(422, schema=ApiError)
    def get(self, args: dict[str, Any]) -> tuple[list[User], int, dict[str, str]]:
        """Users (admin), by username, one page of them: as the admin's users page finds them
        (the same filter). The total and the number of pages are in the headers."""
        found = find_users(get_uow().session, actor(), UserFilter(
            text=args["q"], unit_id=args["unit"], role=args["role"], page=args["page"]))
        return found.users, 200, {"X-Total-Count": str(found.total), "X-Pages": str(found.pages)}

    @blp.arguments(UserIn)
    @blp.response(201, UserOut)
    @blp.alt_response(403, schema=ApiError)
    @blp.alt_response(422, schema=ApiError)
    def post(self, data: dict[str, Any]) -> User:
        """Create a user (admin)."""
        admin = require_admin()
        return accounts.add_user(get_uow(), admin, data["username"], data["display_name"],
                                 data["password"], data["roles"],
                                 scoped_unit(data["unit_id"], "unit_id"), data["language"],
                                 data["email"])


@blp.route("/users/<int:user_id>")
class UserItem(MethodView):
    @blp.arguments(UserPatch)
    @blp.response(200, UserOut)
    @blp.alt_response(403, schema=ApiError)
    @blp.alt_response(404, schema=ApiError)
    @blp.alt_response(422, schema=ApiError)
    def patch(self, data: dict[str, Any], user_id: int) -> User:
        """Change a user's roles, unit, language, password or active flag (admin). A new
        password, other roles, another unit or deactivation end the user's sessions; the last
        active admin can be neither demoted nor deactivated (422)."""
        admin, uow = require_admin(), get_uow()
        user = uow.session.get(User, user_id)
        if user is None:
            raise NotFound()
        if "unit_id" in data:
            data["unit"] = scoped_unit(data.pop("unit_id"), "unit_id")
        return accounts.update_user(uow, admin, user, UserChange(**data))


@blp.route("/campaigns")
class Campaigns(MethodView):
    @blp.response(200, CampaignOut(many=True))
    def get(self) -> list[Campaign]:
        """Inspection campaigns (专项检查) organised in your subtree or above you, newest first."""
        return visible_campaigns(get_uow().session, actor())

    @blp.arguments(CampaignIn)
    @blp.response(201, CampaignOut)
    @blp.alt_response(403, schema=ApiError)
    @blp.alt_response(422, schema=ApiError)
    def post(self, data: dict[str, Any]) -> Campaign:
        """Create a campaign organised by a unit in your scope (admin, supervisor)."""
        return add_campaign(get_uow(), actor(), data)


@blp.route("/inspections")
class Inspections(MethodView):
    @blp.response(200, InspectionOut(many=True))
    def get(self) -> list[Inspection]:
        """Inspections of units in your scope, newest first."""
        return visible_inspections(get_uow().session, actor())

    @blp.arguments(InspectionIn)
    @blp.response(201, InspectionOut)
    @blp.alt_response(403, schema=ApiError)
    @blp.alt_response(422, schema=ApiError)
    def post(self, data: dict[str, Any]) -> Inspection:
        """Record an inspection visit to a unit in your scope, optionally in a campaign you
        can see (inspectors, admins)."""
        return add_inspection(get_uow(), actor(), data)
