"""workflow/services/light.py: green, yellow within N working days (holidays skipped), red
exactly when overdue, at the escalation ladder's overdue level (at least 1); no light when the
deadline does not run."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from workflow.calendar import WorkingCalendar
from workflow.config import LightPolicy, Settings
from workflow.models import Finding
from workflow.services.light import Light, light

CALENDAR = WorkingCalendar()
D = date.fromisoformat


def _finding(due: str | None, is_open: bool = True, rectified: bool = False,
             level: int = 0) -> Finding:
    return Finding(is_open=is_open, due_date=D(due) if due else None, overdue_level=level,
                   rectified_at=datetime(2026, 3, 1, tzinfo=UTC) if rectified else None)


@pytest.mark.parametrize(("due", "today", "expected"), [
    ("2026-03-20", "2026-03-13", Light("green", working_days_left=5)),  # Fri -> next Fri
    ("2026-03-18", "2026-03-13", Light("yellow", working_days_left=3)),  # 3 working days: Wed
    ("2026-03-13", "2026-03-13", Light("yellow", working_days_left=0)),  # due today
    ("2026-03-19", "2026-03-13", Light("green", working_days_left=4)),
    # National Day 2026: Sep 30 + 3 working days is Oct 10 (the Saturday worked), so Oct 9 is
    # yellow although nine calendar days away
    ("2026-10-09", "2026-09-30", Light("yellow", working_days_left=2)),
    ("2026-10-12", "2026-09-30", Light("green", working_days_left=4)),
    ("2026-03-12", "2026-03-13", Light("red", working_days_overdue=1, level=1)),
    # the working days overdue no longer decide the level: the ladder's column does
    ("2026-03-04", "2026-03-13", Light("red", working_days_overdue=7, level=1)),
    # Feb 24 to Mar 13: Feb 28, a Saturday, is worked (春节 调休)
    ("2026-02-24", "2026-03-13", Light("red", working_days_overdue=14, level=1)),
    ("2026-03-14", "2026-03-15", Light("red", working_days_overdue=1, level=1)),  # Sat, on Sun
])
def test_colours_days_and_levels(due: str, today: str, expected: Light) -> None:
    assert light(_finding(due), D(today), CALENDAR) == expected


@pytest.mark.parametrize(("column", "level"), [(0, 1), (1, 1), (2, 2), (3, 3), (4, 4)])
def test_a_red_light_takes_the_ladders_level_at_least_one(column: int, level: int) -> None:
    result = light(_finding("2026-03-12", level=column), D("2026-03-13"), CALENDAR)
    assert (result.colour, result.level) == ("red", level)


def test_the_ladders_level_shows_only_on_a_red_light() -> None:
    """A level left on the column (due date not yet passed again, clock stopped) is no light."""
    assert light(_finding("2026-03-20", level=3), D("2026-03-13"), CALENDAR).level == 0
    assert light(_finding("2026-03-01", rectified=True, level=3), D("2026-03-13"),
                 CALENDAR) == Light(None)


@pytest.mark.parametrize("finding", [
    _finding(None), _finding("2026-03-01", is_open=False), _finding("2026-03-01", rectified=True),
])
def test_no_light_when_the_deadline_does_not_run(finding: Finding) -> None:
    assert light(finding, D("2026-03-13"), CALENDAR) == Light(None)


def test_beyond_the_known_years_the_light_is_estimated() -> None:
    result = light(_finding("2031-03-20"), D("2031-03-13"), CALENDAR)
    assert (result.colour, result.working_days_left, result.estimated) == ("green", 5, True)
    assert not light(_finding("2026-03-20"), D("2026-03-13"), CALENDAR).estimated


def test_the_policy_sets_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECTIFY_YELLOW_WORKING_DAYS", "5")
    policy = Settings.from_env().light
    assert policy == LightPolicy(5)
    assert light(_finding("2026-03-20"), D("2026-03-13"), CALENDAR, policy).colour == "yellow"
    assert light(_finding("2026-03-09"), D("2026-03-13"), CALENDAR, policy).level == 1
    assert Settings.from_env(database_url="x").light == LightPolicy(5)
