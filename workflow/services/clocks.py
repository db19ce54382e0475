"""The clocks a finding runs on and its place on the escalation ladder: which steps are due,
which fired (for which anchor date), the overdue level they raised, and when the next falls due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workflow.calendar import WorkingCalendar
from workflow.models import Finding
from workflow.services.light import running
from workflow.spec.model import LadderStep, Lifecycle
from workflow.time_effects import basis_of


@dataclass(frozen=True)
class DueStep:
    step: LadderStep
    anchor: date  # the clock's date the step counts from
    on: date  # the day the step falls due

    @property
    def mark(self) -> str:
        return mark(self.step, self.anchor)


def mark(step: LadderStep, anchor: date) -> str:
    """How a fired step is remembered in `ladder_fired`: a new anchor date means a new ladder."""
    return f"{step.name}@{anchor.isoformat()}"


def anchors(finding: Finding) -> dict[str, date]:
    """The date each running clock counts from; a stopped clock has none.

    rectify runs while open, dated and not reported rectified (the light's rule): the time
    the finding waits for the reviewer does not count; review runs from the report until the
    reviewer decides; acknowledge until the unit signs; lookback once closed until looked back."""
    out: dict[str, date] = {}
    if finding.is_open:
        if finding.acknowledge_due_date is not None and finding.acknowledged_at is None:
            out["acknowledge"] = finding.acknowledge_due_date
        if running(finding) and finding.due_date is not None:  # (the None check: for mypy)
            out["rectify"] = finding.due_date
        if finding.review_due_date is not None and finding.rectified_at is not None:
            out["review"] = finding.review_due_date
    elif finding.lookback_due_date is not None:
        out["lookback"] = finding.lookback_due_date
    return out


def anchor_dates(finding: Finding) -> dict[str, date | None]:
    """The date column behind each clock, running or not."""
    return {"acknowledge": finding.acknowledge_due_date, "rectify": finding.due_date,
            "review": finding.review_due_date, "lookback": finding.lookback_due_date}


def pending_steps(lifecycle: Lifecycle, finding: Finding,
                  calendar: WorkingCalendar) -> list[DueStep]:
    """The steps not yet fired on a running clock, soonest first (ladder order on a tie)."""
    running, fired = anchors(finding), set((finding.ladder_fired or "").split())
    out = []
    for step in lifecycle.ladder:
        anchor = running.get(step.clock)
        if anchor is None or mark(step, anchor) in fired:
            continue
        out.append(DueStep(step, anchor, calendar.deadline(anchor, step.at, basis_of(finding)).date))
    return sorted(out, key=lambda due: due.on)


def due_steps(lifecycle: Lifecycle, finding: Finding, today: date,
              calendar: WorkingCalendar) -> list[DueStep]:
    """The steps that fall due by today and have not fired, in order."""
    return [due for due in pending_steps(lifecycle, finding, calendar) if due.on <= today]


def reschedule(lifecycle: Lifecycle, finding: Finding, calendar: WorkingCalendar) -> None:
    """Forget steps fired for an anchor date that changed (a new due date starts the ladder
    again; a stopped clock keeps its steps), derive the overdue level from the rectify steps
    fired for the current due date, and set next_ladder_on."""
    current = anchor_dates(finding)
    by_name = {step.name: step for step in lifecycle.ladder}
    kept, level = [], 0
    for entry in (finding.ladder_fired or "").split():
        step = by_name.get(entry.partition("@")[0])
        anchor = current.get(step.clock) if step else None
        if step is not None and anchor is not None and mark(step, anchor) == entry:
            kept.append(entry)
            if step.clock == "rectify":
                level = max(level, step.level)
    fired = " ".join(kept)
    if fired != finding.ladder_fired:
        finding.ladder_fired = fired
    if level != (finding.overdue_level or 0):
        finding.overdue_level = level
    pending = pending_steps(lifecycle, finding, calendar)
    next_on = pending[0].on if pending else None
    if next_on != finding.next_ladder_on:
        finding.next_ladder_on = next_on


def record_fired(finding: Finding, due: DueStep) -> None:
    """Remember a step as fired (the tick calls reschedule after it)."""
    finding.ladder_fired = " ".join([*(finding.ladder_fired or "").split(), due.mark])


def due_date_change(before: date | None, after: date | None) -> list[str | None]:
    """An event's `due_date_change` (ISO dates, None for none): the due-date history reads these."""
    return [before.isoformat() if before else None, after.isoformat() if after else None]
