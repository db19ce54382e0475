"""Admin: the outbox (dead letters first, with their last error, and a Retry button) and the
webhook endpoints (add one, its secret shown once; deactivate one). Thin views over
workflow.services.outbox and workflow.services.webhooks."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from web.auth import actor
from web.errors import describe
from web.uow import get_uow
from workflow.delivery.outbox import STATUSES
from workflow.errors import RectifyError
from workflow.services import outbox, webhooks
from workflow.services.permissions import may

bp = Blueprint("outbox", __name__)


@bp.before_request
def _admins_only() -> None:
    if not may(actor(), "manage_notifications"):
        abort(403)


def _outbox_page(errors: dict[str, str], status_code: int = 200) -> ResponseReturnValue:
    uow = get_uow()
    status = request.args.get("status", "")
    chosen = status if status in STATUSES else ""
    return render_template("admin/outbox.html", messages=outbox.list_outbox(uow, actor(), chosen),
                           counts=outbox.counts(uow.session), status=chosen, statuses=STATUSES,
                           errors=errors), status_code


@bp.get("/outbox")
def outbox_list() -> ResponseReturnValue:
    return _outbox_page({})


@bp.post("/outbox/retry")
def outbox_retry() -> ResponseReturnValue:
    try:
        outbox.retry(get_uow(), actor(), request.form.get("message_id"))
    except RectifyError as exc:
        get_uow().session.rollback()
        return _outbox_page(describe(exc)[1], 422)
    flash(_("The message is queued again and will be sent on the worker's next pass."), "success")
    return redirect(url_for("outbox.outbox_list"))


def _webhooks_page(errors: dict[str, str], values: Any, status_code: int = 200,
                   **context: Any) -> ResponseReturnValue:
    return render_template("admin/webhooks.html", errors=errors, values=values,
                           endpoints=webhooks.list_endpoints(get_uow(), actor()),
                           **context), status_code


@bp.route("/webhooks", methods=["GET", "POST"])
def webhook_endpoints() -> ResponseReturnValue:
    if request.method == "GET":
        return _webhooks_page({}, {})
    data = {name: request.form[name] for name in ("url", "description") if name in request.form}
    try:
        endpoint, secret = webhooks.add_endpoint(get_uow(), actor(), data)
    except RectifyError as exc:
        get_uow().session.rollback()
        return _webhooks_page(describe(exc)[1], request.form, 422)
    # Shown in this answer only (not flashed: the session cookie is signed, not encrypted).
    return _webhooks_page({}, {}, 201, created=endpoint, secret=secret)


@bp.post("/webhooks/deactivate")
def webhook_deactivate() -> ResponseReturnValue:
    try:
        webhooks.deactivate_endpoint(get_uow(), actor(), request.form.get("endpoint_id"))
    except RectifyError as exc:
        get_uow().session.rollback()
        return _webhooks_page(describe(exc)[1], {}, 422)
    flash(_("The endpoint is deactivated: nothing more is sent to it."), "success")
    return redirect(url_for("outbox.webhook_endpoints"))
