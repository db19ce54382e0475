"""Findings: list (the ledger), raise, read with what the caller may do, fire transitions, events."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint, abort

from web.api.links import links_out
from web.api.schemas import (
    IF_MATCH,
    ApiError,
    EventOut,
    FindingCreate,
    FindingDetail,
    FindingOut,
    FindingPage,
    FireRequest,
    LedgerArgs,
    transition_out,
)
from web.auth import actor
from web.i18n import lang
from web.uow import get_uow
from workflow import services
from workflow.models import Finding
from workflow.services.delays import delays
from workflow.services.ledger_args import ledger_query
from workflow.services.ledger_rows import row_builder
from workflow.services.ledger_view import ledger_day, read_ledger
from workflow.services.parties import party_views

PREFIX = "/findings"
blp = Blueprint("api_findings", __name__, description="Findings (问题) and their transitions")


def finding_out(finding: Finding, day: date | None = None) -> dict[str, Any]:
    """A finding with its state label, whether it is overdue today (or on `day`: the ledger as
    of a past moment) and its traffic light (the ledger row's)."""
    row = row_builder(get_uow(), lang(), day).row(finding)
    data = {c: getattr(finding, c) for c in FindingOut().fields if hasattr(finding, c)}
    data.update(unit=finding.unit, raised_by_unit=finding.raised_by_unit,
                state_label=row.state, overdue=row.overdue, light=row.light,
                unacknowledged=row.unacknowledged, recurrence_of=_code(finding.recurrence_of_id))
    return data


def _code(finding_id: int | None) -> str | None:
    """The code of the finding a recurrence was raised from (one primary-key read)."""
    found = get_uow().session.get(Finding, finding_id) if finding_id else None
    return found.code if found else None


@blp.route("")
class Findings(MethodView):
    @blp.arguments(LedgerArgs, location="query")
    @blp.response(200, FindingPage)
    @blp.alt_response(422, schema=ApiError)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The ledger: findings in your scope, filtered, newest first or soonest due first.

        Pass `next_cursor` back as `cursor` for the next page."""
        uow = get_uow()
        # the page's and the exports' contract too
        query = ledger_query(args, uow.registry, uow.now(), uow.zone)
        page = read_ledger(uow, actor(), query.filter, query.cursor, query.limit)
        day = ledger_day(uow, query.filter)
        return {"items": [finding_out(f, day) for f in page.items],
                "next_cursor": page.next_cursor}

    @blp.arguments(FindingCreate)
    @blp.response(201, FindingOut)
    @blp.alt_response(403, schema=ApiError)
    @blp.alt_response(422, schema=ApiError)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Raise a finding on the newest version of a lifecycle (inspectors). With a
        `requirement` and a `due_date` it is also assigned at once when the lifecycle allows
        (two events, one transaction; a refused assign writes nothing)."""
        lifecycle = data.pop("lifecycle")
        inspection, recurrence_of = data.pop("inspection"), data.pop("recurrence_of")
        finding = services.raise_finding(get_uow(), actor(), lifecycle, data, inspection,
                                         recurrence_of)
        return finding_out(finding)


@blp.route("/<int:finding_id>")
class FindingItem(MethodView):
    @blp.response(200, FindingDetail)
    @blp.alt_response(404, schema=ApiError)
    def get(self, finding_id: int) -> dict[str, Any]:
        """One finding, with the transitions you may fire now and the fields each takes, its
        unit and reviewer delays, the codes of its recurrences, and what it is linked to: the
        finding it was split off from, its children, related findings (those you may see)."""
        uow = get_uow()
        finding = services.get_finding(uow.session, actor(), finding_id)
        data = finding_out(finding)
        data["transitions"] = [transition_out(t, finding, uow.today())
                               for t in services.available_transitions(uow, finding, actor())]
        data["delays"] = delays(uow, finding, services.history(uow.session, finding))
        data.update(links_out(finding))  # the recurrences read once; their codes come from it
        data["recurrence_codes"] = [f["code"] for f in data["links"]["recurrences"]]
        data["parties"] = party_views(uow.session, finding)
        return data


def expected_version(body_version: int | None) -> int | None:
    """The version the caller acted on: If-Match header, else the body's `version`."""
    header = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
    if header:
        if not re.fullmatch(r"[0-9]{1,9}", header):
            abort(400, message=_("If-Match must be the finding's version number."))
        return int(header)
    if body_version is None:
        abort(428, message=_("Send the version you saw (If-Match header or `version`), so "
                             "that nobody's work is overwritten."))
    return body_version


@blp.route("/<int:finding_id>/transitions/<trigger>")
class FindingTransition(MethodView):
    @blp.doc(parameters=[IF_MATCH])
    @blp.arguments(FireRequest)
    @blp.response(200, FindingOut)
    @blp.alt_response(403, schema=ApiError, description="Your role may not fire it")
    @blp.alt_response(404, schema=ApiError, description="No such finding in your scope")
    @blp.alt_response(409, schema=ApiError, description="Stale version or wrong state")
    @blp.alt_response(422, schema=ApiError, description="Invalid payload or a guard refused")
    @blp.alt_response(428, schema=ApiError, description="No version sent (If-Match or `version`)")
    def post(self, body: dict[str, Any], finding_id: int, trigger: str) -> dict[str, Any]:
        """Fire a transition. Send the version you saw (If-Match or `version`) to be safe
        against someone acting first."""
        finding = services.fire(get_uow(), finding_id, trigger, actor(), body["payload"],
                                expected_version(body["version"]))
        return finding_out(finding)


@blp.route("/<int:finding_id>/events")
class FindingEvents(MethodView):
    @blp.response(200, EventOut(many=True))
    @blp.alt_response(404, schema=ApiError)
    def get(self, finding_id: int) -> list[Any]:
        """The finding's append-only, hash-chained events, oldest first."""
        session = get_uow().session
        return services.history(session, services.get_finding(session, actor(), finding_id))
