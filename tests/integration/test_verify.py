"""`rectify verify` on SQLite and PostgreSQL: silent on an intact trail, and naming the finding
and the event when someone edited the events table behind the engine's back."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select, text, update

from workflow.cli import engine
from workflow.models import Event, Finding

EVENTS = Event.__table__


@pytest.fixture
def run_verify(database_url, tmp_path):
    """Run `rectify verify` against this test's database; returns (exit code, output)."""
    def run():
        env = {"RECTIFY_DATABASE_URL": database_url,
               "RECTIFY_INSTANCE_PATH": str(tmp_path / "instance")}  # the evidence files too
        result = CliRunner().invoke(engine, ["verify"], env=env)
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            result.output
        return result.exit_code, result.output
    return run


@pytest.fixture
def two_findings(flow):
    """Two findings with four events each; the second is the one tests tamper with."""
    kept = flow.drive(flow.raise_(title="Untouched finding").id,
                      "assign", "report_rectification", "revisit")
    target = flow.drive(flow.raise_(title="Tampered finding").id,
                        "assign", "report_rectification", "revisit")
    events = {e.seq: e for e in flow.events(target.id)}
    assert sorted(events) == [1, 2, 3, 4]
    return kept, target, events


def test_verify_passes_on_an_empty_database(run_verify):
    code, output = run_verify()
    assert code == 0 and output.startswith("ok")


def test_verify_passes_on_an_intact_trail(run_verify, two_findings):
    code, output = run_verify()
    assert code == 0, output
    assert "ok: every finding's event chain verifies" in output
    assert "FAILED" not in output


def tamper_payload(conn, events):
    conn.execute(update(EVENTS).where(EVENTS.c.id == events[2].id)
                 .values(payload={**events[2].payload, "due_date": "2099-01-01"}))
    return [(2, "hash does not match the event's content (edited)")]


def swap_seq(conn, events):
    first, second = events[2].id, events[3].id
    conn.execute(update(EVENTS).where(EVENTS.c.id == first).values(seq=-1))
    conn.execute(update(EVENTS).where(EVENTS.c.id == second).values(seq=2))
    conn.execute(update(EVENTS).where(EVENTS.c.id == first).values(seq=3))
    # verify walks events in insertion (id) order: #3 comes where #2 should, then #2 ...
    return [(3, "expected event #2, found #3 (missing or reordered)"),
            (2, "expected event #4, found #2 (missing or reordered)"),
            (3, "hash does not match the event's content (edited)")]


def tamper_hash(conn, events):
    conn.execute(update(EVENTS).where(EVENTS.c.id == events[3].id).values(hash="f" * 64))
    return [(3, "hash does not match the event's content (edited)"),
            (4, "prev_hash does not match the hash of the event before")]


def delete_event(conn, events):
    conn.execute(delete(EVENTS).where(EVENTS.c.id == events[2].id))
    return [(3, "expected event #2, found #3 (missing or reordered)"),
            (3, "prev_hash does not match the hash of the event before")]


@pytest.mark.parametrize("tamper", [tamper_payload, swap_seq, tamper_hash, delete_event])
def test_verify_names_the_finding_and_event_that_were_tampered_with(
        rectify, run_verify, two_findings, lift_append_only, tamper):
    kept, target, events = two_findings
    with lift_append_only(rectify.database) as db_engine, db_engine.begin() as conn:
        expected = tamper(conn, events)
        rows = conn.execute(select(EVENTS.c.seq, EVENTS.c.id)
                            .where(EVENTS.c.finding_id == target.id))
        ids = {row.seq: row.id for row in rows}
    code, output = run_verify()
    assert code == 1, output
    for seq, problem in expected:
        assert f"{target.code} event #{seq} (id {ids[seq]}): {problem}" in output
    assert kept.code not in output
    assert "FAILED: 1 finding(s) with a broken chain" in output


@pytest.mark.parametrize("column, value", [("unit_id", None), ("title", "Harmless"),
                                           ("due_date", "2099-01-01"), ("rework_rounds", 7)])
def test_verify_catches_a_finding_row_edited_behind_the_engine(
        rectify, run_verify, two_findings, column, value):
    kept, target, _events = two_findings
    findings = Finding.__table__
    if column == "unit_id":
        value = kept.unit_id + 1 if kept.unit_id == target.unit_id else kept.unit_id
    if column == "due_date":
        value = date.fromisoformat(value)
    with rectify.database.engine.begin() as conn:  # the findings table has no trigger to lift
        conn.execute(update(findings).where(findings.c.id == target.id).values({column: value}))
    code, output = run_verify()
    assert code == 1, output
    assert (f"{target.code} head: the finding's fields differ from what its last event "
            "recorded (edited outside the engine)") in output
    assert kept.code not in output


POSTGRES_ONLY = pytest.mark.parametrize("backend", [pytest.param("postgres",
                                                                 marks=pytest.mark.postgres)])


@POSTGRES_ONLY
def test_verify_catches_times_postgresql_holds_and_python_cannot(
        rectify, run_verify, two_findings, lift_append_only):
    """verify reads PostgreSQL's dates and times as text the server writes: an empty closed_at
    set to infinity (which to_char writes as nothing) and an event moved to the same moment BC
    (which to_char writes with the same digits) must still be breaks."""
    kept, target, events = two_findings
    with rectify.database.engine.begin() as conn:
        conn.execute(text("UPDATE findings SET closed_at = 'infinity' WHERE id = :id"),
                     {"id": target.id})
    with lift_append_only(rectify.database) as db_engine, db_engine.begin() as conn:
        conn.execute(text("UPDATE events SET created_at = (to_char(created_at AT TIME ZONE 'UTC', "
                          "'YYYY-MM-DD HH24:MI:SS.US') || '+00 BC')::timestamptz WHERE id = :id"),
                     {"id": events[2].id})
    code, output = run_verify()
    assert code == 1, output
    assert (f"{target.code} event #2 (id {events[2].id}): hash does not match the event's "
            "content (edited)") in output
    assert (f"{target.code} head: the finding's fields differ from what its last event "
            "recorded (edited outside the engine)") in output
    assert kept.code not in output
