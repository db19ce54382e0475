"""What an event means for the daily report, read from the definitions' data, not trigger names."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workflow.models import Event
from workflow.services.ladder import TRIGGER as LADDER
from workflow.spec import Registry

RECTIFYING_EFFECT = "record_rectified_at"  # the unit reports it rectified (implemented)
REWORK_EFFECT = "count_rework"  # back to the unit: the rectification no longer stands
ESCALATING_EFFECT = "address_escalation"
ESCALATING_AUDIENCES = ("parent_supervisors", "addressee")  # told when it goes up the tree


@dataclass
class Meanings:
    """Per lifecycle name (every version together): the triggers that report a rectification,
    send it back (rework) or take it up the tree (escalate), the ladder steps that raise the
    overdue level, and the confirmed (销号) and final states."""

    rectifying: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    reworking: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    escalating: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    raising_steps: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    confirmed: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    final: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def is_escalation(self, lifecycle: str, event: Event) -> bool:
        """A transition that takes the finding up the tree, or a ladder step raising its level."""
        if event.trigger == LADDER:
            return event.payload.get("step") in self.raising_steps[lifecycle]
        return event.trigger in self.escalating[lifecycle]

    def is_confirmation(self, lifecycle: str, event: Event) -> bool:
        confirmed = self.confirmed[lifecycle]
        return event.to_state in confirmed and event.from_state not in confirmed


def _escalates(effects: Any) -> bool:
    return any(rule.name == ESCALATING_EFFECT or (
        rule.name == "notify" and rule.params.get("to") in ESCALATING_AUDIENCES)
        for rule in effects)


def meanings(registry: Registry) -> Meanings:
    """Read every loaded definition once."""
    found = Meanings()
    for lc in registry.all():
        for spec in lc.transitions:
            names = {rule.name for rule in spec.effects}
            if RECTIFYING_EFFECT in names:
                found.rectifying[lc.name].add(spec.trigger)
            if REWORK_EFFECT in names:
                found.reworking[lc.name].add(spec.trigger)
            if _escalates(spec.effects):
                found.escalating[lc.name].add(spec.trigger)
        found.raising_steps[lc.name] |= {s.name for s in lc.ladder if s.level > 0}
        found.confirmed[lc.name] |= {s.name for s in lc.states if s.outcome == "confirmed"}
        found.final[lc.name] |= set(lc.final_states())
    return found


def due_date_after(event: Event, current: date | None) -> date | None:
    """The due date once this event applied (fire and raise record `due_date_change`)."""
    change = event.payload.get("due_date_change")
    if not (isinstance(change, list) and len(change) == 2):
        return current
    try:
        return date.fromisoformat(change[1]) if isinstance(change[1], str) else None
    except ValueError:
        return current
