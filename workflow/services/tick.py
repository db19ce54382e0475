"""One scheduler pass (`rectify tick`): the escalation ladder's steps that fell due, each once and
in order, recorded as events by the system user; then the daily digests; then the statistics'
tallies moved to today (services.tallies). Safe to run twice at once.

Only findings whose `next_ladder_on` has come are read (by its index), in batches; each is
claimed and climbed in a short transaction of its own, so a crash loses nothing and locks are
brief. PostgreSQL claims rows with FOR UPDATE SKIP LOCKED (another tick's rows are skipped);
SQLite serialises writers, and there the claim re-reads `next_ladder_on` under the write lock.
The finding's version column and the unique (finding, seq) and message keys stop anything that
gets past both."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from workflow.models import Finding, TallyChange
from workflow.runtime import Rectify, UnitOfWork
from workflow.services.digests import run_digests
from workflow.services.ladder import Climber
from workflow.services.letter_tick import remind_letters
from workflow.services.light import yellow_cutoff
from workflow.services.sessions import purge_sessions
from workflow.services.tallies import TalliesBusy, TallyReport, keep_tallies, tallies_ready

BATCH = 200  # due findings read per query


@dataclass
class TickReport:
    """What one pass did."""

    fired: int = 0  # ladder steps fired, one event each
    touched: int = 0  # findings at least one step fired on
    digests: int = 0  # digest messages queued in the outbox
    skipped: int = 0  # findings or users another tick had (busy, already done, or a conflict)
    letters: int = 0  # letter reply reminders sent (due soon, overdue)
    sessions_purged: int = 0  # login session rows long ended or unused, deleted
    # the statistics' kept counts: said in str(), not compared (a tick's work is the rest)
    tallies: TallyReport = field(default_factory=TallyReport, compare=False)

    def __str__(self) -> str:
        return (f"ladder: {self.fired} step(s) fired on {self.touched} finding(s); letters: "
                f"{self.letters} reply reminder(s); digests: {self.digests} message(s) queued; "
                f"skipped as busy: {self.skipped}; old login sessions deleted: "
                f"{self.sessions_purged}; {self.tallies}")


def tick(rectify: Rectify, now: datetime | None = None) -> TickReport:
    """One pass at `now` (default: the engine's clock); today is `now`'s date in the org's zone."""
    moment = now or rectify.clock()
    report = TickReport()
    with rectify.unit_of_work() as uow:
        climb_ladder(uow, moment, report)
        report.letters, skipped = remind_letters(uow, moment)
        report.skipped += skipped
        report.digests, skipped = run_digests(uow, moment, rectify.settings.digest_hour)
        report.skipped += skipped
        report.sessions_purged = purge_sessions(uow, moment)
    report.tallies = keep_statistics(rectify, moment)
    return report


def keep_statistics(rectify: Rectify, now: datetime | None = None) -> TallyReport:
    """The statistics' tallies kept (services.tallies: built the first time, the triggers' log
    moved in, moved to a new day) in a transaction of its own, whose lock is brief. The tick
    does it, and more often the scheduler and `rectify worker` (every TALLIES_SECONDS): each
    read of the tallies also reads the log not yet moved in, and grows with it."""
    moment = now or rectify.clock()
    with rectify.unit_of_work() as uow:
        today = moment.astimezone(uow.zone).date()
        try:
            kept = keep_tallies(uow.session, today,
                                yellow_cutoff(today, uow.calendar, uow.light_policy),
                                uow.zone, uow.registry)
            uow.commit()
        except TalliesBusy:  # rolled back on leaving; the statistics count the findings
            return TallyReport(busy=True)
    return kept


def keep_statistics_when_due(rectify: Rectify) -> TallyReport:
    """keep_statistics, when a read finds something to do: changes in the log, or tallies not
    kept for this day and cutoff (the scheduler's and `rectify worker`'s pass every 5 s: a
    writer's transaction takes SQLite's write lock). A changed definition's states are written
    by the tick's own pass."""
    moment = rectify.clock()
    with rectify.unit_of_work(write=False) as uow:
        today = moment.astimezone(uow.zone).date()
        ready = tallies_ready(uow.session, today,
                              yellow_cutoff(today, uow.calendar, uow.light_policy), uow.zone)
        due = not ready or uow.session.scalar(select(TallyChange.id).limit(1)) is not None
    return keep_statistics(rectify, moment) if due else TallyReport()


def climb_ladder(uow: UnitOfWork, now: datetime, report: TickReport) -> None:
    """Every finding whose next step has come, by next_ladder_on then id, a batch at a time."""
    session, today = uow.session, now.astimezone(uow.zone).date()
    after: tuple[date, int] | None = None
    climber: Climber | None = None
    while batch := _due(session, today, after):
        session.rollback()  # end the read: each finding gets a transaction of its own
        climber = climber or Climber(uow, now, today)
        for finding_id in (finding_id for _, finding_id in batch):
            fired = climber.climb(finding_id)
            if fired is None:
                report.skipped += 1
            elif fired:
                report.fired, report.touched = report.fired + fired, report.touched + 1
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
        query = query.where(Finding.next_ladder_on >= on,  # the index range starts there
                            or_(Finding.next_ladder_on > on, Finding.id > last_id))
    return query.order_by(Finding.next_ladder_on, Finding.id).limit(BATCH)
