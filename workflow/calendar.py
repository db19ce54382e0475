"""China's working-day calendar: the `holidays` package's public holidays and make-up working days
(调休), an organisation's override file on top, Monday to Friday beyond the years either knows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import holidays

from workflow.calendar_file import Override, load_override

Basis = Literal["working", "calendar"]
BASES: tuple[Basis, ...] = ("working", "calendar")
_DAY = timedelta(days=1)


class _Answer:
    """`unknown_years` are the years an answer crossed whose holidays are not known (counted as
    Monday to Friday there), so the answer is only an estimate."""

    unknown_years: tuple[int, ...]

    @property
    def estimated(self) -> bool:
        return bool(self.unknown_years)


@dataclass(frozen=True)
class Due(_Answer):
    """A date counted on the calendar (see _Answer for `unknown_years`)."""

    date: date
    unknown_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class Count(_Answer):
    """A number of working days (see _Answer for `unknown_years`)."""

    days: int
    unknown_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class _Year:
    known: bool
    off: frozenset[date]  # holidays and days off (also those on a weekend: harmless)
    on: frozenset[date]  # weekend days worked (调休上班), or package holidays the override cancels
    through: tuple[int, ...] = ()  # [n]: the working days among the year's first n days


class WorkingCalendar:
    """Built once per process; each year is worked out on first use and kept."""

    def __init__(self, override: Override | None = None) -> None:
        self.override = override or Override()
        # The years whose State Council schedule (holidays with their make-up days) is in the
        # package; other years it only guesses from the fixed rules, so they count as unknown.
        self._published = frozenset(holidays.country_holidays("CN").special_public_holidays)
        self._years: dict[int, _Year] = {}
        # add_working_days' answers (frozen): the ladder asks the same few dates on every fire.
        # Dates times offsets: a few thousand entries after years of use.
        self._added: dict[tuple[date, int], Due] = {}

    def known(self, year: int) -> bool:
        """Whether the year's official schedule is known (from the package or the override)."""
        return self._year(year).known

    def is_working_day(self, day: date) -> bool:
        year = self._year(day.year)
        if day in year.off:
            return False
        return day in year.on or day.weekday() < 5

    def add_working_days(self, start: date, n: int) -> Due:
        """The nth working day after start (before it when n < 0); start itself does not count.
        n = 0 ("same day") is start when it is a working day, else the next working day."""
        found = self._added.get((start, n))
        if found is None:
            found = self._added[start, n] = self._count_working_days(start, n)
        return found

    def _count_working_days(self, start: date, n: int) -> Due:
        day, step, left = start, (_DAY if n >= 0 else -_DAY), abs(n)
        while n == 0 and not self.is_working_day(day):
            day += _DAY
        while left:
            day += step
            left -= self.is_working_day(day)
        return Due(day, self._unknown(start, day))

    def working_days_between(self, a: date, b: date) -> Count:
        """The working days after a up to and including b; negative when b is before a (so a
        due date and today give the working days overdue)."""
        low, high, sign = (a, b, 1) if a <= b else (b, a, -1)
        days = self._through(high, low.year) - self._through(low, low.year)
        return Count(sign * days, self._unknown(a, b))

    def _through(self, day: date, first_year: int) -> int:
        """The working days from the start of first_year up to and including day (each year's
        running count is worked out once: no walk over the days)."""
        whole = sum(self._year(year).through[-1] for year in range(first_year, day.year))
        return whole + self._year(day.year).through[day.timetuple().tm_yday]

    def deadline(self, start: date, n: int, basis: Basis) -> Due:
        """The due date n days after start, counted in working days or in calendar days."""
        if basis == "calendar":
            return Due(start + _DAY * n)
        if basis == "working":
            return self.add_working_days(start, n)
        raise ValueError(f"unknown deadline basis {basis!r}; expected one of {BASES}")

    def _unknown(self, a: date, b: date) -> tuple[int, ...]:
        first, last = sorted((a.year, b.year))
        return tuple(year for year in range(first, last + 1) if not self.known(year))

    def _year(self, year: int) -> _Year:
        found = self._years.get(year)
        if found is None:
            found = self._years[year] = self._build(year)
        return found

    def _build(self, year: int) -> _Year:
        off: set[date] = set()
        on: set[date] = set()
        if year in self._published:
            china = holidays.country_holidays("CN", years=year)
            off = {day for day in china if day.year == year}
            on = {day for day in china.weekend_workdays if day.year == year}
        extra_off, extra_on = self.override.off_in(year), self.override.on_in(year)
        # the override wins: its workdays leave the package's days off; its days off are off
        # whatever `on` says, as is_working_day looks at `off` first
        days_off, days_on = frozenset((off - extra_on) | extra_off), frozenset(on | extra_on)
        through, count, day = [0], 0, date(year, 1, 1)
        while day.year == year:  # is_working_day's rule, day by day
            count += day not in days_off and (day in days_on or day.weekday() < 5)
            through.append(count)
            day += _DAY
        return _Year(known=year in self._published or year in self.override.years,
                     off=days_off, on=days_on, through=tuple(through))


def load_calendar(override_path: Path | None = None) -> WorkingCalendar:
    """The calendar, with the organisation's override file when one is set (CalendarError if bad)."""
    return WorkingCalendar(load_override(override_path) if override_path else None)
