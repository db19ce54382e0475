"""Commenting on a finding from its page, and editing one's own comment; a refused form shows
the page again with the field's error and what was typed (and uploaded) kept."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from web.auth import actor
from web.errors import describe, status_of
from web.pages import bp
from web.pages.findings import kept_digests, new_uploads, render_finding, uploaded_digests
from web.uow import get_uow
from workflow import services
from workflow.errors import InvalidInput, RectifyError
from workflow.services.comments import FILES, add_comment, edit_comment
from workflow.services.evidence import check_file_count


@bp.route("/findings/<int:finding_id>/comments", methods=["POST"])
def comment_page(finding_id: int):  # type: ignore[no-untyped-def]
    """Scope first (nothing is stored for someone who may not see the finding), then the file
    count, then the uploads, then the comment."""
    uow, user = get_uow(), actor()
    services.get_finding(uow.session, user, finding_id)
    text = request.form.get("text", "")
    values: dict[str, Any] = {"text": text, "files": kept_digests("files")}
    try:
        check_file_count((FILES,), {"files": len(values["files"]) + len(new_uploads("files"))})
        values["files"], error = uploaded_digests("files")
        if error:
            raise InvalidInput({"files": error})
        seq = add_comment(uow, user, finding_id, text, values["files"])
    except RectifyError as exc:
        return _refused(finding_id, exc, {"typed": values})
    flash(_("Your comment is posted."), "success")
    return redirect(url_for("pages.finding_page", finding_id=finding_id, _anchor=f"comment-{seq}"))


@bp.route("/findings/<int:finding_id>/comments/<int:seq>/edit", methods=["POST"])
def edit_comment_page(finding_id: int, seq: int):  # type: ignore[no-untyped-def]
    """A new version of one's own comment; the earlier ones stay on the page."""
    uow, user = get_uow(), actor()
    services.get_finding(uow.session, user, finding_id)
    text = request.form.get("text", "")
    try:
        edit_comment(uow, user, finding_id, seq, text)
    except RectifyError as exc:
        return _refused(finding_id, exc, {"typed": {"text": text}, "editing": seq})
    flash(_("Your comment is edited; its earlier text stays visible."), "success")
    return redirect(url_for("pages.finding_page", finding_id=finding_id, _anchor=f"comment-{seq}"))


def _refused(finding_id: int, exc: RectifyError,  # type: ignore[no-untyped-def]
             state: dict[str, Any]):
    """The page again, with the refusal: a field's error beside it, anything else flashed."""
    get_uow().session.rollback()
    msg, errors = describe(exc)
    if not errors:
        flash(msg, "error")
    fresh = services.get_finding(get_uow().session, actor(), finding_id)
    return render_finding(fresh, status=status_of(exc), discussion={**state, "errors": errors})
