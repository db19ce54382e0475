"""Admin: the unit tree (a unit's page: admin_units.py), users, campaigns, inspections."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from web.auth import actor
from web.errors import describe
from web.pages.helpers import as_int
from web.uow import get_uow
from workflow.catalog import METHODS
from workflow.errors import InvalidInput, RectifyError
from workflow.models import Unit, User
from workflow.services import accounts, directory
from workflow.services import units as unit_service
from workflow.services.accounts import UserChange
from workflow.services.directory import (
    unit_in_view,
    visible_campaigns,
    visible_inspections,
)
from workflow.services.inspection_burden import Overlap, overlaps_for_form
from workflow.services.permissions import may
from workflow.services.unit_directory import unit_directory
from workflow.services.user_search import UserFilter, UserPage, find_users
from workflow.spec.model import ROLES

bp = Blueprint("admin", __name__)


# Pages whose rule lives in workflow.services.permissions; every other page here is for admins.
_ACTIONS = {"admin.units": "add_unit", "admin.unit_edit": "edit_unit",
            "admin.unit_move": "move_unit", "admin.unit_move_confirm": "move_unit",
            "admin.unit_active": "deactivate_unit", "admin.campaigns": "add_campaign",
            "admin.inspections": "add_inspection", "admin.inspection_overlaps": "add_inspection",
            "admin.users": "manage_users",
            "admin.user_edit": "manage_users"}


@bp.before_request
def _allowed_only() -> None:
    action = _ACTIONS.get(request.endpoint or "")
    if not (may(actor(), action) if action else actor().has_role("admin")):
        abort(403)


def _unit(value: Any, field: str) -> Unit:
    unit = unit_in_view(get_uow().session, actor(), as_int(value))
    if unit is None:
        raise InvalidInput({field: {"zh": "请选择单位。", "en": "Choose a unit."}})
    return unit


def handle_write(action: Callable[[], object], done: str, template: str,
                 **context: Any) -> ResponseReturnValue:
    """Run a write (the service commits); on success flash and redirect (to this page, or to
    context['redirect_to'] when given), on bad input re-render with every field error and every
    value and choice as sent."""
    redirect_to = context.pop("redirect_to", None)
    try:
        action()
    except RectifyError as exc:
        get_uow().session.rollback()
        message, errors = describe(exc)
        if not errors:  # refused as a whole (e.g. Forbidden): say why above the form
            flash(message, "error")
        return render_template(template, errors=errors, values=request.form, **context), 422
    flash(done, "success")
    return redirect(redirect_to or request.path)


def sent_form(*names: str) -> dict[str, str]:
    """The named form fields as sent (absent ones left out, so services see what was sent)."""
    return {name: request.form[name] for name in names if name in request.form}


def _directory() -> dict[str, Any]:
    """The directory's page as asked (`parent`, `q`, `page`); a bad argument: its error and
    the top of the tree."""
    session, args = get_uow().session, request.args
    try:
        found = unit_directory(session, actor(), args.get("parent"), args.get("q"),
                               args.get("page"))
        return {"found": found, "directory_errors": {}}
    except InvalidInput as exc:
        return {"found": unit_directory(session, actor()), "directory_errors": describe(exc)[1]}


@bp.route("/units", methods=["GET", "POST"])
def units():  # type: ignore[no-untyped-def]
    """The units directory (a level of the tree, or a search, a page at a time); add a unit."""
    context = {**_directory(), "kinds": get_uow().unit_kinds}
    if request.method == "GET":
        return render_template("admin/units.html", errors={}, values={}, **context)
    data = sent_form("code", "name_zh", "name_en", "kind", "doc_prefix", "parent_id")
    return handle_write(lambda: unit_service.add_unit(get_uow(), actor(), data), _("Unit added."),
                        "admin/units.html", **context)


def _id_or_zero(raw: str | None, absent: int | None) -> int | None:
    """An id from the query string: `absent` when not given, 0 (found nowhere) when not an id."""
    return absent if not raw else (as_int(raw) or 0)


def _user_page() -> tuple[UserPage | None, dict[str, str]]:
    """The page of users the query string asks for, or the field errors of the filter."""
    args = request.args
    wanted = UserFilter(text=args.get("q", ""), unit_id=_id_or_zero(args.get("in_unit"), None),
                        role=args.get("role", ""), page=_id_or_zero(args.get("page"), 1) or 0)
    try:
        return find_users(get_uow().session, actor(), wanted), {}
    except InvalidInput as exc:
        return None, describe(exc)[1]


@bp.route("/users", methods=["GET", "POST"])
def users():  # type: ignore[no-untyped-def]
    """Users: search by name, filter by unit and role, a page at a time; add a user."""
    found, filter_errors = _user_page()
    context = {"found": found, "filter_errors": filter_errors, "roles": ROLES,
               "args": request.args}
    if request.method == "GET":
        return render_template("admin/users.html", errors={}, values=MultiDict(),
                               **context), 422 if filter_errors else 200
    session, form = get_uow().session, request.form

    def create() -> None:
        username = form.get("username", "").strip()
        accounts.add_user(get_uow(), actor(), username,
                          form.get("display_name", "").strip() or username,
                          form.get("password", ""), form.getlist("roles"),
                          unit_in_view(session, actor(), as_int(form.get("unit"))),
                          form.get("language", "zh_CN"), form.get("email", "").strip())

    return handle_write(create, _("User created."), "admin/users.html", **context)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):  # type: ignore[no-untyped-def]
    user = get_uow().session.get(User, user_id)
    if user is None:
        abort(404)
    context = {"user": user, "roles": ROLES}
    if request.method == "GET":
        return render_template("admin/user_edit.html", errors={}, values=MultiDict(), **context)
    form = request.form

    def update() -> None:
        unit = unit_in_view(get_uow().session, actor(), as_int(form.get("unit")))
        accounts.update_user(get_uow(), actor(), user, UserChange(
            display_name=form.get("display_name") or None, password=form.get("password") or None,
            roles=form.getlist("roles"), unit=unit, unit_chosen=unit is not None,
            language=form.get("language") or None, active=form.get("active") == "1",
            email=form.get("email", "").strip() if "email" in form else None))

    return handle_write(update, _("User saved."), "admin/user_edit.html", **context)


@bp.route("/campaigns", methods=["GET", "POST"])
def campaigns():  # type: ignore[no-untyped-def]
    session = get_uow().session
    context = {"campaigns": visible_campaigns(session, actor())}
    if request.method == "GET":
        return render_template("admin/campaigns.html", errors={}, values={}, **context)
    data = sent_form("name", "starts_on", "ends_on", "scope", "organiser_id")
    return handle_write(lambda: directory.add_campaign(get_uow(), actor(), data),
                        _("Campaign created."), "admin/campaigns.html", **context)


@bp.route("/inspections", methods=["GET", "POST"])
def inspections():  # type: ignore[no-untyped-def]
    session = get_uow().session
    context = {"inspections": visible_inspections(session, actor()),
               "campaigns": visible_campaigns(session, actor()), "methods": METHODS}
    if request.method == "GET":  # the date starts as today, the usual case
        values = {"inspected_on": get_uow().today().isoformat()}
        return render_template("admin/inspections.html", errors={}, values=values, **context)
    data = sent_form("unit_id", "inspected_on", "method", "campaign_id", "team", "notes")
    overlaps = _overlaps(data.get("unit_id"), data.get("inspected_on"))
    if overlaps and not request.form.get("confirm_overlap"):  # 不准搞重复多头检查: ask first
        return render_template("admin/inspections.html", errors={}, values=request.form,
                               overlaps=overlaps, **context)
    return handle_write(lambda: directory.add_inspection(get_uow(), actor(), data),
                        _("Inspection recorded."), "admin/inspections.html", **context)


def _overlaps(unit_id: object, on: object) -> list[Overlap]:
    uow = get_uow()
    return overlaps_for_form(uow.session, actor(), unit_id, on, uow.burden_policy)


@bp.route("/inspections/overlaps")
def inspection_overlaps() -> str:
    """The overlap warning for a unit and date, as the inspection form fetches it."""
    overlaps = _overlaps(request.args.get("unit_id"), request.args.get("inspected_on"))
    return render_template("admin/_overlaps.html", overlaps=overlaps)
