"""Unit delay and reviewer delay of a finding, in working days, apart: the days the unit ran past
its due date (to its report, or to today while it still owes it) and the days the reviewer ran
past the follow-up check deadline (复查时限, to the decision, or to today while it waits). One
function for the finding page and the API."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import TYPE_CHECKING

from workflow.calendar import WorkingCalendar
from workflow.models import Event, Finding
from workflow.services.light import days_overdue
from workflow.spec.model import Lifecycle

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork


@dataclass(frozen=True)
class Delay:
    working_days: int  # > 0
    until: date  # the report or decision, or today while still running
    running: bool  # still growing (nothing reported / decided yet)
    estimated: bool = False  # counted across a year whose holidays are not known


@dataclass(frozen=True)
class Delays:
    unit: Delay | None = None
    reviewer: Delay | None = None


def _delay(deadline: date | None, end: date | None, running: bool,
           calendar: WorkingCalendar) -> Delay | None:
    if deadline is None or end is None or end <= deadline:
        return None
    days, estimated = days_overdue(deadline, end, calendar)
    return Delay(days, end, running, estimated)


def unit_delay(finding: Finding, today: date, calendar: WorkingCalendar) -> Delay | None:
    """Past the due date: to the day it reported rectification, or to today while it runs."""
    if finding.rectified_on is not None:
        return _delay(finding.due_date, finding.rectified_on, False, calendar)
    return _delay(finding.due_date, today, True, calendar) if finding.is_open else None


def _report_triggers(lifecycle: Lifecycle) -> frozenset[str]:
    """The transitions that start the follow-up check deadline."""
    return frozenset(t.trigger for t in lifecycle.transitions
                     if any(e.name == "set_review_due_date" for e in t.effects))


def reviewer_delay(finding: Finding, events: Sequence[Event], lifecycle: Lifecycle,
                   today: date, calendar: WorkingCalendar, zone: tzinfo) -> Delay | None:
    """Past the review deadline: to the reviewer's decision (the first change of state after
    the last report), or to today while the finding waits for it."""
    reports = _report_triggers(lifecycle)
    last = max((e.seq for e in events if e.trigger in reports), default=None)
    if last is None or finding.review_due_date is None:
        return None
    decision = next((e for e in events if e.seq > last and e.from_state != e.to_state), None)
    if decision is not None:
        decided = decision.created_at.astimezone(zone).date()
        return _delay(finding.review_due_date, decided, False, calendar)
    return _delay(finding.review_due_date, today, True, calendar) if finding.is_open else None


def delays(uow: UnitOfWork, finding: Finding, events: Sequence[Event]) -> Delays:
    """Both delays of a finding as of the unit of work's today (None where there is none)."""
    today, calendar = uow.today(), uow.calendar
    lifecycle = uow.registry.get(finding.lifecycle, finding.lifecycle_version)
    return Delays(unit_delay(finding, today, calendar),
                  reviewer_delay(finding, events, lifecycle, today, calendar, uow.zone))
