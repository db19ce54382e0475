"""A finding: facts, diagram, timeline with evidence, and one form per transition the user may fire."""

from __future__ import annotations

import re
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from web.auth import actor
from web.errors import describe, status_of
from web.forms import form_fields, store_upload
from web.i18n import lang
from web.pages import bp
from web.pages.discussion import discussion_view
from web.pages.evidence_view import event_files, evidence_view
from web.pages.timeline import time_facts, timeline
from web.uow import get_uow
from workflow import services
from workflow.errors import InvalidInput, RectifyError, StaleFinding
from workflow.models import Finding
from workflow.services.evidence import check_file_count
from workflow.services.parties import party_views
from workflow.services.two_steps import CHECK_FIELD, TWO_STEP_JOIN, two_step_key, verdicts_after
from workflow.services.work_reasons import previous_report
from workflow.spec.diagram import mermaid
from workflow.spec.model import FieldSpec, Lifecycle, TransitionSpec

_SHA256 = re.compile(r"[0-9a-f]{64}")


def render_finding(finding: Finding, errors: dict[str, str] | None = None,
                   open_trigger: str | None = None, values: dict[str, Any] | None = None,
                   status: int = 200, discussion: dict[str, Any] | None = None) -> tuple[str, int]:
    uow = get_uow()
    lc = uow.registry.get(finding.lifecycle, finding.lifecycle_version)
    available = services.available_transitions(uow, finding, actor())
    forms = [{"spec": t, "fields": form_fields(t, finding, uow.today())} for t in available]
    pairs = pair_forms(lc, finding, available)
    events = services.history(uow.session, finding)
    files = event_files(events)
    return render_template(
        "finding.html", finding=finding, lifecycle=lc, forms=forms, pairs=pairs,
        parties=party_views(uow.session, finding),
        timeline=timeline(lc, events, files), time=time_facts(lc, finding, events),
        evidence=evidence_view(lc, events, files),
        diagram=mermaid(lc, lang(), current=finding.state),
        discussion=discussion_view(finding, discussion),
        errors=errors or {}, open_trigger=open_trigger, values=values or {},
        kept_labels=_labels(lc, open_trigger),
        defaults={"requirement": finding.requirement, "due_date": _default_due_date(finding),
                  CHECK_FIELD: uow.today().isoformat()},
        prefill={t.trigger: previous_report(uow.session, uow.registry, finding, t.trigger)
                 for t in available},
    ), status


def pair_forms(lc: Lifecycle, finding: Finding, available: list[TransitionSpec]
               ) -> list[dict[str, Any]]:
    """A check step and each verdict that may follow it in one submission (two_steps.
    verdicts_after): the form's key ("revisit-then-confirm"), both steps and their fields."""
    today, user = get_uow().today(), actor()
    return [{"key": two_step_key(first.trigger, then.trigger), "spec": first, "then": then,
             "fields": form_fields(first, finding, today) + form_fields(then, finding, today)}
            for first in available for then in verdicts_after(lc, first, user, finding)]


def _default_due_date(finding: Finding) -> str:
    """The current due date as a form's starting value, unless it has passed (a past date is
    never a valid new deadline, and the picker would refuse its own starting value)."""
    due = finding.due_date
    return due.isoformat() if due and due >= get_uow().today() else ""


def _labels(lc: Lifecycle, trigger: str | None) -> dict[str, str]:
    """A form's field labels: what a form no longer offered shows beside its kept input."""
    triggers = (trigger or "").split(TWO_STEP_JOIN)  # a two-step form's key: both steps' fields
    return {f.name: f.label(lang()) for t in lc.transitions if t.trigger in triggers
            for f in t.fields}


@bp.route("/findings/<int:finding_id>")
def finding_page(finding_id: int):  # type: ignore[no-untyped-def]
    finding = services.get_finding(get_uow().session, actor(), finding_id)
    return render_finding(finding, open_trigger=request.args.get("open"))


@bp.route("/findings/<int:finding_id>/fire/<trigger>", methods=["GET"])
def fire_form(finding_id: int, trigger: str):  # type: ignore[no-untyped-def]
    """The address a refused form leaves in the bar: reloading it opens that form again."""
    return redirect(url_for("pages.finding_page", finding_id=finding_id, open=trigger,
                            _anchor=f"form-{trigger}"))


