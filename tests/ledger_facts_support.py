"""An oracle for the facts of a finding's history kept on its row (services.ledger_facts), read
from its events the way the export read them before they were stored."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from workflow.models import Event, Finding
from workflow.services.due_history import due_history, kind_of

NOT_ACTIONS = ("comment", "comment_edit")


def facts_disagreeing(uow: Any, finding_id: int) -> list[str]:
    """The fact columns of the finding whose values its events do not give (empty: all agree)."""
    finding = uow.session.get_one(Finding, finding_id)
    lifecycle = uow.registry.get(finding.lifecycle, finding.lifecycle_version)
    events = list(uow.session.scalars(select(Event).where(Event.finding_id == finding_id)
                                      .order_by(Event.seq)))
    measures = next((e.payload["measures"] for e in reversed(events)
                     if isinstance(e.payload.get("measures"), str) and e.payload["measures"]), "")
    last = next((e for e in reversed(events) if e.trigger not in NOT_ACTIONS), None)
    changes = [(c.new.isoformat() if c.new else None, c.trigger, c.kind)
               for c in due_history(lifecycle, events)]
    stored = [(new, trigger, kind_of(lifecycle, trigger, given, None if new is None else
                                     finding.created_at.date()))
              for new, trigger, given in json.loads(finding.due_changes or "[]")]
    expected = {"measures_reported": measures, "due_changes": changes,
                "last_action": (last.trigger, last.actor_id, last.created_at) if last else
                ("", None, None)}
    actual = {"measures_reported": finding.measures_reported, "due_changes": stored,
              "last_action": (finding.last_action_trigger, finding.last_action_by_id,
                              finding.last_action_at)}
    return [name for name in expected if expected[name] != actual[name]]
