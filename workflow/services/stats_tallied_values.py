"""The statistics' durations, stays and trend days read from the value tallies (workflow.
tally_values) of the focus unit and the triggers' log not yet moved in: what services.
stats_stored and the trends' day counts give from the findings, without reading one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Integer, String, column, func, select, text, union_all
from sqlalchemy.orm import Session

from workflow.models import ValueTally
from workflow.services.stats_events import Dwell, EventFigures, Spread, nearest_rank
from workflow.services.stats_facts import micros
from workflow.services.tallies import local_days
from workflow.spec import Registry
from workflow.tally_sql import logged_rows
from workflow.tally_values import BUCKET_US, EPOCH_DAY, SPLIT, VALUE_COLUMNS, value_rows

TRENDS = {"raised": "raised", "proposed": "proposed", "reported": "rectified",
          "confirmed": "confirmed"}  # value tally kind -> the statistics' trend


def tallied_values(session: Session, registry: Registry, focus_id: int, until: datetime,
                   zone: ZoneInfo, start: date, end: date
                   ) -> tuple[EventFigures, dict[str, Counter[date]]]:
    """The figures (without the moment lists), and the raised, proposed, rectified and
    confirmed trends' local days around start..end, of the focus's subtree."""
    rows = _rows(session)
    r = rows.c
    at = r.node == focus_id
    spreads = {kind: Spread() for kind in ("rectify", "confirm")}
    for kind in spreads:
        spreads[kind] = _spread(session.execute(
            select(r.bucket, func.sum(r.n), func.sum(r.total), func.sum(r.high))
            .where(at, r.kind == kind)
            .group_by(r.bucket).order_by(r.bucket)).all())
    figures = EventFigures(spreads["rectify"], spreads["confirm"],
                           _dwell(session, rows, at, registry, micros(until)))
    low, high = start - timedelta(days=1), end + timedelta(days=1)  # as period_bounds
    days: dict[str, Counter[date]] = {name: Counter() for name in TRENDS.values()}
    for kind, bucket, n in session.execute(
            select(r.kind, r.bucket, func.sum(r.n)).where(
                at, r.kind.in_(list(TRENDS)), r.bucket >= (low - EPOCH_DAY).days,
                r.bucket <= (high - EPOCH_DAY).days).group_by(r.kind, r.bucket)):
        if n:
            days[TRENDS[kind]][EPOCH_DAY + timedelta(days=int(bucket))] += int(n)
    return figures, days


def _rows(session: Session) -> Any:
    """The value tallies and those of the log not yet moved in."""
    dialect = session.get_bind().dialect.name
    local_days(session)
    types = {"node": Integer, "kind": String, "lifecycle": String, "state": String,
             "bucket": BigInteger, "n": Integer, "total": BigInteger, "high": BigInteger}
    logged = text(value_rows(dialect, logged_rows(), "r.n")).columns(
        *[column(name, types[name]) for name in VALUE_COLUMNS])
    t = ValueTally
    return union_all(select(*[getattr(t, name) for name in VALUE_COLUMNS]),
                     select(*logged.subquery("logged_values").c)).subquery("values_kept")


def _spread(buckets: Sequence[Any]) -> Spread:
    """Count, total and the nearest-rank 90th percentile (its bucket's upper bound) of the
    durations counted per bucket, in order."""
    kept = [(int(bucket), int(n), _whole(total, high)) for bucket, n, total, high in buckets if n]
    count = sum(n for _b, n, _t in kept)
    if not count:
        return Spread()
    rank, seen, p90 = nearest_rank(count), 0, None
    for bucket, n, _total in kept:
        seen += n
        if seen >= rank:
            p90 = bucket * BUCKET_US
            break
    return Spread(count, sum(total for _b, _n, total in kept), p90)


def _dwell(session: Session, rows: Any, at: Any, registry: Registry,
           until: int) -> dict[tuple[str, str], Dwell]:
    """services.stats_stored._dwell's answer: the ended stays per (lifecycle, state) entered,
    and the current stays in states not final, up to `until`."""
    r = rows.c
    dwell: dict[tuple[str, str], Dwell] = {}
    for lifecycle, state, spent, high, findings in session.execute(
            select(r.lifecycle, r.state, func.sum(r.total), func.sum(r.high), func.sum(r.n))
            .where(at, r.kind == "dwell").group_by(r.lifecycle, r.state)):
        if findings:
            dwell[(lifecycle, state)] = Dwell(_whole(spent, high), int(findings))
    finals = {(lc.name, lc.version, s.name) for lc in registry.all() for s in lc.states if s.final}
    for lifecycle, state, version, n, since, high in session.execute(
            select(r.lifecycle, r.state, r.bucket, func.sum(r.n), func.sum(r.total),
                   func.sum(r.high))
            .where(at, r.kind == "stay").group_by(r.lifecycle, r.state, r.bucket)):
        if n and (lifecycle, int(version), state) not in finals:
            dwell.setdefault((lifecycle, state), Dwell()).micros += (int(n) * until
                                                                     - _whole(since, high))
    return dwell


def _whole(low: Any, high: Any) -> int:
    """A total kept in two parts (tally_values.SPLIT)."""
    return int(low or 0) + int(high or 0) * SPLIT
