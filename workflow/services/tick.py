"""One scheduler pass (`rectify tick`): the escalation ladder's steps that fell due, each once and
in order, recorded as events by the system user; then the daily digests. Safe to run twice at once.

Only findings whose `next_ladder_on` has come are read (by its index), in batches; each is
claimed and climbed in a short transaction of its own, so a crash loses nothing and locks are
brief. PostgreSQL claims rows with FOR UPDATE SKIP LOCKED (another tick's rows are skipped);
SQLite serialises writers, and there the claim re-reads `next_ladder_on` under the write lock.
The finding's version column and the unique (finding, seq) and message keys stop anything that
gets past both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from workflow.calendar import WorkingCalendar
from workflow.models import Finding, User
from workflow.runtime import Rectify, UnitOfWork
from workflow.services.clocks import DueStep, due_steps, record_fired, reschedule
from workflow.services.digests import run_digests
from workflow.services.events import append_event
from workflow.services.firing import lifecycle_of
from workflow.services.notify import audience_people, notify_people, params_for
from workflow.services.system import system_user
from workflow.spec.model import Lifecycle

BATCH = 200  # due findings read per query
TRIGGER = "ladder"


@dataclass
class TickReport:
    """What one pass did."""

    fired: int = 0  # ladder steps fired, one event each
    touched: int = 0  # findings at least one step fired on
    digests: int = 0  # digest messages queued in the outbox
    skipped: int = 0  # findings or users another tick had (busy, already done, or a conflict)

    def __str__(self) -> str:
        return (f"ladder: {self.fired} step(s) fired on {self.touched} finding(s); digests: "
                f"{self.digests} message(s) queued; skipped as busy: {self.skipped}")


def tick(rectify: Rectify, now: datetime | None = None) -> TickReport:
    """One pass at `now` (default: the engine's clock); today is `now`'s date in the org's zone."""
    moment = now or rectify.clock()
    report = TickReport()
    with rectify.unit_of_work() as uow:
        climb_ladder(uow, moment, report)
        report.digests, skipped = run_digests(uow, moment, rectify.settings.digest_hour)
        report.skipped += skipped
    return report


def climb_ladder(uow: UnitOfWork, now: datetime, report: TickReport) -> None:
    """Every finding whose next step has come, by next_ladder_on then id, a batch at a time."""
    session, today = uow.session, now.astimezone(uow.zone).date()
    after: tuple[date, int] | None = None
    system_id: int | None = None
    while batch := _due(session, today, after):
        session.rollback()  # end the read: each finding gets a transaction of its own
        if system_id is None:
            system_id = system_user(session).id
            uow.commit()
        for finding_id in (finding_id for _, finding_id in batch):
            fired = _climb(uow, finding_id, system_id, today, now)
            if fired is None:
                report.skipped += 1
            elif fired:
                report.fired, report.touched = report.fired + fired, report.touched + 1
        session.expunge_all()
        if len(batch) < BATCH:
            break
        after = batch[-1]


def _due(session: Session, today: date, after: tuple[date, int] | None) -> list[tuple[date, int]]:
    """The next batch of (next_ladder_on, id) due by today, after the last one seen."""
    rows = session.execute(due_query(today, after)).all()
    return [(on, finding_id) for on, finding_id in rows if on is not None]


def due_query(today: date, after: tuple[date, int] | None = None) -> Select[date | None, int]:
    """(next_ladder_on, id) of the findings due by today, walking ix_findings_next_ladder_on."""
    query = select(Finding.next_ladder_on, Finding.id).where(Finding.next_ladder_on <= today)
    if after is not None:
        on, last_id = after
        query = query.where(or_(Finding.next_ladder_on > on,
                                and_(Finding.next_ladder_on == on, Finding.id > last_id)))
    return query.order_by(Finding.next_ladder_on, Finding.id).limit(BATCH)


def _climb(uow: UnitOfWork, finding_id: int, system_id: int, today: date,
           now: datetime) -> int | None:
    """Claim one finding and fire its due steps in one commit: how many, or None when another
    tick has it (locked, already moved on, or a version conflict)."""
    session = uow.session
    finding = session.scalar(
        select(Finding).where(Finding.id == finding_id, Finding.next_ladder_on <= today)
        .with_for_update(skip_locked=True, of=Finding)
        .execution_options(populate_existing=True))
    if finding is None:
        session.rollback()
        return None
    try:
        fired = _steps(uow, finding, session.get_one(User, system_id), today, now)
        session.flush()
        uow.commit()
    except (StaleDataError, IntegrityError):  # another writer got there first
        session.rollback()
        return None
    return fired


def _steps(uow: UnitOfWork, finding: Finding, system: User, today: date, now: datetime) -> int:
    """Fire the finding's due steps in order and schedule the next (none due: it moves on)."""
    lifecycle = lifecycle_of(uow, finding)
    due = due_steps(lifecycle, finding, today, uow.calendar)
    for step in due:
        fire_step(uow.session, lifecycle, uow.calendar, finding, step, system, now)
    reschedule(lifecycle, finding, uow.calendar)
    return len(due)


def fire_step(session: Session, lifecycle: Lifecycle, calendar: WorkingCalendar,
              finding: Finding, due: DueStep, system: User, now: datetime) -> None:
    """One step: remember it, raise the level, record the event naming who was told, tell them."""
    step = due.step
    record_fired(finding, due)
    reschedule(lifecycle, finding, calendar)
    people = audience_people(session, finding, step.notify)
    facts = {"step": step.name, "clock": step.clock, "anchor": due.anchor.isoformat(),
             "level": step.level, "accountability": step.accountability}
    record = {**facts, "on": due.on.isoformat(), "notified": [user.username for user in people]}
    event = append_event(session, finding, TRIGGER, finding.state, finding.state, system, record,
                         now)
    notify_people(session, finding, event, people, TRIGGER,
                  params_for(finding, {"zh": step.zh, "en": step.en}, None, "", **facts), now)
