"""Bulk actions from the ledger: the action bar's choices, and the post with its result page."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from flask import render_template, request, url_for

from web.auth import actor
from web.bulk_results import results_view
from web.errors import describe
from web.forms import field_out
from web.i18n import lang
from web.pages import bp
from web.uow import get_uow
from workflow.errors import InvalidInput
from workflow.models import Finding
from workflow.services.bulk import actions_on, bulk_field_purposes, bulk_forms, fire_many
from workflow.text import as_id


def bulk_bar(findings: list[Finding]) -> dict[str, Any]:
    """What the ledger's action bar offers for this page's rows: each row's possible actions
    (a hint; the server decides on posting), and the form of every action offered on one."""
    uow = get_uow()
    per_row = actions_on(uow, actor(), findings)
    offered = {t for triggers in per_row.values() for t in triggers}
    purposes = bulk_field_purposes(uow.registry)
    forms = [{"trigger": t, "label": spec.label(lang()),
              "fields": [field_out(f, uow.today()) for f in spec.fields],
              "purposes": purposes[t]}
             for t, spec in bulk_forms(uow.registry).items() if t in offered]
    return {"rows": per_row, "forms": forms}


@bp.route("/ledger/bulk", methods=["POST"])
def bulk_page():  # type: ignore[no-untyped-def]
    """Fire the chosen action on the chosen findings; the result page lists each one."""
    uow, user = get_uow(), actor()
    trigger = request.form.get("trigger", "")
    spec = bulk_forms(uow.registry).get(trigger)
    payload = {f.name: _typed(f.name) for f in spec.fields} if spec else {}
    chosen = request.form.getlist("finding")
    versions = {i: v for key in chosen if (i := as_id(key)) is not None
                and (v := as_id(request.form.get(f"version-{key}"))) is not None}
    back = url_for("pages.ledger_page", **_ledger_args(request.form.get("back", "")))
    page = {"back": back, "action": spec.label(lang()) if spec else trigger,
            "labels": {f.name: f.label(lang()) for f in spec.fields} if spec else {}}
    try:
        outcomes = fire_many(uow, user, chosen, trigger, payload, versions)
    except InvalidInput as exc:
        text, errors = describe(exc)
        return render_template("ledger_bulk.html", error=text, errors=errors, **page), 422
    return render_template("ledger_bulk.html", **page, **results_view(outcomes))


def _typed(name: str) -> str:
    """A field's value: actions sharing a field name (reason) each have an input; without
    JavaScript every one is sent, so the one filled in counts."""
    return next((v for v in request.form.getlist(name) if v.strip()), "")


def _ledger_args(query: str) -> dict[str, Any]:
    """The ledger's filter the user came from (a query string), as url_for arguments."""
    args: dict[str, Any] = {}
    for key, value in parse_qsl(query[:4000]):
        if key != "cursor":
            args.setdefault(key, []).append(value)
    return args
