"""The hash chain over a finding's events: compute, and verify from the stored rows."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

GENESIS = "0" * 64


def timestamp(moment: datetime) -> str:
    """The one text form of an event time that goes into its hash."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(finding_code: str, seq: int, trigger: str, from_state: str | None, to_state: str,
              actor_id: int, payload: Mapping[str, Any], created_at: datetime,
              finding_digest: str) -> str:
    body = {
        "finding": finding_code, "seq": seq, "trigger": trigger, "from": from_state,
        "to": to_state, "actor": actor_id, "payload": payload, "at": timestamp(created_at),
        "finding_digest": finding_digest,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def row_digest(columns: Mapping[str, Any]) -> str:
    """sha256 over a finding's audited columns (dates and times as ISO text)."""
    text = json.dumps(columns, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=lambda v: timestamp(v) if isinstance(v, datetime) else v.isoformat())
    return hashlib.sha256(text.encode()).hexdigest()


def event_hash(prev_hash: str, canonical_json: str) -> str:
    return hashlib.sha256((prev_hash + canonical_json).encode()).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    finding_id: int
    seq: int | None
    event_id: int | None
    problem: str


class EventLike(Protocol):
    """What verify needs from an event row (the ORM Event satisfies it)."""

    id: int
    finding_id: int
    seq: int
    trigger: str
    from_state: str | None
    to_state: str
    actor_id: int
    payload: dict[str, Any]
    created_at: datetime
    prev_hash: str
    hash: str
    finding_digest: str


def verify_chain(finding_id: int, finding_code: str, events: Iterable[EventLike], last_seq: int,
                 last_hash: str, state: str, current_digest: str | None = None) -> list[ChainProblem]:
    """Every break in one finding's chain: gaps, reorders, edited rows, a moved head, and
    (given the row's current digest) a finding row edited after its last event."""
    problems: list[ChainProblem] = []
    prev, expected_seq, previous_to, last_digest = GENESIS, 1, None, ""
    for ev in events:
        def report(text: str, ev: EventLike = ev) -> None:
            problems.append(ChainProblem(finding_id, ev.seq, ev.id, text))
        if ev.seq != expected_seq:
            report(f"expected event #{expected_seq}, found #{ev.seq} (missing or reordered)")
        if ev.prev_hash != prev:
            report("prev_hash does not match the hash of the event before")
        body = canonical(finding_code, ev.seq, ev.trigger, ev.from_state, ev.to_state,
                         ev.actor_id, ev.payload, ev.created_at, ev.finding_digest)
        if event_hash(ev.prev_hash, body) != ev.hash:
            report("hash does not match the event's content (edited)")
        if previous_to is not None and ev.from_state != previous_to:
            report(f"from state '{ev.from_state}' is not the state before, '{previous_to}'")
        prev, expected_seq, previous_to = ev.hash, ev.seq + 1, ev.to_state
        last_digest = ev.finding_digest
    if expected_seq - 1 != last_seq or prev != last_hash:
        problems.append(ChainProblem(finding_id, None, None,
                                     f"finding head (#{last_seq}) does not match its last event "
                                     f"(#{expected_seq - 1}): events missing or added"))
    if previous_to is not None and previous_to != state:
        problems.append(ChainProblem(finding_id, None, None,
                                     f"state '{state}' is not the last event's '{previous_to}'"))
    elif previous_to is not None and current_digest is not None and current_digest != last_digest:
        problems.append(ChainProblem(finding_id, None, None,
                                     "the finding's fields differ from what its last event "
                                     "recorded (edited outside the engine)"))
    return problems
