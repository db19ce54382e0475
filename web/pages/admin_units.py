"""Admin: one unit's page: edit its code and names, move it (preview, then confirm) and
deactivate or reactivate it; the unit's admin log. Routes of the admin blueprint."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from web.auth import actor
from web.errors import describe
from web.pages.admin import bp, handle_write, sent_form
from web.uow import get_uow
from workflow.errors import RectifyError, StaleUnitTree
from workflow.models import Unit
from workflow.services import units as unit_service
from workflow.services.admin_log import changes_of
from workflow.services.directory import unit_in_view
from workflow.services.unit_move import move_unit, preview_move
from workflow.services.unit_sight import unit_load
from workflow.services.unit_status import deactivate_unit, reactivate_unit


def _the_unit(unit_id: int) -> Unit:
    unit = unit_in_view(get_uow().session, actor(), unit_id)
    if unit is None:
        abort(404)
    return unit


def _context(unit: Unit) -> dict[str, Any]:
    """What the unit's page shows beside its form: what hangs on it, its admin log (the new
    parent is chosen with the picker; the move refuses a unit inside the subtree)."""
    session = get_uow().session
    return {"unit": unit, "kinds": get_uow().unit_kinds,
            "load": unit_load(session, unit), "changes": changes_of(session, unit.id)}


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
def unit_edit(unit_id: int):  # type: ignore[no-untyped-def]
    """A unit: its code, names, kind and prefix; the move and deactivate forms; its log."""
    unit = _the_unit(unit_id)
    if request.method == "GET":
        return render_template("admin/unit_edit.html", errors={}, values={}, **_context(unit))
    data = sent_form(*unit_service.EDITABLE)
    return handle_write(lambda: unit_service.edit_unit(get_uow(), actor(), unit, data),
                        _("Unit saved."), "admin/unit_edit.html", **_context(unit))


@bp.route("/units/<int:unit_id>/move", methods=["POST"])
def unit_move(unit_id: int) -> ResponseReturnValue:
    """Step one: what the move would change, and a button to confirm it."""
    return _preview_page(_the_unit(unit_id), 200)


def _preview_page(unit: Unit, status: int) -> ResponseReturnValue:
    """The preview of moving the unit under the parent sent; a wrong parent: the unit's page
    with the field error."""
    try:
        preview = preview_move(get_uow().session, actor(), unit, request.form.get("parent_id"))
    except RectifyError as exc:
        message, errors = describe(exc)
        if not errors:
            flash(message, "error")
        return render_template("admin/unit_edit.html", errors=errors, values={},
                               move_values=request.form, **_context(unit)), 422
    return render_template("admin/unit_move.html", preview=preview), status


@bp.route("/units/<int:unit_id>/move/confirm", methods=["POST"])
def unit_move_confirm(unit_id: int):  # type: ignore[no-untyped-def]
    """Step two: the move, if the tree is still the one previewed (else the new preview)."""
    unit = _the_unit(unit_id)
    data = sent_form("parent_id", "fingerprint")
    try:
        move_unit(get_uow(), actor(), unit, data)
    except StaleUnitTree as exc:
        get_uow().session.rollback()
        flash(describe(exc)[0], "error")
        return _preview_page(unit, 409)
    except RectifyError as exc:
        get_uow().session.rollback()
        flash(describe(exc)[0], "error")
        return redirect(url_for("admin.unit_edit", unit_id=unit_id))
    flash(_("Unit moved."), "success")
    return redirect(url_for("admin.unit_edit", unit_id=unit_id))


@bp.route("/units/<int:unit_id>/active", methods=["POST"])
def unit_active(unit_id: int) -> ResponseReturnValue:
    """Deactivate (active=0) or reactivate (active=1) the unit."""
    unit = _the_unit(unit_id)
    active = request.form.get("active") == "1"
    change = reactivate_unit if active else deactivate_unit
    done = _("Unit reactivated.") if active else _("Unit deactivated.")
    return handle_write(lambda: change(get_uow(), actor(), unit), done, "admin/unit_edit.html",
                        redirect_to=url_for("admin.unit_edit", unit_id=unit_id),
                        **_context(unit))
