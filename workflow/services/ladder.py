"""Climbing one finding's escalation ladder in a transaction of its own: claim the row, fire each
due step in order (an event by the system user naming who was told, their notifications), schedule
the next step, commit; a finding another tick holds or changed is skipped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from workflow.models import Finding, Unit
from workflow.services.audience import Person
from workflow.services.clocks import DueStep, due_steps, record_fired, reschedule
from workflow.services.events import append_event
from workflow.services.firing import lifecycle_of
from workflow.services.notify import active_endpoints, audience_people, notify_people, params_for
from workflow.services.system import system_user

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

TRIGGER = "ladder"


class Climber:
    """What a pass looks up once and keeps: the system user, the unit tree (held, so the session
    does not forget it between findings), who each audience is, the active webhook endpoints."""

    def __init__(self, uow: UnitOfWork, now: datetime, today: date) -> None:
        session = uow.session
        self.uow, self.now, self.today = uow, now, today
        self.system = system_user(session)
        uow.commit()
        self.units: Sequence[Unit] = session.scalars(select(Unit)).all()
        self.endpoints = active_endpoints(session)
        self.audiences: dict[tuple[object, ...], list[Person]] = {}

    def climb(self, finding_id: int) -> int | None:
        """Claim one due finding and fire its due steps in one commit: how many, or None when
        another tick has it (locked, already moved on, or a version conflict)."""
        session = self.uow.session
        finding = session.scalar(
            select(Finding).where(Finding.id == finding_id, Finding.next_ladder_on <= self.today)
            .with_for_update(skip_locked=True, of=Finding)
            .execution_options(populate_existing=True))
        if finding is None:
            session.rollback()
            return None
        try:
            with session.no_autoflush:  # one UPDATE of the finding, at the end
                fired = self._steps(finding)
            session.flush()
            self.uow.commit()
        except (StaleDataError, IntegrityError):  # another writer got there first
            session.rollback()
            return None
        return fired

    def _steps(self, finding: Finding) -> int:
        """Fire the due steps in order and schedule the next (none due: next_ladder_on moves on)."""
        lifecycle = lifecycle_of(self.uow, finding)
        due = due_steps(lifecycle, finding, self.today, self.uow.calendar)
        for step in due:
            self._fire(finding, step)
        reschedule(lifecycle, finding, self.uow.calendar)  # the next step, once all are fired
        return len(due)

    def _fire(self, finding: Finding, due: DueStep) -> None:
        """One step: remember it, raise the level, record who was told, tell them."""
        step, session = due.step, self.uow.session
        record_fired(finding, due)
        if step.clock == "rectify" and step.level > (finding.overdue_level or 0):
            finding.overdue_level = step.level  # what reschedule would derive, before the event
        people = self._people(finding, step.notify)
        facts = {"step": step.name, "clock": step.clock, "anchor": due.anchor.isoformat(),
                 "level": step.level, "accountability": step.accountability}
        record = {**facts, "on": due.on.isoformat(), "notified": [u.username for u in people]}
        event = append_event(session, finding, TRIGGER, finding.state, finding.state, self.system,
                             record, self.now)
        notify_people(session, finding, event, people, TRIGGER,
                      params_for(finding, {"zh": step.zh, "en": step.en}, None, "", **facts),
                      self.now, self.endpoints)

    def _people(self, finding: Finding, audiences: tuple[str, ...]) -> list[Person]:
        """Who the audiences mean for this finding; the same for every finding of the same unit,
        raising body and raiser within the pass."""
        key = (audiences, finding.unit_id, finding.raised_by_unit_id, finding.raised_by_id)
        if key not in self.audiences:
            self.audiences[key] = audience_people(self.uow.session, finding, audiences)
        return self.audiences[key]
