"""The traffic light (红黄绿灯) of a finding: one rule for tables, the finding page, API and filter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement

from workflow.calendar import WorkingCalendar
from workflow.config import LightPolicy
from workflow.models import Finding
from workflow.services.ledger import Colour, is_overdue, light_clause

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

DEFAULT_POLICY = LightPolicy()


@dataclass(frozen=True)
class Light:
    colour: Colour | None  # None: closed, undated, or reported rectified (the clock stopped)
    working_days_left: int | None = None  # >= 0 while not overdue
    working_days_overdue: int | None = None  # > 0 when red
    level: int = 0  # 0 not overdue, else red_level: 1, or the ladder's level (2, 3 ...)
    estimated: bool = False  # the count crossed a year whose holidays are not known


def running(finding: Finding) -> bool:
    """The deadline runs: open, dated and not reported rectified (overdue_clause's condition)."""
    return bool(finding.is_open and finding.due_date is not None and finding.rectified_at is None)


def yellow_cutoff(today: date, calendar: WorkingCalendar, policy: LightPolicy) -> date:
    """The last due date that is yellow today: N working days from today."""
    return calendar.add_working_days(today, policy.yellow_working_days).date


def days_overdue(due: date, today: date, calendar: WorkingCalendar) -> tuple[int, bool]:
    """Working days a passed due date is overdue (a deadline passed on a day off: 1), estimated?"""
    count = calendar.working_days_between(due, today)
    return max(1, count.days), count.estimated


def red_level(finding: Finding) -> int:
    """A red finding's overdue level: the escalation ladder's (raised by its `level` steps,
    services.clocks.reschedule), at least 1; lifecycles without a ladder stay at 1."""
    return max(1, finding.overdue_level or 0)


def light(finding: Finding, today: date, calendar: WorkingCalendar,
          policy: LightPolicy = DEFAULT_POLICY) -> Light:
    """The finding's light today; red is exactly services.ledger.is_overdue."""
    if not running(finding) or finding.due_date is None:
        return Light(None)
    due = finding.due_date
    if is_overdue(finding, today):
        days, estimated = days_overdue(due, today, calendar)
        return Light("red", working_days_overdue=days, level=red_level(finding),
                     estimated=estimated)
    left = calendar.working_days_between(today, due)
    colour: Colour = "yellow" if due <= yellow_cutoff(today, calendar, policy) else "green"
    return Light(colour, working_days_left=left.days, estimated=left.estimated)


def clause(colour: Colour, today: date, calendar: WorkingCalendar,
           policy: LightPolicy = DEFAULT_POLICY) -> ColumnElement[bool]:
    """The findings of one colour in SQL, agreeing with light() (red is overdue_clause)."""
    return light_clause(colour, today, yellow_cutoff(today, calendar, policy))


def today_cutoff(uow: UnitOfWork) -> date:
    """yellow_cutoff for this unit of work's day, calendar and policy (the ledger's filter)."""
    return yellow_cutoff(uow.today(), uow.calendar, uow.light_policy)
