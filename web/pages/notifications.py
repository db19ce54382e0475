"""The bell and the notifications page: the user's own messages, newest first, each in the
reader's language, linking to its finding while the user may still see it; read on open."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import NotFound

from web.auth import actor
from web.errors import describe
from web.i18n import lang
from web.pages import bp
from web.uow import get_uow
from workflow.errors import InvalidInput
from workflow.messages import anchor_of, render
from workflow.models import Notification
from workflow.services import inbox
from workflow.services.letter_scope import sees_letter_id


@bp.app_template_global("unread_notifications")
def unread_notifications() -> int:
    """The bell's count (one indexed count); 0 when nobody is logged in."""
    if not current_user.is_authenticated:
        return 0
    return inbox.unread_count(get_uow().session, actor())


@bp.app_template_global("notification_text")
def notification_text(note: Notification) -> tuple[str, str]:
    """(subject, text) in the reader's language."""
    return render(note.kind, note.params, lang())


@bp.route("/notifications")
def notifications_page():  # type: ignore[no-untyped-def]
    session, errors = get_uow().session, {}
    try:
        page = inbox.inbox(session, actor(), request.args.get("cursor"), 20)
    except InvalidInput as exc:  # a cursor not handed out: the first page, and say so
        errors = describe(exc)[1]
        page = inbox.inbox(session, actor(), None, 20)
    return render_template("notifications.html", page=page, errors=errors,
                           first=not request.args.get("cursor"))


@bp.route("/notifications/<int:notification_id>/open", methods=["POST"])
def open_notification(notification_id: int):  # type: ignore[no-untyped-def]
    """Mark it read, then go to its finding (if still visible) or back to the list."""
    uow, user = get_uow(), actor()
    note = inbox.open_notification(uow, user, notification_id)
    if note is None:  # another user's, or none: the same answer
        raise NotFound()
    letter_id = note.params.get("letter_id") if isinstance(note.params, dict) else None
    if letter_id and sees_letter_id(uow.session, user, letter_id):
        return redirect(url_for("pages.letter_page", letter_id=letter_id))
    if note.finding_id and inbox.visible_findings(uow.session, user, [note.finding_id]):
        return redirect(url_for("pages.finding_page", finding_id=note.finding_id,
                                _anchor=anchor_of(note.params)))
    return redirect(url_for("pages.notifications_page"))


@bp.route("/notifications/read", methods=["POST"])
def read_notifications():  # type: ignore[no-untyped-def]
    """Mark all read, or those named by `id` fields (the user's own only)."""
    ids = request.form.getlist("id")
    marked = inbox.mark_read(get_uow(), actor(), inbox.own_ids(ids) if ids else None)
    flash(_("%(n)s notifications marked read.", n=marked), "success")
    return redirect(url_for("pages.notifications_page"))



@bp.app_template_global("channel_label")
def channel_label(choice: str) -> str:
    """How a channel reaches the user (workflow.services.preferences.CHOICES)."""
    labels = {"immediate": _("Immediately"), "digest": _("Daily digest"), "off": _("Off")}
    return str(labels.get(choice, choice))
