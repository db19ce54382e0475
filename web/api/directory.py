"""Units, users (admin), campaigns and inspections."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from web.api.schemas import ApiError, UnitRef, id_field
from web.auth import actor
from web.uow import get_uow
from workflow.catalog import METHODS, UNIT_KINDS
from workflow.models import Campaign, Inspection, Unit, User
from workflow.services import accounts, directory
from workflow.services.accounts import LANGUAGES, MAX_PASSWORD, MIN_PASSWORD, USERNAME, UserChange
from workflow.services.directory import (
    unit_in_view,
    visible_campaigns,
    visible_inspections,
    visible_units,
)
from workflow.spec.model import ROLES

PREFIX = ""
blp = Blueprint("api_directory", __name__, description="Units, users, campaigns, inspections")


class UnitOut(Schema):
    id = fields.Int()
    code = fields.Str()
    name_zh = fields.Str()
    name_en = fields.Str()
    kind = fields.Str()
    parent_id = fields.Int(allow_none=True)
    depth = fields.Function(lambda u: u.path.count("/") - 2)
    active = fields.Bool()


class UnitIn(Schema):
    code = fields.Str(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{1,64}$"))
    name_zh = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    name_en = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.Str(required=True, validate=validate.OneOf(list(UNIT_KINDS)))
    parent_id = id_field(load_default=None, allow_none=True)


class UserOut(Schema):
    id = fields.Int()
    username = fields.Str()
    display_name = fields.Str()
    roles = fields.Function(lambda u: sorted(u.role_set))
    unit = fields.Nested(UnitRef)
    language = fields.Str()
    active = fields.Bool()


class UserIn(Schema):
    username = fields.Str(required=True, validate=validate.Regexp(USERNAME))
    display_name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    password = fields.Str(required=True, load_only=True,
                          validate=validate.Length(min=MIN_PASSWORD, max=MAX_PASSWORD))
    roles = fields.List(fields.Str(validate=validate.OneOf(ROLES)), required=True,
                        validate=validate.Length(min=1))
    unit_id = id_field(required=True)
    language = fields.Str(load_default="zh_CN", validate=validate.OneOf(LANGUAGES))


class UserPatch(Schema):
    display_name = fields.Str(validate=validate.Length(min=1, max=200))
    password = fields.Str(load_only=True,
                          validate=validate.Length(min=MIN_PASSWORD, max=MAX_PASSWORD))
    roles = fields.List(fields.Str(validate=validate.OneOf(ROLES)), validate=validate.Length(min=1))
    unit_id = id_field()
    language = fields.Str(validate=validate.OneOf(LANGUAGES))
    active = fields.Bool()


class CampaignOut(Schema):
    id = fields.Int()
    name = fields.Str()
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    scope = fields.Str()
    organiser = fields.Nested(UnitRef)


class CampaignIn(Schema):
    name = fields.Str(required=True, validate=validate.Length(min=2, max=200))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(load_default=None, allow_none=True)
    scope = fields.Str(load_default="", validate=validate.Length(max=4000))
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
    campaign_id = id_field(load_default=None, allow_none=True)
    unit_id = id_field(required=True)
    inspected_on = fields.Date(required=True)
    team = fields.Str(load_default="", validate=validate.Length(max=500))
    method = fields.Str(required=True, validate=validate.OneOf(list(METHODS)))
    notes = fields.Str(load_default="", validate=validate.Length(max=4000))


def require_admin() -> User:
    user = actor()
    if not user.has_role("admin"):
        abort(403, message="admin only")
    return user


def scoped_unit(unit_id: int | None, field: str) -> Unit:
    unit = unit_in_view(get_uow().session, actor(), unit_id)
    if unit is None:
        abort(422, errors={field: "no such unit within your scope"}, message="invalid unit")
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
        """Add a unit under a parent (admin)."""
        require_admin()
        parent = scoped_unit(data["parent_id"], "parent_id") if data["parent_id"] else None
        uow = get_uow()
        unit = directory.create_unit(uow.session, data["code"], data["name_zh"], data["name_en"],
                                     data["kind"], parent)
        uow.commit()
        return unit


@blp.route("/users")
class Users(MethodView):
    @blp.response(200, UserOut(many=True))
    @blp.alt_response(403, schema=ApiError)
    def get(self) -> list[User]:
        """All users (admin)."""
        require_admin()
        return accounts.all_users(get_uow().session)

    @blp.arguments(UserIn)
    @blp.response(201, UserOut)
    @blp.alt_response(403, schema=ApiError)
    @blp.alt_response(422, schema=ApiError)
    def post(self, data: dict[str, Any]) -> User:
        """Create a user (admin)."""
        require_admin()
        uow = get_uow()
        user = accounts.create_user(uow.session, data["username"], data["display_name"],
                                     data["password"], data["roles"],
                                     scoped_unit(data["unit_id"], "unit_id"), data["language"])
        uow.commit()
        return user


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
        require_admin()
        uow = get_uow()
        user = uow.session.get(User, user_id)
        if user is None:
            abort(404)
        if "unit_id" in data:
            data["unit"] = scoped_unit(data.pop("unit_id"), "unit_id")
        accounts.update_user(uow.session, user, UserChange(**data))
        uow.commit()
        return user


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
        """Create a campaign (admin, supervisor)."""
        if not actor().has_role("admin", "supervisor"):
            abort(403, message="admins and supervisors only")
        uow = get_uow()
        campaign = directory.create_campaign(
            uow.session, data["name"], scoped_unit(data["organiser_id"], "organiser_id"),
            data["starts_on"], data["ends_on"], data["scope"])
        uow.commit()
        return campaign


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
        """Record an inspection visit (inspectors, admins)."""
        user = actor()
        if not user.has_role("admin", "inspector"):
            abort(403, message="inspectors and admins only")
        uow = get_uow()
        campaign = uow.session.get(Campaign, data["campaign_id"]) if data["campaign_id"] else None
        if data["campaign_id"] and campaign is None:
            abort(422, errors={"campaign_id": "no such campaign"}, message="invalid campaign")
        inspection = directory.create_inspection(
            uow.session, scoped_unit(data["unit_id"], "unit_id"), data["inspected_on"],
            data["method"], campaign, data["team"], data["notes"], user)
        uow.commit()
        return inspection


