"""The hand-written canonical form of an event is byte for byte json.dumps of its body (the hash
of every event ever written depends on it)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflow.chain import canonical, row_digest, timestamp

SHORT = st.text(max_size=12)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | SHORT
PAYLOADS = st.dictionaries(SHORT, st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(SHORT, inner, max_size=3),
    max_leaves=6), max_size=4)


def reference(code, seq, trigger, src, dst, actor, payload, at, digest):  # type: ignore[no-untyped-def]
    body = {"finding": code, "seq": seq, "trigger": trigger, "from": src, "to": dst,
            "actor": actor, "payload": payload, "at": timestamp(at), "finding_digest": digest}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@settings(suppress_health_check=[HealthCheck.too_slow])  # a shared, loaded CI machine
@given(code=SHORT, seq=st.integers(), trigger=SHORT, src=st.none() | SHORT, dst=SHORT,
       actor=st.integers(), payload=PAYLOADS, digest=SHORT, at=st.datetimes(timezones=st.just(UTC)))
def test_canonical_is_json_dumps_of_the_body(code, seq, trigger, src, dst, actor, payload,  # type: ignore[no-untyped-def]
                                             digest, at) -> None:
    assert canonical(code, seq, trigger, src, dst, actor, payload, at, digest) == reference(
        code, seq, trigger, src, dst, actor, payload, at, digest)


def test_quotes_controls_and_chinese_are_written_as_json_does() -> None:
    at = datetime(2026, 3, 2, 15, 59, 59, 123456, tzinfo=UTC)
    args = ('R-"1"\\', 3, "assign\n", None, "整改\u2028", 7, {"b": [1.5, None], "a": "\x00"},
            at, "v4:ab")
    assert canonical(*args) == reference(*args)
    assert '"from":null' in canonical(*args) and "整改" in canonical(*args)


def test_row_digest_writes_dates_and_times_in_iso() -> None:
    at = datetime(2026, 3, 2, 15, 59, 59, 123456, tzinfo=UTC)
    expected = json.dumps({"a": "2026-03-02T15:59:59.123456Z", "b": "2026-03-02", "c": None},
                          sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert row_digest({"b": at.date(), "a": at, "c": None}) == \
        hashlib.sha256(expected.encode()).hexdigest()


def test_values_of_other_types_are_written_as_json_does() -> None:
    """The fast path quotes texts and writes ints directly; a bool (an int to isinstance) or a
    number where a text belongs is written as json.dumps would."""
    at = datetime(2026, 3, 2, 15, 59, 59, 123456, tzinfo=UTC)
    for args in [("R-1", True, "assign", None, "open", False, {}, at, "v4:ab"),
                 ("R-1", 2, 7, "open", 1.5, 3, {"k": [1]}, at, None)]:
        assert canonical(*args) == reference(*args)  # type: ignore[arg-type]
