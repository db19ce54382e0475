"""The ledger on SQLite and PostgreSQL: the overdue rule's SQL and Python forms agree on random
findings and days; cursors out of range and unit ids that are not integers are field errors."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from workflow.errors import InvalidInput
from workflow.models import Finding
from workflow.services import LedgerFilter, is_overdue, ledger, overdue_clause
from workflow.services.ledger import COLOURS, level_clause
from workflow.services.light import clause, light

DAY = date(2026, 3, 2)
MOSTLY = st.sampled_from([True, True, True, False])  # open findings, where the colours differ
FINDING = st.tuples(st.booleans(), st.one_of(st.none(), st.integers(-3, 3)), st.booleans())


def _shape(rectify, ids, shapes, day, levels=None):
    """Overwrite each finding's open flag, due date (days from day), rectified moment and
    the ladder's overdue level."""
    with rectify.unit_of_work() as uow:
        for n, (finding_id, (is_open, due, rectified)) in enumerate(zip(ids, shapes, strict=True)):
            uow.session.execute(update(Finding).where(Finding.id == finding_id).values(
                is_open=is_open, due_date=day + timedelta(days=due) if due is not None else None,
                rectified_at=datetime(2026, 3, 1, tzinfo=UTC) if rectified else None,
                overdue_level=levels[n] if levels else 0))
        uow.commit()


@pytest.fixture
def five(flow):
    """Five findings whose columns each example overwrites."""
    return [flow.raise_(title=f"Finding number {n}").id for n in range(5)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shapes=st.lists(FINDING, min_size=5, max_size=5), today_offset=st.integers(-2, 2))
def test_overdue_in_sql_and_in_python_agree(rectify, five, shapes, today_offset):
    today = DAY + timedelta(days=today_offset)
    _shape(rectify, five, shapes, DAY)
    with rectify.unit_of_work(write=False) as uow:
        in_sql = set(uow.session.scalars(select(Finding.id).where(overdue_clause(today))))
        not_in_sql = set(uow.session.scalars(select(Finding.id).where(~overdue_clause(today))))
        in_python = {f.id for f in uow.session.scalars(select(Finding)) if is_overdue(f, today)}
    assert in_sql == in_python
    assert not_in_sql == set(five) - in_python  # the negation is exactly the rest


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shapes=st.lists(st.tuples(MOSTLY, st.one_of(st.none(), st.integers(-4, 10)),
                                 st.sampled_from([False, False, True])), min_size=5, max_size=5),
       today=st.dates(date(2026, 9, 20), date(2026, 10, 14)),  # across National Day and 调休
       levels=st.lists(st.integers(0, 4), min_size=5, max_size=5))
def test_the_light_in_sql_and_in_python_agree(rectify, five, shapes, today, levels):
    """Colour and overdue level (the ladder's column, at least 1 when red) on every finding."""
    _shape(rectify, five, shapes, today, levels)
    with rectify.unit_of_work(write=False) as uow:
        findings = list(uow.session.scalars(select(Finding)))
        lights = {f.id: light(f, today, uow.calendar) for f in findings}
        for colour in COLOURS:
            in_sql = set(uow.session.scalars(
                select(Finding.id).where(clause(colour, today, uow.calendar))))
            assert in_sql == {i for i, lit in lights.items() if lit.colour == colour}, colour
        for level in range(1, 6):
            in_sql = set(uow.session.scalars(select(Finding.id).where(level_clause(level, today))))
            assert in_sql == {i for i, lit in lights.items()
                              if lit.colour == "red" and lit.level >= level}, level


def _cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(("sort", "values"), [
    ("-created", ["0001-01-01T00:00:00+14:00", 1]), ("-created", ["9999-12-31T23:59:59-14:00", 1]),
    ("-created", ["2026-03-02T00:00:00+00:00", 2**63]), ("-created", ["2026-03-02T00:00:00+00:00", -1]),
    ("due", ["9999-12-31", 10**30]), ("due", ["2026-03-02", 1.5]), ("due", ["99999-01-01", 1]),
    ("due", [[[[]]]]), ("-created", "x"),
])
def test_cursors_out_of_range_are_invalid_input(rectify, org, flow, sort, values):
    flow.raise_()
    with rectify.unit_of_work(write=False) as uow, pytest.raises(InvalidInput) as info:
        ledger(uow.session, org.admin, LedgerFilter(sort=sort), uow.today(), _cursor(values))
    assert set(info.value.errors) == {"cursor"}


@pytest.mark.parametrize(("sort", "values"), [("due", ["0001-01-01", 1]),
                                              ("-created", ["9999-12-31T00:00:00+00:00", 1])])
def test_cursors_at_the_ends_of_the_calendar_page_on(rectify, org, flow, sort, values):
    flow.raise_(title="The only finding")
    with rectify.unit_of_work(write=False) as uow:
        page = ledger(uow.session, org.admin, LedgerFilter(sort=sort), uow.today(), _cursor(values))
        assert [f.title for f in page.items] == ["The only finding"]


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize("spell", [
    lambda n: f"{n}.9", lambda n: n + 0.9, lambda n: float(n), lambda n: str(n).translate(ARABIC_INDIC),
    lambda n: str(n).translate(FULLWIDTH), lambda n: f"0_{n}",
    lambda n: f" {n}", lambda n: n + 2**32, lambda n: True,
])
def test_a_unit_field_takes_only_an_integer_id(flow, org, spell):
    """Each spelling would once have been read as an existing unit (8.9 and "٨" as unit 8)."""
    with pytest.raises(InvalidInput) as info:
        flow.raise_(unit=spell(org.group_a.id))
    assert set(info.value.errors) == {"unit"}
    assert flow.raise_(unit=str(org.group_a.id)).unit_id == org.group_a.id
