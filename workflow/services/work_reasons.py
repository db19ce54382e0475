"""Why a finding is on My work, read from its events as the definitions name them: the reviewer's
reason and the round of a finding sent back (the transition with the count_rework effect), and the
measures last reported (the transition recording rectified_at), to start the next report from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.models import Event, Finding
from workflow.spec import Registry
from workflow.spec.model import Lifecycle, TransitionSpec

SEND_BACK_EFFECT = "count_rework"
REPORT_EFFECT = "record_rectified_at"


@dataclass(frozen=True)
class SentBack:
    """A finding sent back for rework: the round it is in, the reason given, and when."""

    round: int
    reason: str
    at: datetime


def with_effect(lc: Lifecycle, effect: str) -> list[TransitionSpec]:
    """The transitions of a lifecycle that carry this effect."""
    return [t for t in lc.transitions if any(e.name == effect for e in t.effects)]


def reason_field(spec: TransitionSpec) -> str | None:
    """The text the actor gives with a transition: its first required text field, else its
    first text field."""
    texts = [f for f in spec.fields if f.type == "text"]
    chosen = next((f for f in texts if f.required), texts[0] if texts else None)
    return chosen.name if chosen else None


def came_back(finding: Finding) -> bool:
    """Sent back at least once and not reported again since (count_rework clears rectified_at)."""
    return finding.rework_rounds > 0 and finding.rectified_at is None


def _last_events(session: Session, findings: list[Finding],
                 triggers: dict[int, set[str]]) -> dict[int, Event]:
    """Each finding's latest event among its own triggers (one query for the lot)."""
    wanted = {t for ts in triggers.values() for t in ts}
    if not findings or not wanted:
        return {}
    last: dict[int, Event] = {}
    for event in session.scalars(select(Event).where(
            Event.finding_id.in_([f.id for f in findings]), Event.trigger.in_(wanted))
            .order_by(Event.finding_id, Event.seq)):
        if event.trigger in triggers.get(event.finding_id, set()):
            last[event.finding_id] = event
    return last


def sent_back(session: Session, registry: Registry,
              findings: Iterable[Finding]) -> dict[int, SentBack]:
    """For each finding that came back, the round and the reason of its last send-back."""
    back = [f for f in findings if came_back(f)]
    specs = {f.id: with_effect(registry.get(f.lifecycle, f.lifecycle_version), SEND_BACK_EFFECT)
             for f in back}
    events = _last_events(session, back, {i: {t.trigger for t in s} for i, s in specs.items()})
    out = {}
    for finding in back:
        event = events.get(finding.id)
        if event is None:
            continue
        spec = next(t for t in specs[finding.id] if t.trigger == event.trigger)
        field = reason_field(spec)
        text = event.payload.get(field, "") if field else ""
        out[finding.id] = SentBack(finding.rework_rounds, str(text or ""), event.created_at)
    return out


def previous_report(session: Session, registry: Registry, finding: Finding,
                    trigger: str) -> dict[str, Any]:
    """The text fields of the finding's last `trigger` event, when that transition reports
    (record_rectified_at) and the finding came back: the report form starts from them."""
    lc = registry.get(finding.lifecycle, finding.lifecycle_version)
    spec = next((t for t in with_effect(lc, REPORT_EFFECT) if t.trigger == trigger), None)
    if spec is None or not came_back(finding):
        return {}
    event = _last_events(session, [finding], {finding.id: {trigger}}).get(finding.id)
    if event is None:
        return {}
    return {f.name: event.payload[f.name] for f in spec.fields
            if f.type == "text" and isinstance(event.payload.get(f.name), str)}
