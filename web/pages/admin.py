"""Admin: the unit tree, users (roles, unit, language, password), campaigns, inspections."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from web.auth import actor
from web.errors import describe
from web.pages.helpers import as_int
from web.uow import get_uow
from workflow.catalog import METHODS, UNIT_KINDS
from workflow.errors import InvalidInput, RectifyError
from workflow.models import Campaign, Unit, User
from workflow.services import accounts, directory
from workflow.services.accounts import UserChange
from workflow.services.directory import (
    unit_in_view,
    visible_campaigns,
    visible_inspections,
    visible_units,
)
from workflow.spec.model import ROLES

bp = Blueprint("admin", __name__)


@bp.before_request
def _admins_only() -> None:
    allowed = ("admin", "inspector") if request.endpoint == "admin.inspections" else ("admin",)
    if not actor().has_role(*allowed):
        abort(403)


def _unit(value: Any, field: str) -> Unit:
    unit = unit_in_view(get_uow().session, actor(), as_int(value))
    if unit is None:
        raise InvalidInput({field: {"zh": "请选择单位", "en": "choose a unit"}})
    return unit


def _date(value: str, field: str, required: bool = True) -> date | None:
    if not value and not required:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput({field: {"zh": "日期格式应为 YYYY-MM-DD",
                                    "en": "must be a date YYYY-MM-DD"}}) from None


def _units() -> list[Unit]:
    return visible_units(get_uow().session, actor())


def _handle(action: Any, done: str, template: str, **context: Any):  # type: ignore[no-untyped-def]
    """Run a write; on success flash and redirect, on bad input re-render with field errors."""
    uow = get_uow()
    try:
        action(uow.session)
        uow.commit()
    except RectifyError as exc:
        uow.session.rollback()
        _msg, errors = describe(exc)
        return render_template(template, errors=errors, values=request.form, **context), 422
    flash(done, "success")
    return redirect(request.path)


@bp.route("/units", methods=["GET", "POST"])
def units():  # type: ignore[no-untyped-def]
    context = {"units": _units(), "kinds": UNIT_KINDS}
    if request.method == "GET":
        return render_template("admin/units.html", errors={}, values={}, **context)
    form = request.form

    def create(session: Any) -> None:
        parent = _unit(form.get("parent"), "parent") if form.get("parent") else None
        if not form.get("code", "").strip() or not form.get("name_zh", "").strip():
            raise InvalidInput({"code": {"zh": "代码和名称必填", "en": "code and name are required"}})
        if form.get("kind") not in UNIT_KINDS:
            raise InvalidInput({"kind": {"zh": "请选择类型", "en": "choose a kind"}})
        directory.create_unit(session, form["code"].strip()[:64], form["name_zh"].strip()[:200],
                              (form.get("name_en") or form["name_zh"]).strip()[:200],
                              form["kind"], parent)

    return _handle(create, _("Unit added."), "admin/units.html", **context)


@bp.route("/users", methods=["GET", "POST"])
def users():  # type: ignore[no-untyped-def]
    session = get_uow().session
    context = {"users": accounts.all_users(session), "units": _units(), "roles": ROLES}
    if request.method == "GET":
        return render_template("admin/users.html", errors={}, values=MultiDict(), **context)
    form = request.form

    def create(session: Any) -> None:
        username = form.get("username", "").strip()
        accounts.create_user(session, username, form.get("display_name", "").strip() or username,
                             form.get("password", ""), form.getlist("roles"),
                             unit_in_view(session, actor(), as_int(form.get("unit"))),
                             form.get("language", "zh_CN"))

    return _handle(create, _("User created."), "admin/users.html", **context)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):  # type: ignore[no-untyped-def]
    user = get_uow().session.get(User, user_id)
    if user is None:
        abort(404)
    context = {"user": user, "units": _units(), "roles": ROLES}
    if request.method == "GET":
        return render_template("admin/user_edit.html", errors={}, values=MultiDict(), **context)
    form = request.form

    def update(session: Any) -> None:
        unit = unit_in_view(session, actor(), as_int(form.get("unit")))
        accounts.update_user(session, user, UserChange(
            display_name=form.get("display_name") or None, password=form.get("password") or None,
            roles=form.getlist("roles"), unit=unit, unit_chosen=unit is not None,
            language=form.get("language") or None, active=form.get("active") == "1"))

    return _handle(update, _("User saved."), "admin/user_edit.html", **context)


@bp.route("/campaigns", methods=["GET", "POST"])
def campaigns():  # type: ignore[no-untyped-def]
    session = get_uow().session
    context = {"campaigns": visible_campaigns(session, actor()),
               "units": _units()}
    if request.method == "GET":
        return render_template("admin/campaigns.html", errors={}, values={}, **context)
    form = request.form

    def create(session: Any) -> None:
        starts = _date(form.get("starts_on", ""), "starts_on")
        assert starts is not None
        name = form.get("name", "").strip()
        if len(name) < 2:
            raise InvalidInput({"name": {"zh": "名称至少 2 个字", "en": "at least 2 characters"}})
        directory.create_campaign(session, name[:200], _unit(form.get("organiser"), "organiser"),
                                  starts, _date(form.get("ends_on", ""), "ends_on", False),
                                  form.get("scope", "")[:4000])

    return _handle(create, _("Campaign created."), "admin/campaigns.html", **context)


@bp.route("/inspections", methods=["GET", "POST"])
def inspections():  # type: ignore[no-untyped-def]
    session = get_uow().session
    context = {"inspections": visible_inspections(session, actor()), "units": _units(),
               "campaigns": visible_campaigns(session, actor()), "methods": METHODS}
    if request.method == "GET":
        return render_template("admin/inspections.html", errors={}, values={}, **context)
    form = request.form

    def create(session: Any) -> None:
        day = _date(form.get("inspected_on", ""), "inspected_on")
        assert day is not None
        campaign = session.get(Campaign, as_int(form.get("campaign")) or 0)
        directory.create_inspection(session, _unit(form.get("unit"), "unit"), day,
                                    form.get("method", ""), campaign, form.get("team", "")[:500],
                                    form.get("notes", "")[:4000], actor())

    return _handle(create, _("Inspection recorded."), "admin/inspections.html", **context)


