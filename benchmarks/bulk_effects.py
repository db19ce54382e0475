"""The definitions' effects as the bulk generator applies them to a finding row (a dict): what
workflow.guards.EFFECTS would leave in the audited columns, the calendar approximated."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from benchmarks.bulk_chains import Chain

Payload = dict[str, Any]


def _set_requirement(chain: Chain, payload: Payload) -> None:
    chain.row["requirement"] = payload.get("requirement", chain.row["requirement"])


def _set_due_date(chain: Chain, payload: Payload) -> None:
    if payload.get("due_date"):
        chain.row["due_date"] = payload["due_date"]


def _default_due_date(chain: Chain, payload: Payload) -> None:
    days = chain.lifecycle.deadlines.rectify.get(chain.row["severity"])
    if chain.row["due_date"] is None and days is not None:
        chain.row["due_date"] = chain.days(days)


def _await_acknowledgement(chain: Chain, payload: Payload) -> None:
    period = chain.lifecycle.deadlines.acknowledge
    chain.row["acknowledged_at"] = None
    chain.row["acknowledge_due_date"] = None if period is None else chain.days(period)


def _acknowledge(chain: Chain, payload: Payload) -> None:
    if chain.row["acknowledged_at"] is None:
        chain.row["acknowledged_at"] = chain.now


def _record_rectified_at(chain: Chain, payload: Payload) -> None:
    chain.row["rectified_at"], chain.row["rectified_on"] = chain.now, chain.today


def _set_review_due_date(chain: Chain, payload: Payload) -> None:
    if chain.lifecycle.deadlines.review is not None:
        chain.row["review_due_date"] = chain.days(chain.lifecycle.deadlines.review)


def _resume_clock(chain: Chain, payload: Payload) -> None:
    row = chain.row
    if row["due_date"] and row["rectified_on"]:
        row["due_date"] += timedelta(days=(chain.today - row["rectified_on"]).days)


def _schedule_lookback(chain: Chain, payload: Payload) -> None:
    if chain.lifecycle.deadlines.lookback is not None:
        chain.row["lookback_due_date"] = chain.days(chain.lifecycle.deadlines.lookback)


def _count_rework(chain: Chain, payload: Payload) -> None:
    chain.row["rework_rounds"] += 1
    chain.row["rectified_at"] = chain.row["rectified_on"] = None  # a rework clears the report


def _set_pending_due_date(chain: Chain, payload: Payload) -> None:
    chain.row["pending_due_date"] = payload["requested_due_date"]


def _apply_pending_due_date(chain: Chain, payload: Payload) -> None:
    chain.row["due_date"], chain.row["pending_due_date"] = chain.row["pending_due_date"], None


def _clear_pending_due_date(chain: Chain, payload: Payload) -> None:
    chain.row["pending_due_date"] = None


def _party(role: str) -> Callable[[Chain, Payload], None]:
    """addressee: the body named; lead: the body addressed (the coordinator is never named)."""
    def apply(chain: Chain, payload: Payload) -> None:
        row = chain.row
        unit = payload.get("to_body", {}).get("id") or int(row["parties"].split(":")[-1])
        if f"{role}:{unit}" in row["parties"].split():
            return  # add_party is idempotent; the one body is always the same here
        row["parties"] = " ".join([*row["parties"].split(), f"{role}:{unit}"])
        chain.parties.append({"unit_id": unit, "role": role, "part": "", "added_at": chain.now})
    return apply


# Effects not listed (notify and the like) leave the audited columns alone.
EFFECTS: dict[str, Callable[[Chain, Payload], None]] = {
    "set_requirement": _set_requirement, "set_due_date": _set_due_date,
    "default_due_date": _default_due_date, "await_acknowledgement": _await_acknowledgement,
    "acknowledge": _acknowledge, "record_rectified_at": _record_rectified_at,
    "set_review_due_date": _set_review_due_date, "resume_clock": _resume_clock,
    "schedule_lookback": _schedule_lookback, "count_rework": _count_rework,
    "set_pending_due_date": _set_pending_due_date,
    "apply_pending_due_date": _apply_pending_due_date,
    "clear_pending_due_date": _clear_pending_due_date,
    "address_escalation": _party("addressee"), "set_lead": _party("lead"),
}