def uploaded_digests(name: str) -> tuple[list[str], dict[str, str] | None]:
    """Files of a form field: those kept from an earlier try (hidden sha256 inputs) and the
    new uploads, each committed as it is stored (evidence.upload) so a refused form never loses
    them."""
    digests = kept_digests(name)
    error = None
    for storage in new_uploads(name):
        try:
            digests.append(store_upload(storage).sha256)
        except InvalidInput as exc:
            error = next(iter(exc.errors.values()))
    return list(dict.fromkeys(digests)), error


def kept_digests(name: str) -> list[str]:
    return list(dict.fromkeys(d for d in request.form.getlist(name) if _SHA256.fullmatch(d)))


def new_uploads(name: str) -> list[Any]:
    return [s for s in request.files.getlist(name) if s and s.filename]


def _typed(spec_fields: tuple[FieldSpec, ...]) -> dict[str, Any]:
    """What the form carried, without storing anything: text as typed, files as kept sha256s."""
    values: dict[str, Any] = request.form.to_dict()
    for spec in spec_fields:
        if spec.type == "files":
            values[spec.name] = kept_digests(spec.name)
    return values


def _payload(spec_fields: tuple[FieldSpec, ...], payload: dict[str, Any]) -> None:
    """Fill `payload` from the form; files are passed to the engine by sha256."""
    upload_errors: dict[str, dict[str, str]] = {}
    for spec in spec_fields:
        if spec.type == "files":
            payload[spec.name], error = uploaded_digests(spec.name)
            if error:
                upload_errors[spec.name] = error
        else:
            payload[spec.name] = request.form.get(spec.name, "")
    if upload_errors:
        raise InvalidInput(upload_errors)


def _check_counts(spec_fields: tuple[FieldSpec, ...]) -> None:
    """max_count of each files field, counted before any byte is stored."""
    counts = {f.name: len(kept_digests(f.name)) + len(new_uploads(f.name))
              for f in spec_fields if f.type == "files"}
    check_file_count(spec_fields, counts)


@bp.route("/findings/<int:finding_id>/fire/<trigger>", methods=["POST"])
def fire_page(finding_id: int, trigger: str):  # type: ignore[no-untyped-def]
    """Check everything that does not need the files (scope, transition, role, side, version,
    counts), then store the uploads, then fire; a refused form keeps what was typed and uploaded."""
    uow, user = get_uow(), actor()
    finding = services.get_finding(uow.session, user, finding_id)
    version = request.form.get("version", type=int)
    stale = version is not None and version != finding.version
    try:
        spec = services.check_fire(uow, finding, trigger, user)
    except RectifyError as exc:
        return _acted_first(finding, trigger, request.form.to_dict()) if stale else \
            _refused(finding, trigger, exc, request.form.to_dict())
    typed = _typed(spec.fields)
    if version is None:
        flash(_("This form did not say which version of the finding it was filled in on, so "
                "nothing was changed. Check the current state and submit it again."), "error")
        return render_finding(finding, {}, trigger, typed, 428)
    payload: dict[str, Any] = {}
    try:
        _check_counts(spec.fields)
        _payload(spec.fields, payload)
        if stale:
            raise StaleFinding(finding.id, version, finding.version)
        services.fire(uow, finding_id, trigger, user, payload, version)
    except StaleFinding:
        return _acted_first(finding, trigger, {**typed, **payload})
    except RectifyError as exc:
        return _refused(finding, trigger, exc, {**typed, **payload})
    flash(_("Done: %(action)s.", action=spec.label(lang())), "success")
    return redirect(url_for("pages.finding_page", finding_id=finding_id))


def _acted_first(finding: Finding, trigger: str, values: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Someone acted first: the fresh state, with what this user typed and uploaded kept."""
    get_uow().session.rollback()
    flash(_("Someone else acted on this finding first. Here is its current state; what you "
            "entered is kept below: check it and submit again."), "warning")
    fresh = services.get_finding(get_uow().session, actor(), finding.id)
    return render_finding(fresh, {}, trigger, values, 409)


def _refused(finding: Finding, trigger: str, exc: RectifyError,  # type: ignore[no-untyped-def]
             values: dict[str, Any]):
    get_uow().session.rollback()
    msg, errors = describe(exc)
    if not errors:
        flash(msg, "error")
    fresh = services.get_finding(get_uow().session, actor(), finding.id)
    return render_finding(fresh, errors, trigger, values, status_of(exc))
