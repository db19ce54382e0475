"""`rectify verify --since ANCHOR`: the chain heads at the anchor's time must still make its
fingerprint, and every event after it must chain on from them; the parallel walk agrees with
the one-process walk and with the anchor's own definition."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, insert, select, update

from tests.integration.test_anchor import anchor_text, rewrite_history
from workflow.cli import engine
from workflow.models import Event
from workflow.runtime import Rectify
from workflow.services import verify_parallel
from workflow.services.anchor import anchor_at, parse_anchor
from workflow.services.verify_chains import HEAD_EDITED
from workflow.services.verify_parallel import Outcome, verify_everything

Flow = Any
DAY1 = date(2026, 3, 2)
EVENTS = Event.__table__


@pytest.fixture
def run(database_url: str, rectify: Rectify) -> Any:
    def invoke(*args: str) -> Any:
        env = {"RECTIFY_DATABASE_URL": database_url,
               "RECTIFY_INSTANCE_PATH": str(rectify.settings.instance_path)}
        return CliRunner().invoke(engine, list(args), env=env)
    return invoke


@pytest.fixture
def day_two(rectify: Rectify, flow: Flow) -> tuple[str, dict[str, Any]]:
    """Day 1: A raised and assigned, B raised. The anchor of day 1. Day 2: A reported
    rectified, C raised. Returns the anchor and the findings."""
    a = flow.drive(flow.raise_(title="Finding A").id, "assign")
    b = flow.raise_(title="Finding B")
    rectify.clock.advance(days=1)
    anchor = anchor_text(rectify, flow, DAY1)
    flow.fire(a.id, "report_rectification")
    c = flow.raise_(title="Finding C")
    return anchor, {"a": a, "b": b, "c": c}


def event_of(rectify: Rectify, finding_id: int, seq: int) -> Any:
    with rectify.database.engine.connect() as conn:
        return conn.execute(select(EVENTS).where(EVENTS.c.finding_id == finding_id,
                                                 EVENTS.c.seq == seq)).one()


def test_since_checks_the_heads_then_only_the_new_events(run: Any, day_two: Any) -> None:
    anchor, _ = day_two
    answer = run("verify", "--since", anchor)
    assert answer.exit_code == 0, answer.output
    assert "ok: the chain heads at 2026-03-02T15:59:59.999999Z make the anchor's fingerprint" \
        in answer.output
    assert "(2 new events of 3 findings)" in answer.output  # A's report, C's raise
    assert "ok: every finding's event chain verifies (5 events of 3 findings)" in \
        run("verify").output


def test_an_edited_new_event_is_named(rectify: Rectify, run: Any, day_two: Any,
                                      lift_append_only: Any) -> None:
    anchor, found = day_two
    new = event_of(rectify, found["a"].id, 3)
    with lift_append_only(rectify.database) as db, db.begin() as conn:
        conn.execute(update(EVENTS).where(EVENTS.c.id == new.id)
                     .values(payload={**new.payload, "note": "edited"}))
    answer = run("verify", "--since", anchor)
    assert answer.exit_code == 1, answer.output
    assert (f"{found['a'].code} event #3 (id {new.id}): hash does not match the event's "
            "content (edited)") in answer.output
    assert "FAILED: 1 finding(s) with a broken chain after 2026-03-02T15:59:59.999999Z" \
        in answer.output
    assert "make the anchor's fingerprint" in answer.output  # the record up to T is intact


def test_a_removed_new_event_is_named(rectify: Rectify, run: Any, day_two: Any,
                                      lift_append_only: Any) -> None:
    anchor, found = day_two
    with lift_append_only(rectify.database) as db, db.begin() as conn:
        conn.execute(delete(EVENTS).where(EVENTS.c.id == event_of(rectify, found["a"].id, 3).id))
    answer = run("verify", "--since", anchor)
    assert answer.exit_code == 1, answer.output
    assert (f"{found['a'].code} head: finding head (#3) does not match its last event (#2): "
            "events missing or added") in answer.output


def test_an_event_added_behind_the_engine_after_the_anchor_is_named(
        rectify: Rectify, run: Any, day_two: Any) -> None:
    """B's row still says its head is the one at the anchor; an event written after the anchor
    straight into the table must still be read (the walk looks at every finding with an event
    after the cut-off, not only at those whose row moved)."""
    anchor, found = day_two
    head = event_of(rectify, found["b"].id, 1)
    with rectify.database.engine.begin() as conn:  # inserting is not blocked: no trigger to lift
        conn.execute(insert(EVENTS).values(
            finding_id=found["b"].id, seq=2, trigger="comment", from_state=head.to_state,
            to_state=head.to_state, actor_id=head.actor_id, payload={}, created_at=rectify.clock(),
            prev_hash=head.hash, hash="f" * 64, finding_digest=head.finding_digest))
    answer = run("verify", "--since", anchor)
    assert answer.exit_code == 1, answer.output
    assert (f"{found['b'].code} head: finding head (#1) does not match its last event (#2): "
            "events missing or added") in answer.output
    assert "ok: the chain heads at 2026-03-02T15:59:59.999999Z make the anchor's fingerprint" \
        in answer.output  # the heads at the cut-off are untouched


def test_history_rewritten_before_the_anchor_is_caught(rectify: Rectify, run: Any,
                                                       day_two: Any, lift_append_only: Any) -> None:
    anchor, found = day_two
    rewrite_history(rectify, lift_append_only, found["b"].id)  # every hash recomputed
    assert run("verify").exit_code == 0
    answer = run("verify", "--since", anchor)
    assert answer.exit_code == 1, answer.output
    assert "FAILED: the record up to 2026-03-02T15:59:59.999999Z was rewritten" in answer.output


def test_an_edited_head_at_the_anchor_is_named(rectify: Rectify, run: Any, day_two: Any,
                                               lift_append_only: Any) -> None:
    anchor, found = day_two
    head = event_of(rectify, found["a"].id, 2)  # A's assign: its head at the cut-off
    with lift_append_only(rectify.database) as db, db.begin() as conn:
        conn.execute(update(EVENTS).where(EVENTS.c.id == head.id)
                     .values(payload={**head.payload, "note": "Something else"}))
    answer = run("verify", "--since", anchor)
    assert answer.exit_code == 1, answer.output
    assert f"{found['a'].code} event #2 (id {head.id}): {HEAD_EDITED}" in answer.output
    assert found["b"].code not in answer.output  # nothing new on B: its row is not re-read


def test_the_walk_in_slices_and_processes_agrees(rectify: Rectify, day_two: Any,
                                                 lift_append_only: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """One finding per slice, two worker processes: the same breaks in id order, the same
    counts, and at a cut-off the fingerprint anchor_at computes."""
    anchor, found = day_two
    new = event_of(rectify, found["c"].id, 1)
    with lift_append_only(rectify.database) as db, db.begin() as conn:
        conn.execute(update(EVENTS).where(EVENTS.c.id == new.id).values(trigger="forged"))
    monkeypatch.setattr(verify_parallel, "SLICE", 1)
    db_engine = rectify.database.engine
    whole, sliced = Outcome(), Outcome()
    one = list(verify_everything(db_engine, 1, outcome=whole))
    two = list(verify_everything(db_engine, 2, outcome=sliced))
    assert [ref.code for ref, _ in one] == [ref.code for ref, _ in two] == [found["c"].code]
    assert (whole.findings, whole.events) == (sliced.findings, sliced.events) == (3, 5)
    _, cutoff = parse_anchor(anchor)
    at_cutoff = Outcome()
    list(verify_everything(db_engine, 2, cutoff, outcome=at_cutoff))
    with rectify.unit_of_work(write=False) as uow:
        assert at_cutoff.fingerprint == anchor_at(uow.session, cutoff).fingerprint


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_bad_since_gets_a_clear_error(run: Any) -> None:
    answer = run("verify", "--since", "3f2a-91bc@2026-03-02T15:59:59Z")
    assert answer.exit_code == 2 and "--since" in answer.output
    assert "16 to 64 hex digits" in answer.output
    both = run("verify", "--since", "a" * 16 + "@2026-03-02T15:59:59Z", "--anchor", "x")
    assert both.exit_code == 2 and "not both" in both.output
