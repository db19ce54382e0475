"""Bulk outcomes as the ledger's result page and the API show them (refusals in the user's language)."""

from __future__ import annotations

from typing import Any

from web.errors import describe
from web.i18n import message
from workflow.services.bulk import BulkOutcome


def outcome_view(outcome: BulkOutcome) -> dict[str, Any]:
    """One finding's result: done with its new state, or refused with why (and per-field errors)."""
    text, errors = describe(outcome.error) if outcome.error is not None else ("", {})
    return {"finding_id": outcome.finding_id, "code": outcome.code, "title": outcome.title,
            "state": outcome.state, "done": outcome.done,
            "state_label": message(outcome.state_label) if outcome.state_label else None,
            "message": text or None, "errors": errors}


def results_view(outcomes: list[BulkOutcome]) -> dict[str, Any]:
    """Every finding's result in the order asked, and how many were done and refused."""
    results = [outcome_view(o) for o in outcomes]
    done = sum(1 for r in results if r["done"])
    return {"results": results, "done": done, "refused": len(results) - done}
