"""fire() writes its finding and event as Core statements (services.transition_write), on SQLite
and PostgreSQL: the row is written once with its version bumped once, the object fire() returns
holds exactly what the row holds, a relationship an effect changed writes its foreign key, and
a row moved since it was read is refused without a trace."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, inspect, select, update

from tests.conftest import Flow, Org
from tests.integration.test_fire_statements import statements
from workflow.errors import StaleFinding
from workflow.models import Finding, Notification
from workflow.runtime import Rectify
from workflow.services import fire, firing, verify_all
from workflow.services.transition_write import changed_columns

COLUMNS = [c.key for c in Finding.__table__.columns]


def as_returned(finding: Finding) -> dict[str, Any]:
    return {name: getattr(finding, name) for name in COLUMNS}


def test_one_update_one_version_and_the_returned_object_is_the_row(
        rectify: Rectify, flow: Flow, org: Org) -> None:
    finding = flow.raise_()
    before = flow.finding(finding.id)
    actor = flow.actor_for(before, "assign")
    payload = flow.payload_for(before, "assign", actor)
    with statements(rectify) as sent, rectify.unit_of_work() as uow:
        fired = fire(uow, finding.id, "assign", actor, payload)
        assert not inspect(fired).modified  # saved: the commit's flush had nothing to write
        assert fired not in uow.session.dirty
    # one UPDATE and one event INSERT, alone (SQLite) or in one WITH statement (PostgreSQL)
    assert sum("UPDATE findings" in s for s in sent) == 1
    assert sum("INSERT events" in s for s in sent) == 1
    assert fired.version == before.version + 1
    row = flow.snapshot(finding.id)["row"]
    assert as_returned(fired) == {name: row[name] for name in COLUMNS}
    assert fired.state == "assigned" and fired.due_date is not None and fired.last_seq == 2
    with rectify.unit_of_work(write=False) as uow:
        assert list(verify_all(uow.session)) == []  # the hash chain and the row's digest agree


def test_a_changed_relationship_writes_its_foreign_key(flow: Flow, org: Org) -> None:
    finding = flow.raise_()
    fired = flow.fire(finding.id, "reassign", payload={"unit": org.group_b.id,
                                                       "reason": "Wrong unit"})
    assert fired.unit_id == org.group_b.id and fired.unit.id == org.group_b.id
    assert flow.snapshot(finding.id)["row"]["unit_id"] == org.group_b.id


def test_two_fires_in_one_transaction_each_bump_the_version(
        rectify: Rectify, flow: Flow, org: Org) -> None:
    finding = flow.raise_()
    with rectify.unit_of_work() as uow:
        fire(uow, finding.id, "assign", org.inspector,
             flow.payload_for(finding, "assign", org.inspector), commit=False)
        fired = fire(uow, finding.id, "urge", org.inspector, {"message": "Hurry"})
        uow.commit()
    assert fired.version == finding.version + 2
    assert flow.snapshot(finding.id)["row"]["version"] == finding.version + 2
    assert [e.seq for e in flow.events(finding.id)] == [1, 2, 3]


def test_a_row_moved_after_it_was_read_is_refused_and_nothing_is_written(
        rectify: Rectify, flow: Flow, org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    """The row's version moves between fire()'s read and its UPDATE (here by a statement in the
    same transaction, which SQLite's writer lock allows; test_concurrency races two processes):
    StaleFinding, and the finding and its events as they were."""
    finding = flow.raise_()
    real = firing.check_guards

    def meanwhile(ctx: Any, spec: Any) -> None:
        real(ctx, spec)
        ctx.session.connection().execute(update(Finding).where(Finding.id == finding.id)
                                         .values(version=Finding.version + 1))

    monkeypatch.setattr(firing, "check_guards", meanwhile)
    with flow.refused(finding.id, StaleFinding):
        flow.fire(finding.id, "assign", expected_version=finding.version)
    with rectify.unit_of_work(write=False) as uow:  # assign tells the unit: nobody was told
        assert uow.session.scalar(select(func.count()).select_from(Notification)
                                  .where(Notification.finding_id == finding.id)) == 0


def test_a_relationship_set_alone_still_writes_its_foreign_key(
        rectify: Rectify, flow: Flow, org: Org) -> None:
    finding = flow.raise_()
    with rectify.unit_of_work() as uow:
        loaded = uow.session.get_one(Finding, finding.id)
        loaded.unit = uow.session.get_one(type(org.group_b), org.group_b.id)
        loaded.title = "Moved"
        assert changed_columns(loaded) == {"unit_id": org.group_b.id, "title": "Moved"}


def test_the_notifications_written_with_the_transition_hold_what_notify_gives(
        rectify: Rectify, flow: Flow, org: Org) -> None:
    """On PostgreSQL the notifications ride in the transition's statement (json_to_recordset),
    on SQLite in an executemany: each row as notify_people made it, one per person told."""
    finding = flow.drive(flow.raise_().id, "assign")
    fired = flow.fire(finding.id, "urge", org.inspector, {"message": "Please hurry 请尽快"})
    event = flow.events(finding.id)[-1]
    with rectify.unit_of_work(write=False) as uow:
        rows = uow.session.execute(select(Notification.__table__).where(
            Notification.finding_id == finding.id, Notification.key.like(f"%:{event.seq}:%"))
            .order_by(Notification.user_id)).all()
    assert [r.key for r in rows] == [f"{fired.code}:{event.seq}:{r.user_id}" for r in rows]
    assert len(rows) >= 2 and org.inspector.id not in [r.user_id for r in rows]
    for row in rows:
        assert (row.kind, row.created_at, row.read_at, row.digested_at) == (
            "transition", event.created_at, None, None)
        assert row.params == {"finding_id": finding.id, "code": fired.code, "title": fired.title,
                              "label": {"zh": "催办", "en": "Urge"},
                              "actor": org.inspector.display_name, "note": "Please hurry 请尽快",
                              "due_date": fired.due_date.isoformat() if fired.due_date else None,
                              "unit": {"zh": fired.unit.name_zh, "en": fired.unit.name_en}}
