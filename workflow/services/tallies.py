"""Keeping the tallies (models.tallies, SQL in workflow.tally_sql): built once, the triggers' log
moved in, moved to each new day, merged when their +1/-1 rows pile up; the scheduler's tick
calls keep_tallies.

The triggers log every write of a finding, counting its deadlines on the clock's day.
When the day (or the yellow-light cutoff) changes, only findings with a deadline between the old
and the new day or cutoff can count otherwise: the advance takes away what they added on the old
day and adds what they add on the new one. On PostgreSQL the triggers hold an advisory lock in
shared mode and the advance (or a rebuild) takes it alone, so no write straddles the change of
day; on SQLite writers are serialised anyway."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from workflow.models import FindingTally, TallyChange, TallyClock
from workflow.tally_sql import LOCK_KEY, REDUCED, TALLIED, expanded, insert_findings, pending

MERGE_AT = 20_000  # rows before the first merge; then twice the rows the last merge left


@dataclass
class TallyReport:
    """What one keep_tallies did."""

    built: bool = False  # rebuilt from every finding (never built, or a unit moved)
    moved: int = 0  # changes moved from the triggers' log
    advanced: bool = False  # moved to a new day or cutoff
    merged: int = 0  # rows before a merge (0: none)

    def __str__(self) -> str:
        done = [word for word, did in (("rebuilt", self.built), ("moved to today", self.advanced))
                if did]
        if self.moved:
            done.append(f"{self.moved} changes moved in")
        if self.merged:
            done.append(f"{self.merged} rows merged")
        return "tallies: " + (", ".join(done) or "up to date")


def tallies_ready(session: Session, today: date, cutoff: date | None) -> bool:
    """Whether the tallies count for this day and yellow-light cutoff (None: any cutoff)."""
    clock = session.execute(select(TallyClock.day, TallyClock.cutoff)
                            .where(TallyClock.id == 1)).first()
    return clock is not None and clock.day == today and cutoff in (None, clock.cutoff)


def keep_tallies(session: Session, today: date, cutoff: date) -> TallyReport:
    """Build, move the log in, advance or merge, as needed, in the caller's transaction (a
    writer's)."""
    report = TallyReport()
    moving = not tallies_ready(session, today, cutoff)
    _lock(session, exclusive=moving)  # writes wait only while the tallies change day
    clock = session.get(TallyClock, 1)
    if clock is None:
        clock = TallyClock(id=1, merged_rows=0)
        session.add(clock)
        session.flush()
    if clock.day is None or clock.cutoff is None:
        rebuild(session, clock, today, cutoff)
        report.built = True
    else:
        report.moved = compact(session)
        if (clock.day, clock.cutoff) != (today, cutoff):
            advance(session, clock, today, cutoff)
            report.advanced = True
    rows = session.scalar(select(func.count()).select_from(FindingTally)) or 0
    if rows > max(MERGE_AT, 2 * clock.merged_rows):
        clock.merged_rows = merge(session)
        report.merged = rows
    return report


def compact(session: Session) -> int:
    """The log moved into the tallies (each change counted at every unit above its finding's,
    per dim); how many changes."""
    top = session.scalar(select(func.max(TallyChange.id)))
    if top is None:
        return 0
    dialect, names = _dialect(session), ", ".join(TALLIED)
    moved = session.scalar(select(func.count()).where(TallyChange.id <= top)) or 0
    if dialect == "postgresql":  # one statement: what it deletes is what it moves
        reduced = ", ".join(REDUCED)
        rows = expanded(dialect, f"SELECT {reduced}, n FROM moved", "r.n")
        session.execute(text(
            f"WITH moved AS (DELETE FROM tally_changes WHERE id <= :top RETURNING {reduced}, n) "
            f"INSERT INTO finding_tallies ({names}, n) {rows}"), {"top": top})
    else:
        session.execute(text(f"INSERT INTO finding_tallies ({names}, n) "
                             f"{pending(dialect, ':top')}"), {"top": top})
        session.execute(delete(TallyChange).where(TallyChange.id <= top))
    return moved


def rebuild(session: Session, clock: TallyClock, today: date, cutoff: date) -> None:
    """Every finding counted afresh for today."""
    session.execute(delete(FindingTally))
    session.execute(delete(TallyChange))
    _set(session, clock, today, cutoff)
    session.execute(text(insert_findings(_dialect(session), "1 = 1", 1, grouped=True)))
    clock.merged_rows = session.scalar(select(func.count()).select_from(FindingTally)) or 0


def advance(session: Session, clock: TallyClock, today: date, cutoff: date) -> None:
    """From the clock's day and cutoff to these: the findings whose deadlines lie between count
    again (taken away as of the old day, added as of the new one)."""
    assert clock.day is not None and clock.cutoff is not None
    low, high = min(clock.day, today), max(clock.cutoff, cutoff, clock.day, today)
    turned = (f"f.is_open AND ((f.due_date >= '{low}' AND f.due_date <= '{high}') "
              f"OR (f.review_due_date >= '{low}' AND f.review_due_date <= '{high}') "
              f"OR (f.acknowledge_due_date >= '{low}' AND f.acknowledge_due_date <= '{high}'))")
    dialect = _dialect(session)
    session.execute(text(insert_findings(dialect, turned, -1, grouped=False)))
    _set(session, clock, today, cutoff)
    session.execute(text(insert_findings(dialect, turned, 1, grouped=False)))


def merge(session: Session) -> int:
    """The rows of each tally key summed into one (those summing to 0 dropped); the rows left."""
    keys = [c for c in FindingTally.__table__.c if c.name not in ("id", "n")]
    names = ", ".join(c.name for c in keys)
    if _dialect(session) == "postgresql":
        top = session.scalar(select(func.max(FindingTally.id)))
        session.execute(text(
            f"WITH gone AS (DELETE FROM finding_tallies WHERE id <= :top RETURNING {names}, n) "
            f"INSERT INTO finding_tallies ({names}, n) SELECT {names}, sum(n) FROM gone "
            f"GROUP BY {names} HAVING sum(n) <> 0"), {"top": top or 0})
    else:
        session.execute(text(
            f"CREATE TEMPORARY TABLE tallies_merged AS SELECT {names}, sum(n) AS n "
            f"FROM finding_tallies GROUP BY {names} HAVING sum(n) <> 0"))
        session.execute(delete(FindingTally))
        session.execute(text(f"INSERT INTO finding_tallies ({names}, n) "
                             f"SELECT {names}, n FROM tallies_merged"))
        session.execute(text("DROP TABLE tallies_merged"))
    return session.scalar(select(func.count()).select_from(FindingTally)) or 0


def _set(session: Session, clock: TallyClock, today: date, cutoff: date) -> None:
    clock.day, clock.cutoff = today, cutoff
    session.flush()


def _lock(session: Session, exclusive: bool) -> None:
    """PostgreSQL: wait (2 s at most, then the tick tries again) until no write is counting."""
    if _dialect(session) != "postgresql":
        return
    session.execute(text("SET LOCAL lock_timeout = '2s'"))
    call = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    session.execute(text(f"SELECT {call}({LOCK_KEY})"))


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name
