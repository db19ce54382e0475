"""Figures read from the findings' events: days to rectify and confirm, time spent per state."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Subquery, select
from sqlalchemy.orm import Session

from workflow.models import Event
from workflow.services.stats_facts import micros
from workflow.services.stats_kinds import Outcomes
from workflow.spec import Registry
from workflow.tally_values import BUCKET_US

DAY_US = 86_400_000_000  # microseconds in a day: durations are summed exactly, in micros


def quantized(micros: int) -> int:
    """A duration rounded up to the 90th percentiles' precision, a tenth of a day (the tallies
    keep durations per tenth of a day: tally_values.BUCKET_US)."""
    return (micros + BUCKET_US - 1) // BUCKET_US * BUCKET_US


def nearest_rank(count: int) -> int:
    """The rank (from 1) of the nearest-rank 90th percentile of count values: ceil(0.9 * n)."""
    return (9 * count + 9) // 10


@dataclass
class Spread:
    """Days from raising, over the findings that got there: count, mean and 90th percentile."""

    count: int = 0
    total_us: int = 0
    p90_us: int | None = None  # the value at nearest_rank(count), in order, quantized

    @classmethod
    def of(cls, micros: list[int]) -> Spread:
        ranked = sorted(micros)
        return cls(len(ranked), sum(ranked),
                   quantized(ranked[nearest_rank(len(ranked)) - 1]) if ranked else None)

    @property
    def mean(self) -> float | None:
        return round(self.total_us / self.count / DAY_US, 2) if self.count else None

    @property
    def p90(self) -> float | None:
        """Nearest-rank 90th percentile: 90 % of the findings took at most this many days (to a
        tenth of a day, rounded up)."""
        return None if self.p90_us is None else round(self.p90_us / DAY_US, 2)

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "mean": self.mean, "p90": self.p90}


@dataclass
class Dwell:
    """Time findings spent in one state: total days, and how many findings were ever in it."""

    micros: int = 0
    findings: int = 0

    @property
    def days(self) -> float:
        return self.micros / DAY_US

    @property
    def mean(self) -> float | None:
        return round(self.days / self.findings, 2) if self.findings else None


@dataclass
class EventFigures:
    to_rectify: Spread = field(default_factory=Spread)
    to_confirm: Spread = field(default_factory=Spread)
    dwell: dict[tuple[str, str], Dwell] = field(default_factory=dict)  # (lifecycle, state)
    rectified_at: list[datetime] = field(default_factory=list)  # problems' reports, for trends
    confirmed_at: list[datetime] = field(default_factory=list)  # problems' 销号


@dataclass(frozen=True)
class _Step:
    finding_id: int
    lifecycle: str
    version: int
    trigger: str
    to_state: str
    at: datetime


def effect_triggers(registry: Registry, effect: str) -> set[tuple[str, int, str]]:
    """(lifecycle, version, trigger) of every transition with this effect."""
    return {(lc.name, lc.version, t.trigger) for lc in registry.all() for t in lc.transitions
            if any(e.name == effect for e in t.effects)}


def event_figures(session: Session, source: Subquery, registry: Registry, outcomes: Outcomes,
                  until: datetime) -> EventFigures:
    """Durations of the source's problems (counted ones) and dwell per state of every finding,
    from events up to `until` (now, or the as-of moment)."""
    c = source.c
    rows = session.execute(
        select(Event.finding_id, c.lifecycle, c.lifecycle_version, Event.trigger, Event.to_state,
               Event.created_at).select_from(Event).join(source, c.id == Event.finding_id)
        .where(Event.created_at <= until).order_by(Event.finding_id, Event.seq)
        .execution_options(yield_per=5000))  # streamed: memory flat in the number of events
    steps = (_Step(*row) for row in rows)
    figures, to_rectify, to_confirm = EventFigures(), [], []
    reports = effect_triggers(registry, "record_rectified_at")
    confirmed, excluded = set(outcomes.confirmed), set(outcomes.excluded)
    finals = {(lc.name, lc.version, s.name) for lc in registry.all() for s in lc.states if s.final}
    for history in _by_finding(steps):
        first, last = history[0], history[-1]
        _dwell(figures.dwell, history, until, finals)
        where = (last.lifecycle, last.version, last.to_state)
        if last.lifecycle in outcomes.suggestions or where in excluded:
            continue
        reported = [s.at for s in history if (s.lifecycle, s.version, s.trigger) in reports]
        if reported:
            to_rectify.append(micros(reported[-1]) - micros(first.at))
            figures.rectified_at.extend(reported)
        if where in confirmed:
            closed = next(s.at for s in history if (s.lifecycle, s.version, s.to_state) in confirmed)
            to_confirm.append(micros(closed) - micros(first.at))
            figures.confirmed_at.append(closed)
    figures.to_rectify, figures.to_confirm = Spread.of(to_rectify), Spread.of(to_confirm)
    return figures


def _by_finding(steps: Iterable[_Step]) -> Iterator[list[_Step]]:
    history: list[_Step] = []
    for step in steps:
        if history and history[0].finding_id != step.finding_id:
            yield history
            history = []
        history.append(step)
    if history:
        yield history


def _dwell(dwell: dict[tuple[str, str], Dwell], history: list[_Step], until: datetime,
           finals: set[tuple[str, int, str]]) -> None:
    """Add each stay in a state that is not final (an event to the next, the last one to
    `until`) to its state."""
    ends = [step.at for step in history[1:]] + [until]
    seen: dict[str, int] = defaultdict(int)
    for step, end in zip(history, ends, strict=True):
        if (step.lifecycle, step.version, step.to_state) not in finals:
            seen[step.to_state] += max(0, micros(end) - micros(step.at))
    for state, spent in seen.items():
        entry = dwell.setdefault((history[0].lifecycle, state), Dwell())
        entry.micros += spent
        entry.findings += 1
