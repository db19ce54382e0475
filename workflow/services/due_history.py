"""A finding's due-date history, read from its events: each change (fire() writes
`due_date_change: [old, new]`), with the step that made it and what kind of change it was."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from workflow.spec.model import Lifecycle

# kind: "set" (given), "default" (the definition's period for the severity), "extended" (an
# extension approved), "rework" (back to the unit: the reviewer's wait added, or a new date)
KINDS = ("set", "default", "extended", "rework", "cleared")


class Step(Protocol):
    """What due_history reads of an event (models.Event, or the export's plain records)."""

    @property
    def seq(self) -> int: ...
    @property
    def trigger(self) -> str: ...
    @property
    def payload(self) -> dict[str, Any]: ...
    @property
    def created_at(self) -> datetime: ...


@dataclass(frozen=True)
class DueChange:
    seq: int
    at: datetime
    trigger: str
    old: date | None
    new: date | None
    kind: str


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _kind(effects: set[str], event: Step, new: date | None) -> str:
    if new is None:
        return "cleared"
    if "apply_pending_due_date" in effects:
        return "extended"
    if effects & {"count_rework", "resume_clock"}:
        return "rework"
    if "default_due_date" in effects and not event.payload.get("due_date"):
        return "default"
    return "set"


def due_history(lifecycle: Lifecycle, events: Sequence[Step]) -> list[DueChange]:
    """Every change of the due date, oldest first (a due date given when raising included)."""
    out = []
    for event in events:
        change = event.payload.get("due_date_change")
        if isinstance(change, list) and len(change) == 2:
            old, new = _day(change[0]), _day(change[1])
            rules = lifecycle.raise_effects if event.trigger == "raise" else next(
                (t.effects for t in reversed(lifecycle.transitions) if t.trigger == event.trigger),
                ())  # the last transition of that trigger, as a dict by trigger would keep
            kind = _kind({rule.name for rule in rules}, event, new)
        elif event.trigger == "raise" and _day(event.payload.get("due_date")):
            old, new, kind = None, _day(event.payload.get("due_date")), "set"
        else:
            continue
        out.append(DueChange(event.seq, event.created_at, event.trigger, old, new, kind))
    return out
