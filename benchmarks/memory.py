"""tracemalloc peak while 10,000 findings' state is held: shared machine vs one Machine per row."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable

from transitions import Machine

from benchmarks.machines import Row, config, per_row_machine
from benchmarks.report import Section, sized
from workflow.machine import next_state
from workflow.spec.model import Lifecycle

ROWS = 10_000
ALONE = "rows alone, no machine"
SHARED = "shared Machine, a token per call"
PER_ROW = "one Machine per row, kept alive"


def fresh() -> type[Row]:
    """A Row class of its own, so earlier runs cannot change the size of its instances."""
    # CPython shares instance-dict keys per class; rows that once had ~30 trigger methods bound
    # to them (machines.py) would otherwise make every later Row several times bigger.
    return type("Row", (Row,), {})


def peak(work: Callable[[], object]) -> int:
    """Peak bytes traced while `work` runs and what it returns is still held."""
    gc.collect()
    tracemalloc.start()
    try:
        held = work()
        _, top = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del held
    return top


def run(lifecycle: Lifecycle, rows: int = ROWS) -> Section:
    states, transitions = config(lifecycle)
    starts = [(t.sources[0], t.trigger) for t in lifecycle.transitions if t.dest != "="]

    def alone() -> list[Row]:
        cls = fresh()
        return [cls(starts[i % len(starts)][0]) for i in range(rows)]

    def shared() -> list[Row]:
        held = alone()
        for i, row in enumerate(held):
            row.state = next_state(lifecycle.machine, row.state, starts[i % len(starts)][1])
        return held

    def per_row() -> tuple[list[Row], list[Machine]]:
        held = alone()
        machines = [per_row_machine(states, transitions, row) for row in held]
        for i, row in enumerate(held):
            getattr(row, starts[i % len(starts)][1])()
        return held, machines

    values = {ALONE: float(peak(alone)), SHARED: float(peak(shared)), PER_ROW: float(peak(per_row))}
    notes = [f"{rows:,} rows, each fired once; per row: {values[SHARED] / rows:,.0f} B with the shared "
             f"machine, {values[PER_ROW] / rows:,.0f} B with one Machine each"]
    return sized("memory", "Memory, 10,000 findings", values, SHARED, notes)
