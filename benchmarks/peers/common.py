"""What every peer case shares: the two states, the two triggers, and the proof that it persisted."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import cycle

from benchmarks.world import Raw

ASSIGNED, REQUESTED = "assigned", "extension_requested"
# trigger -> (source, destination): the same ping-pong as Rectify's request_extension ⇄ deny_extension
STEPS = {"request_extension": (ASSIGNED, REQUESTED), "deny_extension": (REQUESTED, ASSIGNED)}
FROM_STATE = {source: (trigger, dest) for trigger, (source, dest) in STEPS.items()}


def triggers() -> Iterator[str]:
    """request_extension, deny_extension, … for ever: each case asks its library for the next one."""
    return cycle(STEPS)


class Counted:
    """A peer's transition, counting its calls and remembering the state it left."""

    def __init__(self, name: str, doc_id: int, state_sql: str, history_sql: str) -> None:
        self.name, self.doc_id = name, doc_id
        self.state_sql, self.history_sql = state_sql, history_sql
        self.calls, self.state = 0, ASSIGNED

    def __call__(self) -> None:
        raise NotImplementedError

    def done(self, state: str) -> None:
        self.calls, self.state = self.calls + 1, state

    def prove(self, raw: Raw) -> None:
        """Read back on another connection: the row has the last state, one history row per call."""
        (state,) = raw.query(self.state_sql, (self.doc_id,))[0]
        (rows,) = raw.query(self.history_sql, (self.doc_id,))[0]
        if state != self.state or rows != self.calls:
            raise RuntimeError(f"{self.name}: found state {state!r} and {rows} history rows, expected "
                               f"{self.state!r} and {self.calls}: it did not persist what it did")
