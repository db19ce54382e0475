"""workflow.chain: canonical form, event hashes, and verify_chain finding every kind of break."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from workflow.chain import GENESIS, canonical, event_hash, row_digest, timestamp, verify_chain

AT = datetime(2024, 3, 1, 8, 30, 15, 123456)
CODE = "F-2024-0001"


@dataclass(frozen=True)
class Ev:
    """The attributes EventLike lists."""

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
    finding_digest: str = "d" * 64


STEPS = [("raise", None, "raised", {"title": "灭火器过期"}),
         ("assign", "raised", "assigned", {"due_date": "2024-03-15", "requirement": "更换"}),
         ("report_rectification", "assigned", "rectified", {"measures": "已更换全部灭火器"}),
         ("revisit", "rectified", "revisited", {"method": "onsite"})]


FD = "d" * 64  # the finding row's digest each event records


def _chain(steps: list[tuple[str, str | None, str, dict[str, Any]]] = STEPS) -> list[Ev]:
    events, prev = [], GENESIS
    for seq, (trigger, src, dst, payload) in enumerate(steps, start=1):
        at = AT + timedelta(minutes=seq)
        digest = event_hash(prev, canonical(CODE, seq, trigger, src, dst, 7, payload, at, FD))
        events.append(Ev(100 + seq, 1, seq, trigger, src, dst, 7, payload, at, prev, digest, FD))
        prev = digest
    return events


def _verify(events: list[Ev], last_seq: int | None = None, last_hash: str | None = None,
            state: str | None = None) -> list[tuple[int | None, int | None, str]]:
    good = _chain()
    problems = verify_chain(1, CODE, events,
                            len(good) if last_seq is None else last_seq,
                            good[-1].hash if last_hash is None else last_hash,
                            good[-1].to_state if state is None else state)
    assert all(p.finding_id == 1 for p in problems)
    return [(p.seq, p.event_id, p.problem) for p in problems]


def test_timestamp_is_utc_text_with_microseconds() -> None:
    assert timestamp(AT) == "2024-03-01T08:30:15.123456Z"
    # An aware UTC time and the naive time SQLite gives back hash the same.
    assert timestamp(AT.replace(tzinfo=UTC)) == timestamp(AT)


def test_canonical_is_sorted_compact_json_keeping_chinese() -> None:
    text = canonical(CODE, 2, "assign", "raised", "assigned", 7, {"b": 1, "a": "整改"}, AT, FD)
    assert text == ('{"actor":7,"at":"2024-03-01T08:30:15.123456Z","finding":"F-2024-0001",'
                    '"finding_digest":"' + FD + '","from":"raised","payload":{"a":"整改","b":1},'
                    '"seq":2,"to":"assigned",'
                    '"trigger":"assign"}')
    assert json.loads(text)["payload"] == {"a": "整改", "b": 1}


def test_canonical_does_not_depend_on_payload_key_order() -> None:
    one = canonical(CODE, 1, "raise", None, "raised", 7, {"x": 1, "y": [1, 2]}, AT, FD)
    two = canonical(CODE, 1, "raise", None, "raised", 7, {"y": [1, 2], "x": 1}, AT, FD)
    assert one == two
    assert '"from":null' in one


def test_canonical_changes_with_every_field() -> None:
    base = (CODE, 1, "raise", None, "raised", 7, {"x": 1}, AT, FD)
    variants = [
        ("F-2024-0002", 1, "raise", None, "raised", 7, {"x": 1}, AT, FD),
        (CODE, 2, "raise", None, "raised", 7, {"x": 1}, AT, FD),
        (CODE, 1, "assign", None, "raised", 7, {"x": 1}, AT, FD),
        (CODE, 1, "raise", "raised", "raised", 7, {"x": 1}, AT, FD),
        (CODE, 1, "raise", None, "assigned", 7, {"x": 1}, AT, FD),
        (CODE, 1, "raise", None, "raised", 8, {"x": 1}, AT, FD),
        (CODE, 1, "raise", None, "raised", 7, {"x": 2}, AT, FD),
        (CODE, 1, "raise", None, "raised", 7, {"x": 1}, AT + timedelta(microseconds=1), FD),
        (CODE, 1, "raise", None, "raised", 7, {"x": 1}, AT, "e" * 64),
    ]
    texts = {canonical(*base)} | {canonical(*v) for v in variants}
    assert len(texts) == len(variants) + 1


def test_event_hash_is_sha256_of_prev_and_body() -> None:
    body = canonical(CODE, 1, "raise", None, "raised", 7, {}, AT, FD)
    assert event_hash(GENESIS, body) == hashlib.sha256((GENESIS + body).encode()).hexdigest()
    assert event_hash(GENESIS, body) == event_hash(GENESIS, body)
    assert event_hash("1" * 64, body) != event_hash(GENESIS, body)


def test_intact_chain_verifies() -> None:
    assert _verify(_chain()) == []


def test_empty_chain_of_a_new_finding_verifies() -> None:
    assert verify_chain(1, CODE, [], 0, GENESIS, "raised") == []


def test_edited_payload_is_detected() -> None:
    events = _chain()
    events[1] = replace(events[1], payload={**events[1].payload, "due_date": "2024-12-31"})
    assert _verify(events) == [(2, 102, "hash does not match the event's content (edited)")]


def test_edited_actor_is_detected() -> None:
    events = _chain()
    events[2] = replace(events[2], actor_id=8)
    assert _verify(events) == [(3, 103, "hash does not match the event's content (edited)")]


def test_rehashed_edit_breaks_the_next_link() -> None:
    events = _chain()
    edited = replace(events[1], payload={"due_date": "2024-12-31", "requirement": "更换"})
    body = canonical(CODE, 2, edited.trigger, edited.from_state, edited.to_state, edited.actor_id,
                     edited.payload, edited.created_at, edited.finding_digest)
    events[1] = replace(edited, hash=event_hash(edited.prev_hash, body))
    assert _verify(events) == [(3, 103, "prev_hash does not match the hash of the event before")]


def test_reordered_events_are_detected() -> None:
    events = _chain()
    events[1], events[2] = events[2], events[1]
    assert _verify(events) == [
        (3, 103, "expected event #2, found #3 (missing or reordered)"),
        (3, 103, "prev_hash does not match the hash of the event before"),
        (3, 103, "from state 'assigned' is not the state before, 'raised'"),
        (2, 102, "expected event #4, found #2 (missing or reordered)"),
        (2, 102, "prev_hash does not match the hash of the event before"),
        (2, 102, "from state 'raised' is not the state before, 'rectified'"),
        (4, 104, "expected event #3, found #4 (missing or reordered)"),
        (4, 104, "prev_hash does not match the hash of the event before"),
        (4, 104, "from state 'rectified' is not the state before, 'assigned'"),
    ]


def test_renumbered_seq_is_detected() -> None:
    events = _chain()
    events[1] = replace(events[1], seq=3)
    problems = _verify(events)
    assert (3, 102, "expected event #2, found #3 (missing or reordered)") in problems
    assert (3, 102, "hash does not match the event's content (edited)") in problems


def test_removed_event_is_detected() -> None:
    events = _chain()
    del events[1]
    assert _verify(events) == [
        (3, 103, "expected event #2, found #3 (missing or reordered)"),
        (3, 103, "prev_hash does not match the hash of the event before"),
        (3, 103, "from state 'assigned' is not the state before, 'raised'"),
    ]


def test_removed_last_event_is_caught_by_the_head() -> None:
    events = _chain()[:-1]
    assert _verify(events) == [
        (None, None, "finding head (#4) does not match its last event (#3): events missing or added"),
        (None, None, "state 'revisited' is not the last event's 'rectified'"),
    ]


def test_wrong_head_hash_is_detected() -> None:
    assert _verify(_chain(), last_hash="f" * 64) == [
        (None, None, "finding head (#4) does not match its last event (#4): events missing or added"),
    ]


def test_wrong_head_seq_is_detected() -> None:
    assert _verify(_chain(), last_seq=5) == [
        (None, None, "finding head (#5) does not match its last event (#4): events missing or added"),
    ]


def test_state_that_no_event_led_to_is_detected() -> None:
    assert _verify(_chain(), state="closed") == [
        (None, None, "state 'closed' is not the last event's 'revisited'"),
    ]


def test_a_finding_row_edited_after_its_last_event_is_detected() -> None:
    events = _chain()
    good = _chain()
    assert verify_chain(1, CODE, events, len(good), good[-1].hash, "revisited", FD) == []
    problems = verify_chain(1, CODE, events, len(good), good[-1].hash, "revisited", "0" * 64)
    assert [(p.seq, p.problem) for p in problems] == [
        (None, "the finding's fields differ from what its last event recorded (edited outside "
               "the engine)")]


def test_row_digest_is_stable_and_sensitive() -> None:
    columns = {"title": "灭火器过期", "due_date": date(2024, 3, 15), "rework_rounds": 0,
               "closed_at": AT, "unit_id": 3}
    assert row_digest(columns) == row_digest(dict(reversed(list(columns.items()))))
    assert row_digest(columns) != row_digest({**columns, "unit_id": 4})
    assert row_digest(columns) != row_digest({**columns, "due_date": date(2024, 3, 16)})
