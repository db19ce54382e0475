"""Before and after: the photos a finding was raised with beside those its rectification reported."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from workflow.spec.model import SAME_STATE, Lifecycle, TransitionSpec

RAISE_TRIGGER = "raise"
REPORT_EFFECT = "record_rectified_at"  # the effect that marks a transition as the rectification report


class EventLike(Protocol):
    trigger: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class BeforeAfter:
    """Files (attachment rows, in the order given) raised with and reported with; `rounds` is how
    many rectification reports there were (`after` holds the latest one's)."""

    before: list[Any] = field(default_factory=list)
    after: list[Any] = field(default_factory=list)
    rounds: int = 0

    @property
    def empty(self) -> bool:
        return not self.before and not self.after


def is_report(transition: TransitionSpec) -> bool:
    """A transition that reports the rectification (it records when the finding was rectified)."""
    return any(effect.name == REPORT_EFFECT for effect in transition.effects)


def _files(event: EventLike, files: Mapping[str, Any]) -> list[Any]:
    """The event's files (any list of digests in its payload) that are known attachment rows."""
    return [files[d] for value in event.payload.values() if isinstance(value, list)
            for d in value if isinstance(d, str) and d in files]


def before_after(lc: Lifecycle, events: Iterable[EventLike],
                 files: Mapping[str, Any]) -> BeforeAfter:
    """Group a finding's evidence: before = the files of its raise, after = the files of its
    latest rectification report (earlier rounds stay in the timeline)."""
    reports = {t.trigger for t in lc.transitions if is_report(t)}
    before: list[Any] = []
    after: list[Any] = []
    rounds = 0
    for event in events:
        if event.trigger == RAISE_TRIGGER:
            before += _files(event, files)
        elif event.trigger in reports:
            after, rounds = _files(event, files), rounds + 1
    return BeforeAfter(before, after, rounds)


def check_triggers(lc: Lifecycle) -> frozenset[str]:
    """The checking side's steps (to-dos that move the finding) out of a reported state, or out
    of the state its first check leads to (revisit from rectified, then confirm or reject)."""
    moves = [t for t in lc.transitions if "inspecting" in t.sides and t.todo
             and t.dest != SAME_STATE]
    reported = {t.dest for t in lc.transitions if is_report(t)}
    checked = {t.dest for t in moves if reported.intersection(t.sources)} - reported
    return frozenset(t.trigger for t in moves if (reported | checked).intersection(t.sources))
