"""Who a notification reaches is read by unit (services.audience: alone, or with the finding in
fire()'s read): both reads search ix_users_unit_id (migration 0018) instead of scanning every
user (10,000 users in the bulk world: 1.9 ms per fire on SQLite)."""

from __future__ import annotations

import pytest
from db_support import index_definition
from sqlalchemy import text

from workflow.services.audience import _PEOPLE
from workflow.services.finding_read import _WITH_PEOPLE


@pytest.mark.parametrize("read", ["people", "finding with people"])
def test_the_people_of_some_units_are_found_by_the_index(rectify, org, flow, backend, read):
    finding = flow.raise_(unit=org.sub_a1.id)
    with rectify.database.engine.connect() as conn:
        assert "(unit_id)" in index_definition(conn, "ix_users_unit_id")
        statement = (_PEOPLE.params(units=[org.commission.id, org.group_a.id],
                                    ids=[org.inspector.id]) if read == "people"
                     else _WITH_PEOPLE[conn.dialect.name].params(id=finding.id))
        sql = str(statement.compile(conn, compile_kwargs={"literal_binds": True}))
        if backend == "sqlite":
            plan = " ".join(row[3] for row in conn.execute(text("EXPLAIN QUERY PLAN " + sql)))
        else:  # a handful of rows: only a planner told to avoid a scan shows what it can use
            conn.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(row[0] for row in conn.execute(text("EXPLAIN " + sql)))
    assert "ix_users_unit_id" in plan, plan
