"""The ledger as of a past moment against the live ledger captured at that moment: random
histories (hypothesis) raise findings, fire their transitions (reassignments, extensions,
rework, closing...) and let time pass; now and then the live ledger is captured (what each row
shows, for an admin and for a group's handler, and who is overdue), and at the end of each
history the ledger as of every captured moment must show exactly that.

The statistics (services.stats_report) are captured too, for the admin and for group A's
supervisor view, and must come out the same as of each moment: every figure but the moment
itself (the trends' window ends on the day asked about, the same day either way)."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from workflow.errors import RectifyError
from workflow.models import User
from workflow.services.ledger import LedgerFilter
from workflow.services.ledger_rows import row_builder
from workflow.services.ledger_view import every_finding, ledger_day
from workflow.services.stats_args import StatsQuery
from workflow.services.stats_report import statistics, statistics_dict

LIFECYCLES = ("standard", "immediate")
# What changes a ledger row besides the state: drawn first when the finding allows one.
CHANGES_A_ROW = ("reassign", "assign", "request_extension", "approve_extension", "reject",
                 "report_rectification", "confirm")
UNITS = ("group_a", "sub_a1", "sub_b1")
Capture = dict[str, Any]


def ledger_seen(app: Any, actor: User, flt: LedgerFilter) -> dict[int, tuple[Any, ...]]:
    """What the ledger lists for the actor: per finding, the cells a reader sees."""
    with app.unit_of_work(write=False) as uow:
        rows = row_builder(uow, "en", ledger_day(uow, flt))
        return {f.id: (f.state, f.unit_id, f.due_date, f.is_open, rows.row(f).overdue,
                       rows.row(f).light.colour, f.rework_rounds)
                for f in every_finding(uow, actor, flt)}


def figures(app: Any, actor: User, as_of: datetime | None, unit_id: int | None = None
            ) -> dict[str, Any]:
    """Every statistic the actor sees, now or as of a moment (the moment itself left out)."""
    with app.unit_of_work(write=False) as uow:
        query = StatsQuery(unit_id=unit_id, as_of=as_of, zone=uow.zone)
        seen = statistics_dict(statistics(uow.session, actor, uow.registry, query, uow.now()))
    seen.pop("moment")
    return seen


def views(app: Any, org: Any, as_of: datetime | None) -> Capture:
    return {"stats": figures(app, org.admin, as_of),
            "stats_group_a": figures(app, org.admin, as_of, org.group_a.id),
            "admin": ledger_seen(app, org.admin, LedgerFilter(as_of=as_of)),
            "handler_a": ledger_seen(app, org.handler_a, LedgerFilter(as_of=as_of)),
            "overdue": set(ledger_seen(app, org.admin, LedgerFilter(overdue=True, as_of=as_of))),
            "in_group_a": set(ledger_seen(app, org.admin, LedgerFilter(
                unit_id=org.group_a.id, as_of=as_of)))}


class History(RuleBasedStateMachine):
    def __init__(self, app: Any, org: Any, flow: Any, clock: Any) -> None:
        super().__init__()
        self.app, self.org, self.flow, self.clock = app, org, flow, clock
        self.findings: list[int] = []
        self.captures: list[tuple[datetime, Capture]] = []

    @initialize()
    def start(self) -> None:
        for unit in ("group_a", "sub_b1"):
            self.findings.append(self.flow.raise_("standard", unit=self.org.units[unit].id).id)

    @rule(lifecycle=st.sampled_from(LIFECYCLES), unit=st.sampled_from(UNITS))
    def raise_one(self, lifecycle: str, unit: str) -> None:
        self.findings.append(self.flow.raise_(lifecycle, unit=self.org.units[unit].id).id)

    @rule(data=st.data())
    def fire(self, data: st.DataObject) -> None:
        fid = data.draw(st.sampled_from(self.findings), label="finding")
        finding = self.flow.finding(fid)
        spec = self.app.registry.get(finding.lifecycle, finding.lifecycle_version)
        here = [t.trigger for t in spec.transitions_from(finding.state)]
        if not here:
            return
        changing = [t for t in here if t in CHANGES_A_ROW]
        if changing and data.draw(st.booleans(), label="one that changes the row?"):
            here = changing
        trigger = data.draw(st.sampled_from(here), label="trigger")
        try:
            actor = self.flow.actor_for(finding, trigger)
            payload = self.flow.payload_for(finding, trigger, actor)
        except (KeyError, StopIteration):  # a step the Flow has no default for: skip it
            return
        with suppress(RectifyError):  # a guard refused (nothing to decide...): history goes on
            self.flow.fire(fid, trigger, actor, payload)

    @rule(hours=st.integers(1, 24 * 12))
    def time_passes(self, hours: int) -> None:
        self.clock.advance(hours=hours)

    @rule()
    def capture(self) -> None:
        moment = self.clock()
        self.captures.append((moment, views(self.app, self.org, None)))
        self.clock.advance(minutes=1)  # later steps fall strictly after the captured moment

    def teardown(self) -> None:
        # A past view shows only what the reader may see now (services.scope): a finding moved
        # out of the handler's scope since is left out of what was captured then.
        now = set(ledger_seen(self.app, self.org.handler_a, LedgerFilter()))
        for moment, seen in self.captures:
            expected = {**seen, "handler_a": {fid: row for fid, row in seen["handler_a"].items()
                                              if fid in now}}
            assert views(self.app, self.org, moment) == expected, moment


RUNS = {
    "sqlite": settings(max_examples=8, stateful_step_count=12, deadline=None, database=None,
                       suppress_health_check=[HealthCheck.too_slow]),
    "postgres": settings(max_examples=5, stateful_step_count=12, deadline=None, database=None,
                         suppress_health_check=[HealthCheck.too_slow]),
}


def test_the_ledger_as_of_each_moment_is_what_it_showed_then(backend: str, rectify: Any,
                                                             org: Any, flow: Any,
                                                             clock: Any) -> None:
    run_state_machine_as_test(lambda: History(rectify, org, flow, clock), settings=RUNS[backend])
