"""Per transition on one backend: the raw floor vs workflow.services.fire() through a UnitOfWork."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import event

from benchmarks import outbox
from benchmarks.floor import FloorTransition, Step, orm_transition
from benchmarks.report import Section, timed
from benchmarks.timing import interleaved
from benchmarks.world import Org, Target
from workflow.models import Unit, User
from workflow.runtime import Rectify
from workflow.services import fire, raise_finding

FLOOR = "raw SQL"
ORM = "bare ORM: get, set state, add Event, commit"
PING_PONG = "fire(): request_extension ⇄ deny_extension"
SELF_LOOP = "fire(): reassign A ⇄ B (self-loop)"
Fire = tuple[str, User, Mapping[str, Any]]  # trigger, actor, payload


def raise_one(app: Rectify, org: Org, unit: Unit, assign: bool) -> int:
    """A standard finding at `unit`, left raised or assigned (due in 14 days)."""
    inspector = org.users["inspector"]
    data = {"title": "Fire exit blocked by boxes", "category": "work_safety", "severity": "medium",
            "unit": unit.id}
    with app.unit_of_work() as uow:
        finding_id = raise_finding(uow, inspector, "standard", data).id
        due = (uow.today() + timedelta(days=14)).isoformat()
    if assign:
        with app.unit_of_work() as uow:
            fire(uow, finding_id, "assign", inspector, {"requirement": "Clear the exits", "due_date": due})
    return finding_id


def engine(app: Rectify, finding_id: int, fires: list[Fire]) -> Callable[[], None]:
    """One fire() per call, each in its own unit of work as a request would, cycling through `fires`."""
    cycle = itertools.cycle(fires)

    def op() -> None:
        trigger, actor, payload = next(cycle)
        with app.unit_of_work() as uow:
            fire(uow, finding_id, trigger, actor, payload)

    return op


def statements(app: Rectify, op: Callable[[], None], calls: int = 20) -> float:
    """SQL statements the engine sends per call (BEGIN counted; COMMIT/ROLLBACK are not statements)."""
    count = 0

    def tally(*_: Any) -> None:
        nonlocal count
        count += 1

    event.listen(app.database.engine, "before_cursor_execute", tally)
    try:
        for _ in range(calls):
            op()
    finally:
        event.remove(app.database.engine, "before_cursor_execute", tally)
    return count / calls


def extension_loop(app: Rectify, org: Org) -> tuple[dict[str, Step], list[Fire]]:
    """request_extension (the handler) ⇄ deny_extension (the supervisor): as the floor's steps and
    as fire() calls."""
    handler, supervisor = org.users["handler"], org.users["supervisor"]
    with app.unit_of_work(write=False) as uow:
        asked = {"requested_due_date": (uow.today() + timedelta(days=21)).isoformat(),
                 "reason": "Parts on order"}
    denied = {"reason": "No reason to wait"}
    steps = {"assigned": ("request_extension", "extension_requested", asked),
             "extension_requested": ("deny_extension", "assigned", denied)}
    return steps, [("request_extension", handler, asked), ("deny_extension", supervisor, denied)]


def run(app: Rectify, org: Org, target: Target, ops: int, batches: int) -> Section:
    """Interleaved batches of the floor and two engine loops that can repeat forever."""
    handler, supervisor, inspector = (org.users[n] for n in ("handler", "supervisor", "inspector"))
    group_a, group_b = org.units["group_a"], org.units["group_b"]
    extension, loop = extension_loop(app, org)
    ping_pong = engine(app, raise_one(app, org, group_a, assign=True), loop)
    self_loop = engine(app, raise_one(app, org, group_a, assign=False),
                       [("reassign", inspector, {"unit": group_b.id, "reason": "Wrong unit"}),
                        ("reassign", inspector, {"unit": group_a.id, "reason": "Wrong unit"})])
    group_c, handler_c, _ = outbox.outbox_people(app, org)
    mailing = engine(app, raise_one(app, org, group_c, assign=True),
                     [("request_extension", handler_c, loop[0][2]), loop[1]])
    orm = orm_transition(app, raise_one(app, org, group_a, assign=True), handler.id, extension)
    raw = target.connect()
    try:
        floor = FloorTransition(raw, raise_one(app, org, group_a, assign=True), handler.id, extension)
        samples = interleaved({FLOOR: floor, ORM: orm, PING_PONG: ping_pong, SELF_LOOP: self_loop,
                               outbox.CASE: mailing}, ops, batches)
        raw.statements = 0
        floor()
        sent = raw.statements
    finally:
        raw.close()
    counts = ", ".join(f"{n:.0f} {name}" for n, name in [
        (sent, "raw"), (statements(app, orm), "bare ORM"), (statements(app, ping_pong), "ping-pong"),
        (statements(app, self_loop), "reassign"), (statements(app, mailing), "with outbox")])
    notes = [f"SQL statements per transition (BEGIN counted, COMMIT not): {counts}",
             f"with outbox: {outbox.per_call(app, mailing):.0f} outbox message(s) per transition"]
    return timed(f"transition_{target.label.lower()}", f"Transition, {target.label}", samples, FLOOR,
                 notes)
