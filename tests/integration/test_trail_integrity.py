"""The audit trail on both databases: TRUNCATE refused, a finding stripped of its events named
by verify, and digests of every scheme ever written still verifying."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from workflow.chain import canonical, event_hash
from workflow.models import Event, Finding
from workflow.services import verify_all
from workflow.services.events import finding_digest, scheme_of

EVENTS, FINDINGS = Event.__table__, Finding.__table__


def problems_of(rectify):
    with rectify.unit_of_work(write=False) as uow:
        return {f.code: [p.problem for p in found] for f, found in verify_all(uow.session)}


def test_events_cannot_be_emptied(rectify, flow):
    """DELETE on both; TRUNCATE, which row triggers do not see, on PostgreSQL (SQLite has none)."""
    flow.drive(flow.raise_().id, "assign")
    engine = rectify.database.engine
    statements = [delete(EVENTS)]
    if engine.dialect.name == "postgresql":
        statements.append(text("TRUNCATE events CASCADE"))
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(statement)
    with engine.connect() as conn:
        assert conn.scalar(select(EVENTS.c.id).limit(1)) is not None


def test_verify_names_a_finding_that_lost_all_its_events(rectify, flow, lift_append_only):
    kept = flow.drive(flow.raise_().id, "assign")
    stripped = flow.drive(flow.raise_(title="Stripped of its history").id, "assign")
    with lift_append_only(rectify.database) as engine, engine.begin() as conn:
        conn.execute(delete(EVENTS).where(EVENTS.c.finding_id == stripped.id))
        conn.execute(update(FINDINGS).where(FINDINGS.c.id == stripped.id)
                     .values(last_seq=0, last_hash="0" * 64))  # a careful forger resets the head
    assert problems_of(rectify) == {
        stripped.code: ["the finding has no events (its history was removed)"]}
    assert kept.code not in problems_of(rectify)


def rewrite_last_event_as_v1(rectify, lift_append_only, finding_id):
    """Make the finding's last event look as it was written before digests had a scheme."""
    with rectify.unit_of_work() as uow:
        finding = uow.session.get(Finding, finding_id)
        last = uow.session.scalars(select(Event).where(Event.finding_id == finding_id)
                                   .order_by(Event.seq.desc())).first()
        digest = finding_digest(finding, "v1")
        body = canonical(finding.code, last.seq, last.trigger, last.from_state, last.to_state,
                         last.actor_id, last.payload, last.created_at, digest)
        new_hash, event_id = event_hash(last.prev_hash, body), last.id
    with lift_append_only(rectify.database) as engine, engine.begin() as conn:
        conn.execute(update(EVENTS).where(EVENTS.c.id == event_id)
                     .values(finding_digest=digest, hash=new_hash))
        conn.execute(update(FINDINGS).where(FINDINGS.c.id == finding_id).values(last_hash=new_hash))
    return digest


def test_digests_of_the_first_scheme_still_verify(rectify, flow, lift_append_only):
    finding = flow.drive(flow.raise_().id, "assign")
    digest = rewrite_last_event_as_v1(rectify, lift_append_only, finding.id)
    assert scheme_of(digest) == "v1" and ":" not in digest and len(digest) == 64
    assert problems_of(rectify) == {}
    with rectify.database.engine.begin() as conn:  # v1 covers the title: an edit is caught
        conn.execute(update(FINDINGS).where(FINDINGS.c.id == finding.id).values(title="Edited"))
    assert finding.code in problems_of(rectify)


def test_new_events_carry_the_current_scheme(rectify, flow):
    finding = flow.drive(flow.raise_().id, "assign")
    digests = [e.finding_digest for e in flow.events(finding.id)]
    assert all(d.startswith("v4:") and len(d) == 67 for d in digests)
    assert scheme_of(digests[-1]) == "v4" and scheme_of("v9:" + "0" * 64) == "v1"
