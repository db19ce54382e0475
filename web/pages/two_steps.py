"""One form, two steps on a finding: a follow-up check and its verdict (confirm or send back)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.auth import actor
from web.i18n import lang
from web.pages import bp
from web.pages.findings import (
    _acted_first,
    _check_counts,
    _payload,
    _refused,
)
from web.uow import get_uow
from workflow import services
from workflow.errors import RectifyError, StaleFinding, TransitionNotAllowed
from workflow.models import Finding
from workflow.services.two_steps import fire_two, two_step_key
from workflow.spec.model import TransitionSpec

_ROUTE = "/findings/<int:finding_id>/fire/<first>/then/<then>"


@bp.route(_ROUTE, methods=["GET"])
def fire_two_form(finding_id: int, first: str, then: str) -> Response:
    """The address a refused form leaves in the bar: reloading it opens that form again."""
    key = two_step_key(first, then)
    return redirect(url_for("pages.finding_page", finding_id=finding_id, open=key,
                            _anchor=f"form-{key}"))


@bp.route(_ROUTE, methods=["POST"])
def fire_two_page(finding_id: int, first: str, then: str):  # type: ignore[no-untyped-def]
    """Both steps' fields in one submission: fired one after the other through fire(), every
    check of both, committed together; a refusal of either keeps what was typed and uploaded."""
    uow, user, key = get_uow(), actor(), two_step_key(first, then)
    finding = services.get_finding(uow.session, user, finding_id)
    version = request.form.get("version", type=int)
    payloads: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
    try:
        steps = _steps(finding, first, then)
        _check_counts(steps[0].fields + steps[1].fields)
        _payload(steps[0].fields, payloads[0])
        _payload(steps[1].fields, payloads[1])
        if version is None or version != finding.version:
            raise StaleFinding(finding.id, version, finding.version)
        fire_two(uow, finding_id, (first, then), user, payloads, version)
    except StaleFinding:
        return _acted_first(finding, key, {**request.form.to_dict(), **payloads[0]})
    except RectifyError as exc:
        kept = {**request.form.to_dict(), **payloads[0], **payloads[1]}
        return _refused(finding, key, exc, kept)
    flash(_("Done: %(action)s.", action=" + ".join(s.label(lang()) for s in steps)), "success")
    return redirect(url_for("pages.finding_page", finding_id=finding_id))


def _steps(finding: Finding, first: str, then: str) -> tuple[TransitionSpec, TransitionSpec]:
    """The check step the user may fire now and the verdict from the state it leads to
    (fire_two checks both again as it fires them)."""
    spec = services.check_fire(get_uow(), finding, first, actor())
    lifecycle = get_uow().registry.get(finding.lifecycle, finding.lifecycle_version)
    verdict = lifecycle.transition(spec.dest, then)
    if verdict is None:
        raise TransitionNotAllowed(then, spec.dest, [])
    return spec, verdict
