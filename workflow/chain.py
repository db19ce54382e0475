"""The hash chain over a finding's events: compute, and verify from the stored rows."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from json.encoder import encode_basestring
from typing import Any, NamedTuple, Protocol

GENESIS = "0" * 64


def timestamp(moment: datetime) -> str:
    """The one text form of an event time that goes into its hash."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(finding_code: str, seq: int, trigger: str, from_state: str | None, to_state: str,
              actor_id: int, payload: Mapping[str, Any], created_at: datetime,
              finding_digest: str) -> str:
    return canonical_at(finding_code, seq, trigger, from_state, to_state, actor_id, payload,
                        timestamp(created_at), finding_digest)


def _compact_json(default: Callable[[Any], Any] | None) -> Callable[[Any], str]:
    """json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    default=default) with its C encoder built once (the per-call set-up is most of the cost of
    a small payload), or the plain encoder where there is no C one."""
    encoder = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                               default=default)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return encoder.encode
    iterate = make(None, encoder.default, encode_basestring, None, ":", ",", True, False, True)
    return lambda value: "".join(iterate(value, 0))


_json_text = _compact_json(None)
_quote = encode_basestring  # a str as a JSON string (ensure_ascii=False); TypeError otherwise


def _text(value: Any) -> str:
    """One value as the canonical form writes it (common scalars directly)."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is int:
        return int.__repr__(value)
    return "null" if value is None else _json_text(value)


def compact_json(value: Any) -> str:
    """A value as the canonical form writes it: json.dumps with sorted keys, compact
    separators and no ASCII escaping."""
    return _json_text(value)


def canonical_at(finding_code: str, seq: int, trigger: str, from_state: str | None,
                 to_state: str, actor_id: int, payload: Mapping[str, Any], at: str,
                 finding_digest: str) -> str:
    """The event's canonical JSON given its time as text: exactly json.dumps of the body with
    sorted keys, compact separators and no ASCII escaping (keys written in sorted order here;
    a unit test holds it equal to json.dumps)."""
    return canonical_written(finding_code, seq, trigger, from_state, to_state, actor_id,
                             _json_text(payload), at, finding_digest)


def canonical_written(finding_code: str, seq: int, trigger: str, from_state: str | None,
                      to_state: str, actor_id: int, payload_json: str, at: str,
                      finding_digest: str) -> str:
    """canonical_at with the payload already written by compact_json (verify writes each
    distinct stored payload once)."""
    if type(seq) is int and type(actor_id) is int:  # as always written: the texts quoted directly
        try:
            return (f'{{"actor":{actor_id},"at":{_quote(at)},"finding":{_quote(finding_code)},'
                    f'"finding_digest":{_quote(finding_digest)},"from":'
                    f'{"null" if from_state is None else _quote(from_state)},'
                    f'"payload":{payload_json},"seq":{seq},"to":{_quote(to_state)},'
                    f'"trigger":{_quote(trigger)}}}')
        except TypeError:  # a value that is not text: each written as json.dumps would, below
            pass
    return (f'{{"actor":{_text(actor_id)},"at":{_text(at)},"finding":{_text(finding_code)},'
            f'"finding_digest":{_text(finding_digest)},"from":{_text(from_state)},'
            f'"payload":{payload_json},"seq":{_text(seq)},"to":{_text(to_state)},'
            f'"trigger":{_text(trigger)}}}')


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_digest_text = _compact_json(_iso)


def row_digest(columns: Mapping[str, Any]) -> str:
    """sha256 over a finding's audited columns (dates and times as ISO text)."""
    return hashlib.sha256(_digest_text(columns).encode()).hexdigest()


def event_hash(prev_hash: str, canonical_json: str) -> str:
    return hashlib.sha256((prev_hash + canonical_json).encode()).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    finding_id: int
    seq: int | None
    event_id: int | None
    problem: str


class Reading(NamedTuple):
    """How verify turns an event's created_at and payload, as read, into what the hash covers
    (as the ORM reads them: the time to its text, the payload to its compact JSON)."""

    at: Callable[[Any], str]
    payload_json: Callable[[Any], str]


AS_READ = Reading(timestamp, compact_json)


class ChainStart(NamedTuple):
    """Where a run of events continues a chain: the hash before it, the seq it starts at, the
    state it leaves from (None at the beginning) and the finding digest recorded last."""

    prev_hash: str
    seq: int
    state: str | None
    finding_digest: str


FROM_GENESIS = ChainStart(GENESIS, 1, None, "")


class EventLike(Protocol):
    """What verify needs from an event row (the ORM Event and verify's own tuples satisfy it)."""

    @property
    def id(self) -> int: ...
    @property
    def seq(self) -> int: ...
    @property
    def trigger(self) -> str: ...
    @property
    def from_state(self) -> str | None: ...
    @property
    def to_state(self) -> str: ...
    @property
    def actor_id(self) -> int: ...
    @property
    def payload(self) -> Any: ...
    @property
    def created_at(self) -> Any: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...
    @property
    def finding_digest(self) -> str: ...


def verify_chain(finding_id: int, finding_code: str, events: Iterable[EventLike], last_seq: int,
                 last_hash: str, state: str, current_digest: str | None = None,
                 reading: Reading = AS_READ,
                 start: ChainStart = FROM_GENESIS) -> list[ChainProblem]:
    """Every break in one finding's chain: gaps, reorders, edited rows, a moved head, and
    (given the row's current digest) a finding row edited after its last event. `reading` turns
    an event's created_at and payload as read into what its hash covers; `start` is where the
    events given continue a chain (its beginning, or a head already verified)."""
    problems: list[ChainProblem] = []
    prev, expected_seq, previous_to, last_digest = start
    stamp, payload_json = reading
    for ev in events:
        if ev.seq != expected_seq:
            problems.append(ChainProblem(finding_id, ev.seq, ev.id, f"expected event #{expected_seq}, "
                                         f"found #{ev.seq} (missing or reordered)"))
        if ev.prev_hash != prev:
            problems.append(ChainProblem(finding_id, ev.seq, ev.id, "prev_hash does not match the "
                                         "hash of the event before"))
        body = canonical_written(finding_code, ev.seq, ev.trigger, ev.from_state, ev.to_state,
                                 ev.actor_id, payload_json(ev.payload), stamp(ev.created_at),
                                 ev.finding_digest)
        if event_hash(ev.prev_hash, body) != ev.hash:
            problems.append(ChainProblem(finding_id, ev.seq, ev.id, "hash does not match the "
                                         "event's content (edited)"))
        if previous_to is not None and ev.from_state != previous_to:
            problems.append(ChainProblem(finding_id, ev.seq, ev.id, f"from state '{ev.from_state}' "
                                         f"is not the state before, '{previous_to}'"))
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
