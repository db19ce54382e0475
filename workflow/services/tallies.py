"""Keeping the tallies (models.tallies, SQL in workflow.tally_sql and tally_values): built once,
the triggers' log moved in, moved to each new day, merged when their +1/-1 rows pile up; the
scheduler's tick calls keep_tallies.

The triggers log every write of a finding, counting its deadlines on the clock's day. When the
day (or the yellow-light cutoff) changes, only findings with a deadline between the old and the
new day or cutoff can count otherwise: the advance takes away what they added on the old day
and adds what they add on the new one. On PostgreSQL the triggers hold an advisory lock in
shared mode and the advance (or a rebuild) takes it alone, so no write straddles the change of
day; on SQLite writers are serialised anyway."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from workflow.models import FindingTally, TallyChange, TallyClock, TallyState, ValueTally
from workflow.services.stats_groups import Meanings
from workflow.services.stats_kinds import outcomes_of
from workflow.spec import Registry
from workflow.tally_sql import (
    LOCK_KEY,
    LOGGED,
    TALLIED,
    expanded,
    insert_findings,
    logged_columns,
    logged_rows,
    pending,
)
from workflow.tally_values import EPOCH_DAY, VALUE_COLUMNS, insert_values

MERGE_AT = 20_000  # rows added before the first merge; then as many as the last merge left


@dataclass
class TallyReport:
    """What one keep_tallies did."""

    built: bool = False  # rebuilt from every finding (never built, a unit moved, a new zone)
    busy: bool = False  # PostgreSQL: writes held the lock past its timeout; the next tick tries
    moved: int = 0  # changes moved from the triggers' log
    advanced: bool = False  # moved to a new day or cutoff
    merged: int = 0  # rows before a merge (0: none)

    def __str__(self) -> str:
        done = [word for word, did in (("rebuilt", self.built), ("moved to today", self.advanced),
                                       ("busy, left to the next tick", self.busy)) if did]
        if self.moved:
            done.append(f"{self.moved} changes moved in")
        if self.merged:
            done.append(f"{self.merged} rows merged")
        return "tallies: " + (", ".join(done) or "up to date")


def tallies_ready(session: Session, today: date, cutoff: date | None,
                  zone: ZoneInfo | None = None) -> bool:
    """Whether the tallies count for this day and yellow-light cutoff (None: any cutoff) and,
    if given, local days in this zone."""
    clock = session.execute(select(TallyClock.day, TallyClock.cutoff, TallyClock.zone)
                            .where(TallyClock.id == 1)).first()
    return (clock is not None and clock.day == today and cutoff in (None, clock.cutoff)
            and (zone is None or clock.zone == zone.key))


def state_classes(registry: Registry) -> set[tuple[str, int, str, int, int, int]]:
    """Per (lifecycle, version, state): counted problem, proposed suggestion, confirmed problem
    (the counted figures' classes, stats_kinds.StateFlags), as tally_states holds them."""
    meanings = Meanings(registry, outcomes_of(registry))
    out = set()
    for lifecycle, version, state, k in meanings.rows:
        flags = meanings.classes[k]
        counted = not flags.suggestion and not flags.excluded
        out.add((lifecycle, version, state, int(counted),
                 int(flags.suggestion and not flags.excluded), int(counted and flags.confirmed)))
    return out


def _states_written(session: Session, registry: Registry) -> bool:
    """tally_states as the definitions say; whether a state already there changed (its findings'
    values were counted by another class: the tallies are rebuilt)."""
    wanted = state_classes(registry)
    held = {tuple(row) for row in session.execute(select(
        TallyState.lifecycle, TallyState.version, TallyState.state, TallyState.counted,
        TallyState.proposed, TallyState.confirmed))}
    if wanted <= held:
        return False
    changed = {row[:3] for row in held} & {row[:3] for row in wanted - held}
    session.execute(delete(TallyState))
    session.add_all(TallyState(lifecycle=lc, version=v, state=st, counted=c, proposed=p,
                               confirmed=k) for lc, v, st, c, p, k in sorted(wanted))
    session.flush()
    return bool(changed)


def keep_tallies(session: Session, today: date, cutoff: date, zone: ZoneInfo,
                 registry: Registry) -> TallyReport:
    """Build, move the log in, advance or merge, as needed, in the caller's transaction (a
    writer's)."""
    report = TallyReport()
    moving = not tallies_ready(session, today, cutoff, zone)
    _lock(session, exclusive=moving)  # writes wait only while the tallies change day
    local_days(session, zone)
    changed = _states_written(session, registry)
    clock = session.get(TallyClock, 1)
    if clock is None:
        clock = TallyClock(id=1, merged_rows=0, merged_top=0)
        session.add(clock)
        session.flush()
    if changed or clock.day is None or clock.cutoff is None or clock.zone != zone.key:
        rebuild(session, clock, today, cutoff, zone)
        report.built = True
    else:
        report.moved = compact(session)
        if (clock.day, clock.cutoff) != (today, cutoff):
            advance(session, clock, today, cutoff)
            report.advanced = True
    added = (session.scalar(select(func.max(FindingTally.id))) or 0) - clock.merged_top
    if added > max(MERGE_AT, clock.merged_rows):  # the rows doubled since the last merge
        report.merged = clock.merged_rows + added
        _merged_now(session, clock, merge(session))
    if (report.built or report.merged) and clock.merged_rows > MERGE_AT:  # the statistics of
        for table in ("finding_tallies", "value_tallies"):    # many new rows (small: autovacuum)
            session.execute(text(f"ANALYZE {table}"))
    return report


def compact(session: Session) -> int:
    """The log moved into the tallies (each change counted at every unit above its finding's,
    per dim, and its values); how many changes."""
    top = session.scalar(select(func.max(TallyChange.id)))
    if top is None:
        return 0
    dialect, names = _dialect(session), ", ".join(TALLIED)
    moved = session.scalar(select(func.count()).where(TallyChange.id <= top)) or 0
    if dialect == "postgresql":  # one statement: what it deletes is what it moves
        source = f"SELECT {', '.join(LOGGED)}, n FROM moved"
        session.execute(text(
            f"WITH moved AS (DELETE FROM tally_changes WHERE id <= :top RETURNING "
            f"{', '.join(LOGGED)}, n), counted AS (INSERT INTO finding_tallies ({names}, n) "
            f"{expanded(dialect, source, 'r.n')}) "
            f"{insert_values(dialect, source, 'r.n', grouped=False)}"), {"top": top})
    else:
        session.execute(text(f"INSERT INTO finding_tallies ({names}, n) "
                             f"{pending(dialect, ':top')}"), {"top": top})
        session.execute(text(insert_values(dialect, logged_rows(":top"), "r.n", grouped=False)),
                        {"top": top})
        session.execute(delete(TallyChange).where(TallyChange.id <= top))
    return moved


def rebuild(session: Session, clock: TallyClock, today: date, cutoff: date,
            zone: ZoneInfo) -> None:
    """Every finding counted afresh for today, its local days in zone."""
    for table in (FindingTally, ValueTally, TallyChange):
        session.execute(delete(table))
    clock.zone = zone.key
    _set(session, clock, today, cutoff)
    dialect = _dialect(session)
    session.execute(text(insert_findings(dialect, "1 = 1", 1, grouped=True)))
    facts = f"SELECT {', '.join(logged_columns(dialect, 'f'))} FROM findings f"
    session.execute(text(insert_values(dialect, facts, "1", grouped=True)))
    _merged_now(session, clock)


def _merged_now(session: Session, clock: TallyClock, rows: int | None = None) -> None:
    """The clock remembers how many tally rows there are (counted unless given) and the highest
    id, just merged or built."""
    if rows is None:
        rows = session.scalar(select(func.count()).select_from(FindingTally)) or 0
    clock.merged_rows = rows
    clock.merged_top = session.scalar(select(func.max(FindingTally.id))) or 0


def advance(session: Session, clock: TallyClock, today: date, cutoff: date) -> None:
    """From the clock's day and cutoff to these: the findings whose deadlines lie between count
    again (taken away as of the old day, added as of the new one). The values do not move."""
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
    """The rows of each tally key summed into one (those summing to nothing dropped); the count
    tallies' rows left."""
    _merged(session, "finding_tallies",
            [c.name for c in FindingTally.__table__.c if c.name not in ("id", "n")], ["n"])
    _merged(session, "value_tallies", list(VALUE_COLUMNS[:5]), ["n", "total", "high"])
    return session.scalar(select(func.count()).select_from(FindingTally)) or 0


def _merged(session: Session, table: str, keys: list[str], sums: list[str]) -> None:
    names = ", ".join(keys)
    summed = ", ".join(f"sum({name}) AS {name}" for name in sums)
    kept = " OR ".join(f"sum({name}) <> 0" for name in sums)
    every = f"{names}, {', '.join(sums)}"
    if _dialect(session) == "postgresql":
        top = session.scalar(text(f"SELECT max(id) FROM {table}"))
        session.execute(text(
            f"WITH gone AS (DELETE FROM {table} WHERE id <= :top RETURNING {every}) "
            f"INSERT INTO {table} ({every}) SELECT {names}, {summed} FROM gone "
            f"GROUP BY {names} HAVING {kept}"), {"top": top or 0})
        return
    session.execute(text(f"CREATE TEMPORARY TABLE merged_tallies AS SELECT {names}, {summed} "
                         f"FROM {table} GROUP BY {names} HAVING {kept}"))
    session.execute(text(f"DELETE FROM {table}"))
    session.execute(text(f"INSERT INTO {table} ({every}) SELECT {every} FROM merged_tallies"))
    session.execute(text("DROP TABLE merged_tallies"))


def local_days(session: Session, zone: ZoneInfo | None = None) -> None:
    """SQLite: the functions the value tallies' local days call (tally_values._day), in zone
    (None: the clock's). PostgreSQL reads the zone from the clock."""
    if _dialect(session) != "sqlite":
        return
    if zone is None:
        name = session.scalar(select(TallyClock.zone).where(TallyClock.id == 1))
        zone = ZoneInfo(name or "UTC")
    driver = session.connection().connection.driver_connection

    def day_of_micros(micros: int | None) -> int | None:
        if micros is None:
            return None
        moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)
        return (moment.astimezone(zone).date() - EPOCH_DAY).days

    def day_of_stamp(stamp: str | None) -> int | None:
        if stamp is None:
            return None
        moment = datetime.fromisoformat(stamp).replace(tzinfo=UTC)
        return (moment.astimezone(zone).date() - EPOCH_DAY).days

    driver.create_function("rectify_local_day", 1, day_of_micros, deterministic=True)  # type: ignore[union-attr]
    driver.create_function("rectify_local_day_of", 1, day_of_stamp, deterministic=True)  # type: ignore[union-attr]


def _set(session: Session, clock: TallyClock, today: date, cutoff: date) -> None:
    clock.day, clock.cutoff = today, cutoff
    session.flush()


class TalliesBusy(Exception):
    """Writes held the tallies' lock past the timeout (PostgreSQL): roll back, try again later."""


def _lock(session: Session, exclusive: bool) -> None:
    """PostgreSQL: wait (2 s at most, else TalliesBusy) until no write is counting."""
    if _dialect(session) != "postgresql":
        return
    session.execute(text("SET LOCAL lock_timeout = '2s'"))
    call = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    try:
        session.execute(text(f"SELECT {call}({LOCK_KEY})"))
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == "55P03":  # lock_not_available
            raise TalliesBusy() from exc
        raise


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name
