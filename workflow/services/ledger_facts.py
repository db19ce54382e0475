"""What the 整改台账 shows of a finding's history, kept on its row as each event is appended: the
latest measures reported, the due-date changes, the last action (the export reads them, not the
events). Language-free: workflow.services.export_facts words them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from workflow.services.due_history import change_of

# The findings columns, and what they hold before the first event.
EMPTY_FACTS: dict[str, Any] = {
    "measures_reported": "",  # the latest non-empty `measures` of an event's payload
    "due_changes": "",  # JSON: [[new date or null, trigger, given], ...] (due_history.change_of)
    "last_action_trigger": "",  # the last event that is a step of the work, not a remark
    "last_action_by_id": None,
    "last_action_at": None,
}
NOT_ACTIONS = ("comment", "comment_edit")  # remarks, not steps of the work

# Only payloads holding one of these keys change a fact of the history (the measures, a due date):
# as of a moment, the others are never decoded (their JSON text is searched for the quoted key,
# a superset).
MEASURES_KEY, DUE_KEY = '"measures"', '"due_date'


def read_payload(text: str) -> dict[str, Any]:
    """The payload an event's JSON text holds, as far as facts_after reads it."""
    return json.loads(text) if MEASURES_KEY in text or DUE_KEY in text else {}


def due_change_entry(trigger: str, payload: Mapping[str, Any]) -> str | None:
    """The event's entry in due_changes as JSON text, None if it changed no due date."""
    change = change_of(trigger, payload)
    if change is None:
        return None
    _old, new, given = change
    return json.dumps([new.isoformat() if new else None, trigger, given], separators=(",", ":"))


def facts_after(due_changes: str | None, trigger: str, actor_id: int,
                payload: Mapping[str, Any], at: datetime) -> dict[str, Any]:
    """The fact columns an event changes (some of EMPTY_FACTS' keys), given the finding's
    due_changes before it: what append_event sets on the row, in the UPDATE it makes anyway."""
    changed: dict[str, Any] = {}
    measures = payload.get("measures")
    if isinstance(measures, str) and measures:
        changed["measures_reported"] = measures
    entry = due_change_entry(trigger, payload)
    if entry is not None:
        changed["due_changes"] = f"{due_changes[:-1]},{entry}]" if due_changes else f"[{entry}]"
    if trigger not in NOT_ACTIONS:
        changed["last_action_trigger"] = trigger
        changed["last_action_by_id"] = actor_id
        changed["last_action_at"] = at
    return changed


def note_event(finding: Any, trigger: str, actor_id: int, payload: Mapping[str, Any],
               at: datetime) -> None:
    """Set the fact columns the event changes on the finding (a models.Finding)."""
    for name, value in facts_after(finding.due_changes, trigger, actor_id, payload, at).items():
        setattr(finding, name, value)
