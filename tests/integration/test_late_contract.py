"""services.late on SQLite and PostgreSQL: the follow-up check and 签收 deadlines' SQL and
Python forms agree on random findings and days, and each negation is exactly the rest."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from workflow.models import Finding
from workflow.services.late import (
    acknowledge_overdue_clause,
    is_acknowledge_overdue,
    is_review_overdue,
    review_overdue_clause,
)

DAY = date(2026, 3, 2)
MOMENT = datetime(2026, 2, 20, tzinfo=UTC)
DUE = st.one_of(st.none(), st.integers(-3, 3))
FINDING = st.fixed_dictionaries({"is_open": st.booleans(), "rectified_at": st.booleans(),
                                 "acknowledged_at": st.booleans(), "review_due_date": DUE,
                                 "acknowledge_due_date": DUE})


def _values(shape):
    return {"is_open": shape["is_open"],
            **{k: MOMENT if shape[k] else None for k in ("rectified_at", "acknowledged_at")},
            **{k: None if shape[k] is None else DAY + timedelta(days=shape[k])
               for k in ("review_due_date", "acknowledge_due_date")}}


@pytest.fixture
def four(flow):
    """Four findings whose columns each example overwrites."""
    return [flow.raise_(title=f"Finding number {n}").id for n in range(4)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shapes=st.lists(FINDING, min_size=4, max_size=4), offset=st.integers(-2, 2))
def test_late_in_sql_and_in_python_agree(rectify, four, shapes, offset):
    today = DAY + timedelta(days=offset)
    with rectify.unit_of_work() as uow:
        for finding_id, shape in zip(four, shapes, strict=True):
            uow.session.execute(update(Finding).where(Finding.id == finding_id)
                                .values(**_values(shape)))
        uow.commit()
    with rectify.unit_of_work(write=False) as uow:
        findings = list(uow.session.scalars(select(Finding)))
        for clause, rule in ((review_overdue_clause, is_review_overdue),
                             (acknowledge_overdue_clause, is_acknowledge_overdue)):
            in_sql = set(uow.session.scalars(select(Finding.id).where(clause(today))))
            rest = set(uow.session.scalars(select(Finding.id).where(~clause(today))))
            in_python = {f.id for f in findings if rule(f, today)}
            assert in_sql == in_python, rule.__name__
            assert rest == {f.id for f in findings} - in_python, rule.__name__
