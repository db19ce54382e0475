"""A database from before migration 0003 (time) upgrades cleanly on SQLite and PostgreSQL: open
findings count as acknowledged (nobody can sign for them afterwards), closed ones do not, the
v2 digests written before still verify, and the new tables take rows."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, inspect, select, update
from sqlalchemy.exc import DBAPIError

from workflow.models import Event, Finding, Notification, OutboxMessage, WebhookEndpoint
from workflow.services import events as events_module
from workflow.services import verify_all
from workflow.services.events import CURRENT_SCHEME


@pytest.fixture
def v2_world(rectify, flow, monkeypatch):
    """An open and a closed finding whose events carry v2 digests, at revision 0002."""
    real = events_module.finding_digest
    monkeypatch.setattr(events_module, "finding_digest", lambda finding: real(finding, "v2"))
    open_one = flow.drive(flow.raise_().id, "assign")
    closed = flow.drive(flow.raise_().id, "assign", "report_rectification", "revisit", "confirm")
    monkeypatch.undo()
    rectify.database.downgrade("0002")
    try:
        yield open_one.id, closed.id
    finally:
        rectify.database.upgrade("head")


def test_before_0003_the_new_tables_are_gone(rectify, v2_world):
    tables = set(inspect(rectify.database.engine).get_table_names())
    assert {"notifications", "outbox", "webhook_endpoints"}.isdisjoint(tables)
    columns = {c["name"] for c in inspect(rectify.database.engine).get_columns("findings")}
    assert "ladder_fired" not in columns and "raised_by_unit_id" in columns


def test_an_0002_database_upgrades_and_still_verifies(rectify, org, flow, v2_world):
    open_id, closed_id = v2_world
    rectify.database.upgrade("head")
    with rectify.unit_of_work(write=False) as uow:
        opened, closed = uow.session.get(Finding, open_id), uow.session.get(Finding, closed_id)
        assert opened is not None and closed is not None
        assert opened.acknowledged_at == opened.updated_at  # backfilled: counts as signed for
        assert closed.acknowledged_at is None
        assert (opened.ladder_fired, opened.overdue_level, opened.recurrences) == ("", 0, 0)
        assert opened.due_basis == "working" and opened.next_ladder_on is None
        assert list(verify_all(uow.session)) == []
    with pytest.raises(DBAPIError, match="append-only"), rectify.database.engine.begin() as conn:
        conn.execute(update(Event.__table__).values(trigger="x"))
    with pytest.raises(DBAPIError, match="append-only"), rectify.database.engine.begin() as conn:
        conn.execute(delete(Event.__table__))
    after = flow.fire(open_id, "report_rectification")  # the old finding runs on, in the current scheme
    assert after.state == "rectified"
    assert flow.events(open_id)[-1].finding_digest.startswith(f"{CURRENT_SCHEME}:")
    with rectify.unit_of_work() as uow:
        endpoint = WebhookEndpoint(url="http://127.0.0.1:9/hook", secret="whsec_x",
                                   description="", active=True, created_at=uow.now())
        uow.session.add(endpoint)
        uow.session.add(Notification(key="k", user_id=org.handler_a.id, finding_id=open_id,
                                     kind="transition", params={}, created_at=uow.now()))
        uow.session.add(OutboxMessage(idempotency_key="k:webhook:1", channel="webhook",
                                      endpoint=endpoint, payload={}, status="pending",
                                      attempts=0, next_attempt_at=uow.now(), last_error="",
                                      created_at=uow.now()))
        uow.commit()
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalars(select(OutboxMessage.status)).all() == ["pending"]
        assert list(verify_all(uow.session)) == []
