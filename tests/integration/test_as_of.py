"""Findings as of a past moment (services.as_of): rebuilt from the events, agreeing with the row
now, and showing the unit, due date and state they had before later steps."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from workflow.models import Finding
from workflow.services.as_of import findings_as_of

COLUMNS = ("state", "is_open", "unit_id", "due_date", "rework_rounds", "rectified_at",
           "closed_at", "last_seq", "lifecycle_version")


def rows_as_of(flow: Any, moment: datetime) -> dict[int, dict[str, Any]]:
    with flow.app.unit_of_work(write=False) as uow:
        sub = findings_as_of(uow.registry, moment)
        return {row.id: {c: getattr(row, c) for c in COLUMNS}
                for row in uow.session.execute(select(sub))}


def rows_now(flow: Any) -> dict[int, dict[str, Any]]:
    with flow.app.unit_of_work(write=False) as uow:
        return {f.id: {c: getattr(f, c) for c in COLUMNS}
                for f in uow.session.scalars(select(Finding))}


def test_as_of_now_is_the_row(flow: Any, clock: Any) -> None:
    """Every column rebuilt from the events equals the row's, through rework, extension,
    reassignment and closing."""
    a = flow.raise_().id
    flow.drive(a, "assign", "report_rectification", "revisit")
    clock.advance(hours=2)
    flow.drive(a, "reject", "request_extension", "approve_extension")
    b = flow.raise_(due_date=(flow.today() + timedelta(days=5)).isoformat()).id
    flow.drive(b, "reassign")
    c = flow.raise_().id
    clock.advance(hours=1)
    flow.drive(c, "assign", "report_rectification", "revisit", "confirm")
    flow.raise_("immediate")
    assert rows_as_of(flow, clock()) == rows_now(flow)


def test_the_past_shows_the_old_unit_due_date_and_state(flow: Any, clock: Any) -> None:
    """Before a reassignment the old unit; before an extension the old due date; before a
    rework no rework round; a finding raised later is absent."""
    org = flow.org
    a = flow.raise_().id
    flow.drive(a, "assign")
    first_due = flow.finding(a).due_date
    clock.advance(days=1)
    before = clock()
    clock.advance(minutes=1)
    flow.drive(a, "request_extension", "approve_extension")
    flow.drive(a, "report_rectification", "revisit", "reject")
    b = flow.raise_().id
    clock.advance(minutes=1)
    before_reassign = clock()
    clock.advance(minutes=1)
    flow.fire(b, "reassign")
    after = rows_as_of(flow, clock())
    past = rows_as_of(flow, before)
    assert set(past) == {a}
    assert past[a]["due_date"] == first_due < after[a]["due_date"]
    assert (past[a]["state"], past[a]["rework_rounds"]) == ("assigned", 0)
    assert (after[a]["state"], after[a]["rework_rounds"]) == ("assigned", 1)
    assert after[b]["unit_id"] == org.group_b.id
    assert rows_as_of(flow, before_reassign)[b]["unit_id"] == org.group_a.id
