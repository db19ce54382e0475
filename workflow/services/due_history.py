"""A finding's due-date history, read from its events: each change (fire() writes
`due_date_change: [old, new]`), with the step that made it and what kind of change it was."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


def change_of(trigger: str, payload: Mapping[str, Any]
              ) -> tuple[date | None, date | None, bool | None] | None:
    """(old, new, given) of the change an event made to the due date, None if it made none.
    given: whether the step's payload named a due date; None for a raise's own date as older
    events carry it (no due_date_change), a change always of kind "set"."""
    change = payload.get("due_date_change")
    if isinstance(change, list) and len(change) == 2:
        return _day(change[0]), _day(change[1]), bool(payload.get("due_date"))
    if trigger == "raise" and _day(payload.get("due_date")):
        return None, _day(payload.get("due_date")), None
    return None


def kind_of(lifecycle: Lifecycle, trigger: str, given: bool | None, new: date | None) -> str:
    """The kind of a change (KINDS) by the effects of the step that made it (change_of)."""
    if given is None:
        return "set"
    rules = lifecycle.raise_effects if trigger == "raise" else next(
        (t.effects for t in reversed(lifecycle.transitions) if t.trigger == trigger),
        ())  # the last transition of that trigger, as a dict by trigger would keep
    effects = {rule.name for rule in rules}
    if new is None:
        return "cleared"
    if "apply_pending_due_date" in effects:
        return "extended"
    if effects & {"count_rework", "resume_clock"}:
        return "rework"
    if "default_due_date" in effects and not given:
        return "default"
    return "set"


def due_history(lifecycle: Lifecycle, events: Sequence[Step]) -> list[DueChange]:
    """Every change of the due date, oldest first (a due date given when raising included)."""
    out = []
    for event in events:
        change = change_of(event.trigger, event.payload)
        if change is not None:
            old, new, given = change
            out.append(DueChange(event.seq, event.created_at, event.trigger, old, new,
                                 kind_of(lifecycle, event.trigger, given, new)))
    return out
