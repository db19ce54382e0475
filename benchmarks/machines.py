"""The state machine alone: next_state on the shared machine vs binding rows to machines."""

from __future__ import annotations

from typing import Any

from transitions import Machine

from benchmarks.report import Section, timed
from benchmarks.timing import interleaved
from workflow.machine import build_machine, next_state
from workflow.spec.model import Lifecycle

SHARED = "next_state() on the shared Machine"
PER_CALL = "new Machine(model=row) per call"
ATTACH = "add_model + trigger + remove_model"
SOURCE, TRIGGER, DEST = "assigned", "request_extension", "extension_requested"


class Row:
    """A row-like model (workflow.machine.Token has __slots__, so transitions cannot bind to it)."""

    def __init__(self, state: str) -> None:
        self.state = state


def config(lifecycle: Lifecycle) -> tuple[list[str], list[dict[str, Any]]]:
    """States and transitions as workflow.spec.loader hands them to transitions."""
    transitions = [{"trigger": t.trigger, "source": list(t.sources), "dest": t.dest}
                   for t in lifecycle.transitions]
    return [s.name for s in lifecycle.states], transitions


def per_row_machine(states: list[str], transitions: list[dict[str, Any]], row: Row) -> Machine:
    return Machine(model=row, states=states, transitions=transitions, initial=row.state,
                   auto_transitions=False)


def run(lifecycle: Lifecycle, ops: int, batches: int) -> Section:
    states, transitions = config(lifecycle)
    shared = lifecycle.machine
    spare = build_machine(states, transitions, lifecycle.initial)  # add_model must not touch the shared one

    def per_call() -> None:
        row = Row(SOURCE)
        per_row_machine(states, transitions, row)
        getattr(row, TRIGGER)()
        assert row.state == DEST

    def attach() -> None:
        row = Row(SOURCE)
        spare.add_model(row, initial=SOURCE)
        spare.events[TRIGGER].trigger(row)
        spare.remove_model(row)
        assert row.state == DEST

    cases = {SHARED: lambda: next_state(shared, SOURCE, TRIGGER), PER_CALL: per_call, ATTACH: attach}
    samples = interleaved(cases, ops, batches)
    note = f"{lifecycle.key}: {len(states)} states, {len(transitions)} transitions; {SOURCE} → {DEST}"
    return timed("machine", "State machine alone", samples, SHARED, [note])
