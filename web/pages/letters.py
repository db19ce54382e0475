"""Letters (提醒函): the list, sending one (from a finding or a campaign), the letter as a record
with each addressee's reply, and the reply form; the rules are the services'."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from web.auth import actor
from web.errors import describe, status_of
from web.i18n import lang
from web.pages import bp
from web.pages.findings import uploaded_digests
from web.pages.helpers import as_int
from web.uow import get_uow
from workflow.errors import InvalidInput, RectifyError
from workflow.models import Campaign, Finding, Letter
from workflow.services import get_finding
from workflow.services.directory import visible_campaigns
from workflow.services.inbox import visible_findings
from workflow.services.letter_input import LETTER_KINDS
from workflow.services.letter_scope import (
    STATES,
    get_letter,
    letters,
    of_finding,
    reply_files,
    state_of,
)
from workflow.services.letters import REPLIER_ROLES, may_send, reply_to_letter, send_letter


@bp.app_template_global("letter_state")
def letter_state(letter: Letter) -> str:
    """pending / replied / overdue today (services.letter_scope.state_of)."""
    return state_of(letter, get_uow().today())


@bp.app_template_global("letter_kind_label")
def letter_kind_label(kind: str) -> str:
    zh, en = LETTER_KINDS.get(kind, (kind, kind))
    return zh if lang() == "zh" else en


@bp.app_template_global("finding_letters")
def finding_letters(finding: Finding) -> dict[str, Any]:
    """The finding page's Letters card: its letters the user sees, and whether to offer sending."""
    user = actor()
    return {"letters": of_finding(get_uow().session, user, finding.id),
            "may_send": may_send(user, finding)}


@bp.route("/letters")
def letters_page():  # type: ignore[no-untyped-def]
    uow, user = get_uow(), actor()
    filters = {k: request.args.get(k) for k in ("state", "body", "campaign", "finding")}
    errors: dict[str, str] = {}
    try:
        page = letters(uow.session, user, filters, uow.today(), request.args.get("page", 1))
    except InvalidInput as exc:  # a filter that is not one: say so, show everything
        errors = describe(exc)[1]
        page = letters(uow.session, user, {}, uow.today())
    return render_template("letters.html", page=page, filters=filters, errors=errors,
                           states=STATES, campaigns=visible_campaigns(uow.session, user),
                           may_send=may_send(user))


def _source() -> tuple[Finding | None, Campaign | None]:
    """The finding or campaign the letter is sent from (?finding=ID / ?campaign=ID)."""
    session, user = get_uow().session, actor()
    finding_id = as_int(request.values.get("finding"))
    campaign_id = as_int(request.values.get("campaign"))
    finding = get_finding(session, user, finding_id) if finding_id else None
    campaign = session.get(Campaign, campaign_id) if campaign_id else None
    return finding, campaign


def _render_new(finding: Finding | None, campaign: Campaign | None, values: dict[str, Any],
                errors: dict[str, str], status: int = 200) -> tuple[str, int]:
    """The form; `values['addressees']`: the ids (and unknown codes) chosen so far."""
    return render_template("letter_new.html", finding=finding, campaign=campaign,
                           values=values, errors=errors, kinds=LETTER_KINDS,
                           allowed=may_send(actor(), finding, campaign)), status


@bp.route("/letters/new")
def new_letter():  # type: ignore[no-untyped-def]
    finding, campaign = _source()
    return _render_new(finding, campaign, {"kind": "reminder"}, {})


@bp.route("/letters/new", methods=["POST"])
def send_letter_page():  # type: ignore[no-untyped-def]
    uow, user = get_uow(), actor()
    finding, campaign = _source()
    form = request.form
    addressees = form.getlist("addressees")
    if "addressees__remove" in form:  # a chip's button without script: the form, one less
        dropped = form["addressees__remove"]
        values = dict(form.to_dict(), addressees=[a for a in addressees if a != dropped])
        return _render_new(finding, campaign, values, {})
    try:
        letter = send_letter(uow, user, form.get("subject", ""), form.get("text", ""),
                             addressees, form.get("reply_due_date") or None,
                             finding.id if finding else None, campaign.id if campaign else None,
                             form.get("kind", "reminder"))
    except RectifyError as exc:
        uow.session.rollback()
        message, errors = describe(exc)
        if not errors:
            flash(message, "error")
        values = dict(form.to_dict(), addressees=addressees)
        return _render_new(finding, campaign, values, errors, status_of(exc))
    flash(_("Letter %(number)s sent.", number=letter.number), "success")
    return redirect(url_for("pages.letter_page", letter_id=letter.id))


def _render_letter(letter: Letter, errors: dict[str, str] | None = None,
                   values: dict[str, Any] | None = None, status: int = 200) -> tuple[str, int]:
    session, user = get_uow().session, actor()
    own = next((a for a in letter.addressees if a.unit_id == user.unit_id), None)
    may_reply = own is not None and own.replied_at is None and user.has_role(*REPLIER_ROLES)
    files = {a.id: reply_files(session, a) for a in letter.addressees if a.replied_at}
    finding_visible = bool(letter.finding_id and visible_findings(session, user,
                                                                   [letter.finding_id]))
    return render_template("letter.html", letter=letter, files=files, own=own,
                           finding_visible=finding_visible,
                           may_reply=may_reply, errors=errors or {}, values=values or {},
                           state=state_of(letter, get_uow().today())), status


@bp.route("/letters/<int:letter_id>")
def letter_page(letter_id: int):  # type: ignore[no-untyped-def]
    return _render_letter(get_letter(get_uow().session, actor(), letter_id))


@bp.route("/letters/<int:letter_id>/reply", methods=["POST"])
def reply_page(letter_id: int):  # type: ignore[no-untyped-def]
    """Store the uploads (kept if the reply is refused), then reply once."""
    uow, user = get_uow(), actor()
    letter = get_letter(uow.session, user, letter_id)
    text = request.form.get("text", "")
    digests: list[str] = []
    try:
        digests, upload_error = uploaded_digests("attachments")
        if upload_error:
            raise InvalidInput({"attachments": upload_error})
        reply_to_letter(uow, user, letter_id, text, digests)
    except RectifyError as exc:
        uow.session.rollback()
        message, errors = describe(exc)
        if not errors:
            flash(message, "error")
        fresh = get_letter(uow.session, user, letter.id)
        return _render_letter(fresh, errors, {"text": text, "attachments": digests},
                              status_of(exc))
    flash(_("Your reply was sent."), "success")
    return redirect(url_for("pages.letter_page", letter_id=letter_id))
