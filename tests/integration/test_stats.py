"""Dashboard numbers: totals, rates, overdue, and the per-unit breakdown with drill-down."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from workflow.errors import Forbidden
from workflow.runtime import Rectify
from workflow.services.stats import dashboard

Flow = Any  # the `flow` fixture from tests/conftest.py


def _board(rectify: Rectify, actor: Any, **kwargs: Any) -> SimpleNamespace:
    """The dashboard, read while its session is open (units by code)."""
    with rectify.unit_of_work(write=False) as uow:
        board = dashboard(uow.session, actor, uow.today(), uow.registry, **kwargs)
        return SimpleNamespace(
            totals=board.totals, by_state=board.by_state, by_category=board.by_category,
            focus=board.focus.code if board.focus else None,
            rows={unit.code: numbers for unit, numbers in board.by_unit})


def test_numbers_rates_and_breakdown(flow: Flow, rectify: Rectify) -> None:
    org = flow.org
    closed = flow.drive(flow.raise_().id, "assign", "report_rectification", "revisit", "confirm")
    late = flow.drive(flow.raise_(unit=org.sub_a1.id).id, "assign")
    flow.drive(flow.raise_(unit=org.group_b.id).id, "assign", "withdraw")  # not counted
    flow.raise_(unit=org.group_b.id, category="food_safety")
    rectify.clock.advance(days=20)  # the assigned one (due in 14 days) is now overdue

    board = _board(rectify, org.supervisor)
    totals = board.totals
    assert (totals.total, totals.open, totals.confirmed, totals.overdue) == (3, 2, 1, 1)
    assert totals.rectification_rate == round(1 / 3, 4)
    # the closed one was reported in time; the overdue one counts against the rate
    assert totals.on_time_rate == 0.5
    # commission -> inspection body (only child) -> one row per group
    assert board.focus == "IB"
    rows = board.rows
    assert set(rows) == {"GA", "GB"}
    assert (rows["GA"].total, rows["GA"].overdue, rows["GB"].total) == (2, 1, 1)
    assert board.by_category["food_safety"].total == 1
    assert sum(board.by_state.values()) == 4  # by_state counts withdrawn findings too

    drilled = _board(rectify, org.supervisor, focus_unit_id=org.group_a.id)
    rows = drilled.rows
    assert set(rows) == {"GA", "GA-1"}  # group A's own finding, and sub A1's
    assert rows["GA-1"].overdue == 1 and rows["GA"].confirmed == 1
    assert drilled.totals.total == 2
    assert closed.id != late.id


def test_a_unit_reviewer_sees_only_its_subtree_and_cannot_focus_outside_it(
        flow: Flow, rectify: Rectify) -> None:
    org = flow.org
    flow.raise_(unit=org.group_a.id)
    flow.raise_(unit=org.group_b.id)
    board = _board(rectify, org.handler_reviewer_a)
    assert board.totals.total == 1
    outside = _board(rectify, org.handler_reviewer_a, focus_unit_id=org.group_b.id)
    assert outside.totals.total == 1  # the focus outside its scope is ignored, never widened
    assert list(outside.rows) == ["GA"]


def test_the_dashboard_is_refused_to_plain_handlers(flow: Flow, rectify: Rectify) -> None:
    flow.raise_(unit=flow.org.group_b.id)
    with pytest.raises(Forbidden):
        _board(rectify, flow.org.handler_b)
