"""The finding page's "Linked findings" card: what it is linked to, and linking by code."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.auth import actor
from web.errors import describe
from web.pages import bp
from web.uow import get_uow
from workflow.errors import RectifyError, UnknownFinding
from workflow.models import Finding
from workflow.services.links import link_by_code, may_link, unlink_findings
from workflow.services.related import Links, links_of


@bp.app_template_global("finding_links")
def finding_links(finding: Finding) -> Links:
    """What the finding is linked to, as far as the user may see."""
    return links_of(get_uow().session, actor(), finding)


@bp.app_template_global("may_link")
def user_may_link() -> bool:
    """Whether the user may add and remove related links (the service decides)."""
    return may_link(actor())


def _back(finding_id: int) -> Response:
    return redirect(url_for("pages.finding_page", finding_id=finding_id, _anchor="links"))


def _refused(exc: RectifyError) -> None:
    """Say why on the finding page; a finding or link out of sight answers 404 as elsewhere."""
    if isinstance(exc, UnknownFinding):
        raise exc
    get_uow().session.rollback()
    text, errors = describe(exc)
    flash(" ".join(errors.values()) if errors else text, "error")


@bp.route("/findings/<int:finding_id>/links", methods=["POST"])
def link_page(finding_id: int) -> Response:
    """Link the finding to another, given by its code, as related."""
    uow, user = get_uow(), actor()
    try:
        link_by_code(uow, user, finding_id, request.form.get("to", ""),
                     request.form.get("note", ""))
    except RectifyError as exc:
        _refused(exc)
    else:
        flash(_("Linked."), "success")
    return _back(finding_id)


@bp.route("/findings/<int:finding_id>/links/<int:link_id>/delete", methods=["POST"])
def unlink_page(finding_id: int, link_id: int) -> Response:
    """Remove a related link shown on the finding."""
    try:
        unlink_findings(get_uow(), actor(), finding_id, link_id)
    except RectifyError as exc:
        _refused(exc)
    else:
        flash(_("Link removed."), "success")
    return _back(finding_id)
