"""Saved ledger filters: save the ledger's query under a name, reapply it, delete it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from web.auth import actor
from web.i18n import message
from web.pages import bp
from web.uow import get_uow
from workflow.errors import InvalidInput
from workflow.services.saved_filters import delete_filter, save_filter, saved_query


def _refused(exc: InvalidInput) -> tuple[str, int]:
    text = " ".join(f"{k}: {message(v)}" for k, v in exc.errors.items())
    return render_template("error.html", code=422, message=text), 422


@bp.route("/ledger/saved", methods=["POST"])
def save_filter_page():  # type: ignore[no-untyped-def]
    try:
        row = save_filter(get_uow(), actor(), request.form.get("name", ""),
                          request.form.get("query", ""))
    except InvalidInput as exc:
        return _refused(exc)
    flash(_("Filter saved: %(name)s.", name=row.name), "success")
    return redirect(url_for("pages.ledger_page") + "?" + row.query)


@bp.route("/ledger/saved/<int:filter_id>")
def apply_filter_page(filter_id: int):  # type: ignore[no-untyped-def]
    """The ledger with a saved filter's query, checked again (another user's: 403)."""
    try:
        query = saved_query(get_uow(), actor(), filter_id)
    except InvalidInput as exc:
        return _refused(exc)
    if query is None:
        abort(404)
    return redirect(url_for("pages.ledger_page") + "?" + query)


@bp.route("/ledger/saved/<int:filter_id>/delete", methods=["POST"])
def delete_filter_page(filter_id: int):  # type: ignore[no-untyped-def]
    if delete_filter(get_uow(), actor(), filter_id):
        flash(_("Saved filter deleted."), "success")
    return redirect(url_for("pages.ledger_page"))
