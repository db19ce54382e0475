"""A database with data from before migration 0002 upgrades cleanly (SQLite and PostgreSQL): the
raising body and token expiry are backfilled, the append-only triggers survive SQLite's table
rebuild, and the old (v1) digests still verify."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from workflow.models import ApiToken, Event
from workflow.services import events as events_module
from workflow.services import verify_all
from workflow.services.events import CURRENT_SCHEME


def migrate(rectify, revision: str, down: bool = False) -> None:
    (rectify.database.downgrade if down else rectify.database.upgrade)(revision)


@pytest.fixture
def v1_world(rectify, flow, org, monkeypatch):
    """Findings whose events carry v1 digests (as written before 0002) and a token, at 0001."""
    real = events_module.finding_digest
    monkeypatch.setattr(events_module, "finding_digest", lambda finding: real(finding, "v1"))
    finding = flow.drive(flow.raise_().id, "assign", "report_rectification")
    monkeypatch.undo()
    with rectify.unit_of_work() as uow:
        uow.session.add(ApiToken(user_id=org.inspector.id, token_hash="a" * 64, label="old",
                                 created_at=uow.now()))
        uow.commit()
    migrate(rectify, "0001", down=True)
    try:
        yield finding
    finally:
        migrate(rectify, "head")


def test_an_old_database_upgrades_and_still_verifies(rectify, org, flow, v1_world):
    migrate(rectify, "head")
    finding = flow.finding(v1_world.id)
    assert finding.raised_by_unit_id == org.inspection_body.id  # backfilled from the raiser
    with rectify.unit_of_work(write=False) as uow:
        assert list(verify_all(uow.session)) == []
        token = uow.session.scalars(select(ApiToken).where(ApiToken.label == "old")).one()
        assert token.expires_at == token.created_at + timedelta(days=90)
    with pytest.raises(DBAPIError, match="append-only"), rectify.database.engine.begin() as conn:
        conn.execute(update(Event.__table__).values(trigger="x"))
    with pytest.raises(DBAPIError, match="append-only"), rectify.database.engine.begin() as conn:
        conn.execute(delete(Event.__table__))
    after = flow.fire(finding.id, "revisit")  # new events are written in the current scheme
    assert after.state == "revisited"
    assert flow.events(finding.id)[-1].finding_digest.startswith(f"{CURRENT_SCHEME}:")
    with rectify.unit_of_work(write=False) as uow:
        assert list(verify_all(uow.session)) == []
