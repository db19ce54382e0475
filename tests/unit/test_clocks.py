"""workflow/services/clocks.py without a database: ladder step dates on China's calendar (National
Day 2026 and its make-up Saturday, the override file, the weekends-only fallback), the order of
pending and due steps, what reschedule forgets and keeps, the overdue level and next_ladder_on."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from workflow.calendar import WorkingCalendar, load_calendar
from workflow.models import Finding
from workflow.services.clocks import (
    anchors,
    due_steps,
    pending_steps,
    record_fired,
    reschedule,
)
from workflow.spec import Registry
from workflow.spec.model import Lifecycle

CALENDAR = WorkingCalendar()
D = date.fromisoformat
NOW = datetime(2026, 9, 28, 1, 0, tzinfo=UTC)


@pytest.fixture
def standard(registry: Registry) -> Lifecycle:
    """standard@2: acknowledge at 1; rectify at -3, 0, 7 (level 2), 14 (level 3); review at -1
    and 1; lookback at 0 — all in working days."""
    return registry.get("standard", 2)


def finding(**columns: Any) -> Finding:
    """An open, working-basis finding with nothing fired, as the engine keeps it in memory."""
    values: dict[str, Any] = {"is_open": True, "due_basis": "working", "ladder_fired": "",
                              "overdue_level": 0}
    values.update(columns)
    return Finding(**values)


def dates(steps: Any) -> list[tuple[str, date]]:
    return [(due.step.name, due.on) for due in steps]


def test_rectify_steps_across_national_day_and_the_saturday_worked_after_it(
        standard: Lifecycle) -> None:
    # Oct 1-7 off, Sat Oct 10 worked (调休); Sep 25-27 Mid-Autumn off.
    f = finding(due_date=D("2026-10-09"))
    assert dates(pending_steps(standard, f, CALENDAR)) == [
        ("due_soon", D("2026-09-29")),  # Oct 8, Sep 30, Sep 29: the holiday week skipped
        ("due_today", D("2026-10-09")),
        ("overdue_7", D("2026-10-19")),  # Oct 10 (Sat, worked) is the first day overdue
        ("overdue_14", D("2026-10-28")),
    ]


def test_a_due_date_on_a_holiday_is_due_on_the_next_working_day(standard: Lifecycle) -> None:
    f = finding(due_date=D("2026-10-03"))
    assert dates(pending_steps(standard, f, CALENDAR))[:2] == [
        ("due_soon", D("2026-09-28")),  # Sep 30, 29, 28 (Mid-Autumn Sep 25-27 is before)
        ("due_today", D("2026-10-08")),
    ]


def test_the_override_file_wins(standard: Lifecycle, tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    # The organisation works Sunday Oct 11 and takes Monday Oct 12 off instead.
    path.write_text("workdays: [2026-10-11]\ndays_off: [2026-10-12]\n", encoding="utf-8")
    calendar = load_calendar(path)
    f = finding(due_date=D("2026-10-09"))
    steps = dict(dates(pending_steps(standard, f, calendar)))
    assert steps["overdue_7"] == D("2026-10-19")  # Oct 10, 11, 13, 14, 15, 16, 19
    assert dates(pending_steps(standard, finding(due_date=D("2026-10-12")), calendar))[1] == (
        "due_today", D("2026-10-13"))  # a due date on the day off moves to the next working day
    assert dates(pending_steps(standard, finding(due_date=D("2026-10-12")), CALENDAR))[1] == (
        "due_today", D("2026-10-12"))  # without the file it is an ordinary Monday


def test_beyond_the_known_years_only_weekends_are_off(standard: Lifecycle) -> None:
    assert not CALENDAR.known(2028)
    f = finding(due_date=D("2028-09-29"))  # a Friday; National Day 2028 is not published
    assert dates(pending_steps(standard, f, CALENDAR))[1:3] == [
        ("due_today", D("2028-09-29")), ("overdue_7", D("2028-10-10"))]  # Oct 2-6 count
    assert CALENDAR.deadline(D("2028-09-29"), 7, "working").estimated
    assert not CALENDAR.deadline(D("2026-10-09"), 7, "working").estimated


def test_calendar_basis_counts_every_day(standard: Lifecycle) -> None:
    f = finding(due_date=D("2026-10-03"), due_basis="calendar")
    assert dates(pending_steps(standard, f, CALENDAR)) == [
        ("due_soon", D("2026-09-30")), ("due_today", D("2026-10-03")),
        ("overdue_7", D("2026-10-10")), ("overdue_14", D("2026-10-17"))]


def test_pending_steps_soonest_first_across_clocks(standard: Lifecycle) -> None:
    f = finding(due_date=D("2026-10-09"), acknowledge_due_date=D("2026-09-29"))
    assert dates(pending_steps(standard, f, CALENDAR)) == [
        ("due_soon", D("2026-09-29")),  # before the 签收 step, though later in the ladder
        ("not_acknowledged", D("2026-09-30")),
        ("due_today", D("2026-10-09")),
        ("overdue_7", D("2026-10-19")),
        ("overdue_14", D("2026-10-28")),
    ]


def test_steps_on_the_same_day_keep_ladder_order(standard: Lifecycle) -> None:
    # acknowledge due Sep 28 -> its step on Sep 29, the day due_soon of Oct 9 falls due too
    f = finding(due_date=D("2026-10-09"), acknowledge_due_date=D("2026-09-28"))
    assert dates(pending_steps(standard, f, CALENDAR))[:2] == [
        ("not_acknowledged", D("2026-09-29")), ("due_soon", D("2026-09-29"))]


def test_due_steps_are_those_due_by_today_and_not_fired(standard: Lifecycle) -> None:
    f = finding(due_date=D("2026-10-09"))
    assert dates(due_steps(standard, f, D("2026-09-28"), CALENDAR)) == []
    assert dates(due_steps(standard, f, D("2026-10-19"), CALENDAR)) == [
        ("due_soon", D("2026-09-29")), ("due_today", D("2026-10-09")),
        ("overdue_7", D("2026-10-19"))]
    for due in due_steps(standard, f, D("2026-10-09"), CALENDAR):
        record_fired(f, due)
    assert f.ladder_fired == "due_soon@2026-10-09 due_today@2026-10-09"
    assert dates(due_steps(standard, f, D("2026-10-19"), CALENDAR)) == [
        ("overdue_7", D("2026-10-19"))]


def test_stopped_clocks_have_no_steps(standard: Lifecycle) -> None:
    reported = finding(due_date=D("2026-10-09"), rectified_at=NOW,
                       review_due_date=D("2026-10-10"), acknowledge_due_date=D("2026-09-29"),
                       acknowledged_at=NOW)
    assert anchors(reported) == {"review": D("2026-10-10")}
    assert dates(pending_steps(standard, reported, CALENDAR)) == [
        ("review_due_soon", D("2026-10-09")), ("review_overdue", D("2026-10-12"))]
    closed = finding(is_open=False, due_date=D("2026-10-09"), lookback_due_date=D("2026-11-02"))
    assert dates(pending_steps(standard, closed, CALENDAR)) == [
        ("lookback_due", D("2026-11-02"))]
    assert pending_steps(standard, finding(is_open=False, due_date=D("2026-10-09")),
                         CALENDAR) == []


def test_reschedule_forgets_the_steps_of_a_changed_due_date(standard: Lifecycle) -> None:
    f = finding(due_date=D("2026-10-09"), ladder_fired="due_soon@2026-10-09 due_today@2026-10-09 "
                "overdue_7@2026-10-09", overdue_level=2)
    f.due_date = D("2026-10-30")  # an extension: a new ladder
    reschedule(standard, f, CALENDAR)
    assert f.ladder_fired == ""
    assert f.overdue_level == 0
    assert f.next_ladder_on == D("2026-10-27")  # due_soon of the new date


def test_reschedule_keeps_a_stopped_clocks_steps_and_the_current_anchors(
        standard: Lifecycle) -> None:
    fired = ("not_acknowledged@2026-09-29 due_soon@2026-10-09 due_today@2026-10-09 "
             "overdue_7@2026-10-09")
    f = finding(due_date=D("2026-10-09"), acknowledge_due_date=D("2026-09-29"),
                acknowledged_at=NOW, rectified_at=NOW, review_due_date=D("2026-10-27"),
                ladder_fired=fired)
    reschedule(standard, f, CALENDAR)
    assert f.ladder_fired == fired  # reported: rectify stopped, its steps stay; so does 签收's
    assert f.overdue_level == 2
    assert f.next_ladder_on == D("2026-10-26")  # review_due_soon
    f.acknowledge_due_date = D("2026-10-20")  # reassigned: 签收 owed again, its step forgotten
    reschedule(standard, f, CALENDAR)
    assert f.ladder_fired == "due_soon@2026-10-09 due_today@2026-10-09 overdue_7@2026-10-09"


def test_reschedule_drops_unknown_and_malformed_marks(standard: Lifecycle) -> None:
    f = finding(due_date=D("2026-10-09"),
                ladder_fired="gone@2026-10-09 overdue_7 overdue_14@2026-10-09")
    reschedule(standard, f, CALENDAR)
    assert f.ladder_fired == "overdue_14@2026-10-09"
    assert f.overdue_level == 3


@pytest.mark.parametrize(("fired", "level"), [
    ("", 0),
    ("due_soon@2026-10-09 due_today@2026-10-09", 0),
    ("overdue_7@2026-10-09", 2),
    ("overdue_7@2026-10-09 overdue_14@2026-10-09", 3),
    ("overdue_14@2026-10-09", 3),
    ("overdue_7@2026-10-02 overdue_14@2026-10-02", 0),  # fired for an earlier due date
])
def test_overdue_level_comes_from_the_rectify_steps_fired_for_the_due_date(
        standard: Lifecycle, fired: str, level: int) -> None:
    f = finding(due_date=D("2026-10-09"), ladder_fired=fired, overdue_level=1)
    reschedule(standard, f, CALENDAR)
    assert f.overdue_level == level


def test_next_ladder_on_is_the_soonest_unfired_step(standard: Lifecycle) -> None:
    f = finding(due_date=D("2026-10-09"))
    reschedule(standard, f, CALENDAR)
    assert f.next_ladder_on == D("2026-09-29")
    f.ladder_fired = "due_soon@2026-10-09"
    reschedule(standard, f, CALENDAR)
    assert f.next_ladder_on == D("2026-10-09")
    f.ladder_fired += " due_today@2026-10-09 overdue_7@2026-10-09 overdue_14@2026-10-09"
    reschedule(standard, f, CALENDAR)
    assert f.next_ladder_on is None
    undated = finding()
    reschedule(standard, undated, CALENDAR)
    assert undated.next_ladder_on is None
