"""Links between findings: a related link added or removed; what a finding is linked to."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from web.api.link_schemas import LinkCreate, LinkOut
from web.api.schemas import ApiError
from web.auth import actor
from web.i18n import lang
from web.uow import get_uow
from workflow.models import Finding
from workflow.services.ledger_rows import row_builder
from workflow.services.links import link_by_code, unlink_findings
from workflow.services.related import links_of

PREFIX = "/findings"
blp = Blueprint("api_links", __name__, description="Links between findings (关联问题)")


def linked_out(finding: Finding) -> dict[str, Any]:
    """Another finding as a link shows it: code, title, unit, state, due date, light."""
    row = row_builder(get_uow(), lang()).row(finding)
    return {"id": finding.id, "code": finding.code, "title": finding.title, "unit": row.unit,
            "state": row.state, "is_open": finding.is_open, "due_date": finding.due_date,
            "light": row.light}


def links_out(finding: Finding) -> dict[str, Any]:
    """The finding detail's parent, children and links (only findings the caller may see)."""
    found = links_of(get_uow().session, actor(), finding)
    return {
        "parent": linked_out(found.parent) if found.parent else None,
        "children": {"items": [linked_out(c) for c in found.children],
                     "total": found.children_total, "closed": found.children_closed},
        "links": {"related": [{"link_id": r.link_id, "finding": linked_out(r.finding),
                               "note": r.note, "direction": "to" if r.outgoing else "from"}
                              for r in found.related],
                  "recurrence_of": linked_out(found.original) if found.original else None,
                  "recurrences": [linked_out(f) for f in found.recurrences],
                  "hidden": found.hidden}}


@blp.route("/<int:finding_id>/links")
class FindingLinks(MethodView):
    @blp.arguments(LinkCreate)
    @blp.response(201, LinkOut)
    @blp.alt_response(403, schema=ApiError, description="Handlers do not link findings")
    @blp.alt_response(404, schema=ApiError, description="No such finding in your scope")
    @blp.alt_response(422, schema=ApiError, description="No such code in your scope, the "
                      "finding itself, or already linked (either way)")
    def post(self, body: dict[str, Any], finding_id: int) -> dict[str, Any]:
        """Link this finding to another you may see, by its code, as related (inspectors,
        reviewers, supervisors); both findings record it in their events."""
        uow = get_uow()
        link = link_by_code(uow, actor(), finding_id, body["to"], body["note"])
        ends = [uow.session.get(Finding, i) for i in (link.from_id, link.to_id)]
        return {"id": link.id, "from_code": ends[0].code if ends[0] else "",
                "to_code": ends[1].code if ends[1] else "", "note": link.note}


@blp.route("/<int:finding_id>/links/<int:link_id>")
class FindingLinkItem(MethodView):
    @blp.response(204)
    @blp.alt_response(403, schema=ApiError, description="Handlers do not unlink findings")
    @blp.alt_response(404, schema=ApiError, description="No such link on a finding you may see")
    def delete(self, finding_id: int, link_id: int) -> None:
        """Remove a related link shown on this finding; both findings keep their 'link' event
        and record an 'unlink' one."""
        unlink_findings(get_uow(), actor(), finding_id, link_id)
