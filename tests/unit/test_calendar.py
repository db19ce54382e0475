"""workflow/calendar.py: China's working days (holidays and 调休 make-up days), the override
file that wins, the weekends-only fallback beyond the known years (reported), both bases."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.calendar import WorkingCalendar, load_calendar
from workflow.config import Settings
from workflow.errors import CalendarError
from workflow.runtime import Rectify

REPO = Path(__file__).resolve().parents[2]
CALENDAR = WorkingCalendar()
D = date.fromisoformat


def _days(first: str, last: str) -> list[date]:
    return [D(first) + timedelta(days=i) for i in range((D(last) - D(first)).days + 1)]


def _override(tmp_path: Path, text: str) -> WorkingCalendar:
    path = tmp_path / "calendar.yaml"
    path.write_text(text, encoding="utf-8")
    return load_calendar(path)


def test_an_ordinary_week_skips_the_weekend() -> None:
    assert CALENDAR.add_working_days(D("2026-03-13"), 1).date == D("2026-03-16")  # Fri -> Mon
    assert CALENDAR.add_working_days(D("2026-03-13"), 5).date == D("2026-03-20")
    assert not CALENDAR.is_working_day(D("2026-03-14"))
    assert CALENDAR.working_days_between(D("2026-03-13"), D("2026-03-20")).days == 5


# 国务院办公厅关于2026年部分节假日安排的通知 (https://www.gov.cn/zhengce/content/202511/
# content_7047090.htm): 国庆节 10月1日至7日放假调休，共7天；9月20日（周日）、10月10日（周六）上班.
# 中秋节 9月25日至27日放假. 春节 2月15日至23日放假调休，共9天；2月14日（周六）、2月28日（周六）上班.
def test_national_day_2026_and_its_make_up_days() -> None:
    assert not any(CALENDAR.is_working_day(day) for day in _days("2026-10-01", "2026-10-07"))
    assert CALENDAR.is_working_day(D("2026-09-20"))  # Sunday worked
    assert CALENDAR.is_working_day(D("2026-10-10"))  # Saturday worked
    assert not CALENDAR.is_working_day(D("2026-10-11"))
    assert not any(CALENDAR.is_working_day(day) for day in _days("2026-09-25", "2026-09-27"))
    assert CALENDAR.add_working_days(D("2026-09-18"), 1).date == D("2026-09-20")
    assert CALENDAR.add_working_days(D("2026-09-30"), 1).date == D("2026-10-08")
    assert CALENDAR.add_working_days(D("2026-09-30"), 3).date == D("2026-10-10")


def test_seven_working_days_across_national_day() -> None:
    due = CALENDAR.deadline(D("2026-09-28"), 7, "working")
    # Sep 29, 30, Oct 8, 9, 10 (the Saturday worked), 12, 13
    assert (due.date, due.estimated, due.unknown_years) == (D("2026-10-13"), False, ())
    assert CALENDAR.working_days_between(D("2026-09-28"), D("2026-10-13")).days == 7
    assert CALENDAR.working_days_between(D("2026-10-13"), D("2026-10-08")).days == -4


def test_spring_festival_2026() -> None:
    assert not any(CALENDAR.is_working_day(day) for day in _days("2026-02-15", "2026-02-23"))
    assert CALENDAR.is_working_day(D("2026-02-14")) and CALENDAR.is_working_day(D("2026-02-28"))
    assert CALENDAR.add_working_days(D("2026-02-13"), 1).date == D("2026-02-14")
    assert CALENDAR.add_working_days(D("2026-02-14"), 1).date == D("2026-02-24")
    assert CALENDAR.add_working_days(D("2026-02-24"), -1).date == D("2026-02-14")


def test_same_day_is_start_or_the_next_working_day() -> None:
    assert CALENDAR.add_working_days(D("2026-09-30"), 0).date == D("2026-09-30")
    assert CALENDAR.add_working_days(D("2026-10-03"), 0).date == D("2026-10-08")
    assert CALENDAR.deadline(D("2026-10-03"), 0, "calendar").date == D("2026-10-03")


def test_calendar_days_ignore_holidays_and_are_never_estimated() -> None:
    assert CALENDAR.deadline(D("2026-09-28"), 7, "calendar").date == D("2026-10-05")
    far = CALENDAR.deadline(D("2035-09-28"), 7, "calendar")
    assert (far.date, far.estimated) == (D("2035-10-05"), False)
    with pytest.raises(ValueError, match="unknown deadline basis 'weeks'"):
        CALENDAR.deadline(D("2026-09-28"), 7, "weeks")  # type: ignore[arg-type]


def test_beyond_the_known_years_weekends_only_and_said_so() -> None:
    assert CALENDAR.known(2026) and not CALENDAR.known(2035)
    assert CALENDAR.is_working_day(D("2035-10-01"))  # a Monday; that year's holidays unknown
    due = CALENDAR.add_working_days(D("2035-09-28"), 1)  # Fri -> Mon
    assert (due.date, due.estimated, due.unknown_years) == (D("2035-10-01"), True, (2035,))
    span = CALENDAR.working_days_between(D("2026-12-01"), D("2035-01-02"))
    assert span.estimated and 2035 in span.unknown_years and 2026 not in span.unknown_years


@given(st.dates(D("2025-01-01"), D("2026-11-01")), st.integers(1, 30))
def test_counting_back_what_was_added(start: date, n: int) -> None:
    due = CALENDAR.add_working_days(start, n)
    assert CALENDAR.is_working_day(due.date) and not due.estimated
    assert CALENDAR.working_days_between(start, due.date).days == n


def _walked(calendar: WorkingCalendar, a: date, b: date) -> int:
    low, high = sorted((a, b))
    walked = sum(calendar.is_working_day(low + timedelta(days=i))
                 for i in range(1, (high - low).days + 1))
    return walked if a <= b else -walked


@given(st.dates(D("2023-06-01"), D("2029-06-01")), st.dates(D("2023-06-01"), D("2029-06-01")))
def test_the_running_count_is_the_day_by_day_count(a: date, b: date) -> None:
    """working_days_between reads each year's running count: the same as walking the days,
    across years, backwards, on holidays and make-up days."""
    assert CALENDAR.working_days_between(a, b).days == _walked(CALENDAR, a, b)


def test_the_running_count_follows_the_override(tmp_path: Path) -> None:
    calendar = _override(tmp_path, "holidays: [2026-03-16]\ndays_off: [2026-10-10]\n"
                                   "workdays: [2026-10-07]\n")
    days = _days("2026-03-10", "2026-03-20") + _days("2026-09-28", "2026-10-14")
    for a in days:
        for b in days:
            assert calendar.working_days_between(a, b).days == _walked(calendar, a, b), (a, b)
    assert calendar.working_days_between(D("2026-03-13"), D("2026-03-17")).days == 1  # 16th off
    assert CALENDAR.working_days_between(D("2026-03-13"), D("2026-03-17")).days == 2


def test_the_override_wins_over_the_package(tmp_path: Path) -> None:
    calendar = _override(tmp_path, "holidays: [2026-03-16]\n"  # an extra holiday
                                   "days_off: [2026-10-10]\n"  # the org does not work this Saturday
                                   "workdays: [2026-10-07]\n")  # the org works a package holiday
    assert calendar.add_working_days(D("2026-03-13"), 1).date == D("2026-03-17")
    assert not calendar.is_working_day(D("2026-10-10"))
    assert calendar.add_working_days(D("2026-09-30"), 1).date == D("2026-10-07")
    assert calendar.add_working_days(D("2026-10-07"), 3).date == D("2026-10-12")
    assert CALENDAR.add_working_days(D("2026-09-30"), 1).date == D("2026-10-08")  # no override


def test_the_override_makes_a_year_known(tmp_path: Path) -> None:
    calendar = _override(tmp_path, "years: [2035]\n"
                                   "holidays: [2035-10-01, 2035-10-02, 2035-10-03]\n"
                                   "workdays: [2035-09-29]\n")
    assert calendar.known(2035)
    due = calendar.add_working_days(D("2035-09-28"), 2)  # Fri -> Sat worked -> Thu
    assert (due.date, due.estimated) == (D("2035-10-04"), False)


@pytest.mark.parametrize(("text", "problems"), [
    ("workdays: [2026-10-10, 2026-10-11, tomorrow]\n", ["workdays[2]: not a date"]),
    ("holidays: [2026-02-30]\n",
     ["line 1 column 12: not a date: day is out of range for month"]),
    ("holiday: [2026-10-10]\nyears: ['2027']\n",
     ["years[0]: not a valid integer", "holiday: unknown field"]),
    ("workdays: [2026-10-10]\ndays_off: [2026-09-30, 2026-10-10]\n",
     ["workdays[0]: 2026-10-10 is also listed under days_off"]),
    ("years: [2035]\nholidays: [2034-10-01]\n", ["years[0]: no holidays listed in 2035; list "
                                                  "that year's public holidays and make-up "
                                                  "working days"]),
    ("- 2026-10-10\n", ["(root): expected a mapping with years, holidays, workdays and days_off"]),
    ("", ["(root): expected a mapping with years, holidays, workdays and days_off"]),
    ("workdays: []\nworkdays: []\n", ["line 2 column 1: duplicate key 'workdays'"]),
])
def test_an_invalid_override_names_file_and_path(tmp_path: Path, text: str,
                                                  problems: list[str]) -> None:
    with pytest.raises(CalendarError) as caught:
        _override(tmp_path, text)
    assert caught.value.problems == [f"calendar.yaml: {problem}" for problem in problems]


def test_the_process_builds_one_calendar_from_the_setting(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text("days_off: [2026-12-31]\n", encoding="utf-8")
    monkeypatch.setenv("RECTIFY_CALENDAR", str(path))
    settings = Settings.from_env(database_url="sqlite://", definitions_path=REPO / "definitions")
    rectify = Rectify(settings)
    assert not rectify.calendar.is_working_day(D("2026-12-31"))
    assert rectify.unit_of_work().calendar is rectify.calendar
    path.write_text("days_off: [someday]\n", encoding="utf-8")
    with pytest.raises(CalendarError, match=r"calendar.yaml: days_off\[0\]: not a date"):
        Rectify(settings)
    monkeypatch.delenv("RECTIFY_CALENDAR")
    assert Settings.from_env().calendar_path is None
