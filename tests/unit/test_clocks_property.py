"""Property: the ladder's step dates are the calendar's deadlines, and a step one day past the due
date falls due exactly when the light turns red (on any working day; on a calendar basis, any day)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import DEFINITIONS
from workflow.calendar import BASES, Basis, WorkingCalendar
from workflow.models import Finding
from workflow.services.clocks import due_steps, pending_steps
from workflow.services.light import light
from workflow.spec import load_registry
from workflow.spec.model import LadderStep, Lifecycle

CALENDAR = WorkingCalendar()
STANDARD = load_registry(DEFINITIONS).get("standard", 2)
OVERDUE_1 = LadderStep("overdue_1", "逾期", "Overdue", "rectify", 1, ("unit_handlers",))
# standard@2's ladder (rectify at -3, 0, 7, 14 ...) with a step the first day overdue
LIFECYCLE: Lifecycle = replace(STANDARD, ladder=(*STANDARD.ladder, OVERDUE_1))
DAYS = st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31))


def _finding(due: date, basis: str, reported: bool = False) -> Finding:
    return Finding(is_open=True, due_date=due, due_basis=basis, ladder_fired="", overdue_level=0,
                   rectified_at=datetime(2026, 1, 1, tzinfo=UTC) if reported else None)


@given(due=DAYS, basis=st.sampled_from(BASES))
def test_step_dates_are_the_calendars_deadlines(due: date, basis: Basis) -> None:
    steps = pending_steps(LIFECYCLE, _finding(due, basis), CALENDAR)
    rectify = [s for s in LIFECYCLE.ladder if s.clock == "rectify"]
    assert sorted((d.step.name, d.on) for d in steps) == sorted(
        (s.name, CALENDAR.deadline(due, s.at, basis).date) for s in rectify)
    assert [d.on for d in steps] == sorted(d.on for d in steps)


@given(due=DAYS, today=DAYS)
def test_red_exactly_when_the_first_overdue_step_is_due_on_a_working_day(
        due: date, today: date) -> None:
    finding = _finding(due, "working")
    red = light(finding, today, CALENDAR).colour == "red"
    step_due = "overdue_1" in {d.step.name for d in due_steps(LIFECYCLE, finding, today,
                                                              CALENDAR)}
    assert step_due == (CALENDAR.add_working_days(due, 1).date <= today)
    if step_due:
        assert red
    if CALENDAR.is_working_day(today):
        assert red == step_due


@given(due=DAYS, today=DAYS)
def test_red_exactly_when_the_first_overdue_step_is_due_on_a_calendar_basis(
        due: date, today: date) -> None:
    finding = _finding(due, "calendar")
    red = light(finding, today, CALENDAR).colour == "red"
    assert red == ("overdue_1" in {d.step.name for d in due_steps(LIFECYCLE, finding, today,
                                                                   CALENDAR)})


@given(due=DAYS, today=DAYS)
def test_a_reported_finding_is_never_red_and_its_rectify_clock_has_no_steps(
        due: date, today: date) -> None:
    finding = _finding(due, "working", reported=True)
    assert light(finding, today, CALENDAR).colour is None
    assert due_steps(LIFECYCLE, finding, today, CALENDAR) == []
