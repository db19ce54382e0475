"""What the live statistics read instead of events, kept on the findings row by every event.

Each appended event moves the facts on (services.events.append_event calls note_event; the bulk
generator and the 0010 migration's back-fill replay events through step): the moments are
microseconds since the epoch (UTC), so durations sum exactly in SQL on every backend.

- raised_us: the first event (the raise); reported_us: the last rectification report (an event
  whose trigger carries record_rectified_at), reports_us: every report, in order;
- confirmed_us: the first event into a confirmed state;
- state_us: per non-final state the finding ever entered, the microseconds of its stays that
  ended (0 for one still going); state_since_us: the last event, where the current stay began.

What a trigger or state means is read in the version the finding runs on; a 'migrate' event
(a new version) replays the finding's events in the new one, as the event-reading figures
(services.stats_events, the as-of oracle) read every event in the finding's current version.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.models import Event, Finding
from workflow.spec import Registry
from workflow.spec.model import Lifecycle

FACTS = ("raised_us", "reported_us", "reports_us", "confirmed_us", "state_since_us", "state_us")
REPORT_EFFECT = "record_rectified_at"
REGISTRY = "rectify.registry"  # session.info key: the definitions (set by the unit of work)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(moment: datetime) -> int:
    """Microseconds since the epoch (an aware moment)."""
    delta = moment - EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass(frozen=True)
class Meaning:
    """What one lifecycle version's triggers and states mean for the facts."""

    reports: frozenset[str]  # triggers of a transition recording the rectification report
    confirmed: frozenset[str]  # states whose outcome is confirmed
    finals: frozenset[str]


_MEANINGS: dict[tuple[str, int, str], Meaning] = {}


def meaning_of(lifecycle: Lifecycle) -> Meaning:
    key = (lifecycle.name, lifecycle.version, lifecycle.digest)
    if key not in _MEANINGS:
        _MEANINGS[key] = Meaning(
            frozenset(t.trigger for t in lifecycle.transitions
                      if any(e.name == REPORT_EFFECT for e in t.effects)),
            frozenset(s.name for s in lifecycle.states if s.outcome == "confirmed"),
            frozenset(s.name for s in lifecycle.states if s.final))
    return _MEANINGS[key]


def empty_facts() -> dict[str, Any]:
    return dict.fromkeys(FACTS)


def step(facts: MutableMapping[str, Any], meaning: Meaning, trigger: str, from_state: str | None,
         to_state: str, at: int) -> None:
    """Move the facts (a findings row, or a dict of FACTS) on by one event at `at` (micros)."""
    dwell = dict(facts["state_us"] or {})  # a new dict: the JSON column is not change-tracked
    if facts["raised_us"] is None:
        facts["raised_us"] = at
    elif from_state is not None and from_state not in meaning.finals:
        dwell[from_state] = dwell.get(from_state, 0) + max(0, at - facts["state_since_us"])
    if to_state not in meaning.finals:
        dwell.setdefault(to_state, 0)
    facts["state_us"], facts["state_since_us"] = dwell, at
    if trigger in meaning.reports:
        facts["reported_us"] = at
        facts["reports_us"] = [*(facts["reports_us"] or []), at]
    if to_state in meaning.confirmed and facts["confirmed_us"] is None:
        facts["confirmed_us"] = at


def replay(meaning: Meaning, events: Iterable[tuple[str, str | None, str, datetime]]
           ) -> dict[str, Any]:
    """The facts after these (trigger, from_state, to_state, created_at) events, in order."""
    facts = empty_facts()
    for trigger, from_state, to_state, at in events:
        step(facts, meaning, trigger, from_state, to_state, micros(at))
    return facts


class _RowFacts(MutableMapping[str, Any]):
    """A finding's FACTS columns as a mapping (step works on rows and dicts alike)."""

    def __init__(self, finding: Finding) -> None:
        self.finding = finding

    def __getitem__(self, key: str) -> Any:
        return getattr(self.finding, key)

    def __setitem__(self, key: str, value: Any) -> None:
        setattr(self.finding, key, value)

    def __delitem__(self, key: str) -> None:
        raise TypeError("the facts are columns")

    def __iter__(self) -> Any:
        return iter(FACTS)

    def __len__(self) -> int:
        return len(FACTS)


def note_event(session: Session, finding: Finding, trigger: str, from_state: str | None,
               to_state: str, now: datetime) -> None:
    """Move the finding's facts on by the event being appended (finding.last_seq already its)."""
    registry: Registry = session.info[REGISTRY]
    meaning = meaning_of(registry.get(finding.lifecycle, finding.lifecycle_version))
    if trigger == "migrate":  # a new version: the earlier events may mean something else in it
        earlier = session.execute(
            select(Event.trigger, Event.from_state, Event.to_state, Event.created_at)
            .where(Event.finding_id == finding.id, Event.seq < finding.last_seq)
            .order_by(Event.seq)).all()
        for key, value in replay(meaning, earlier).items():
            setattr(finding, key, value)
    step(_RowFacts(finding), meaning, trigger, from_state, to_state, micros(now))
