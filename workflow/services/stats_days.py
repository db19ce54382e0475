"""Moments counted per local day over a trend's period: grouped in SQL on PostgreSQL (it knows the
zone), the period's moments only read and dated here on SQLite (it keeps no zones)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Interval, func, literal_column, select
from sqlalchemy.orm import Session

from workflow.services.stats_facts import EPOCH, micros

_EPOCH_PG = literal_column("TIMESTAMPTZ 'epoch'", DateTime(timezone=True))
_MICROSECOND_PG = literal_column("INTERVAL '1 microsecond'", Interval())


def period_bounds(zone: ZoneInfo, start: date, end: date) -> tuple[datetime, datetime]:
    """A span of moments holding every moment of the local days start..end (a day either side:
    the exact days are the series' to pick)."""
    return (datetime.combine(start - timedelta(days=1), time(), zone),
            datetime.combine(end + timedelta(days=2), time(), zone))


def day_counts(session: Session, moment: Any, where: Sequence[Any], zone: ZoneInfo, start: date,
               end: date, in_micros: bool = False, select_from: Any = None) -> Counter[date]:
    """How many of the rows matching `where` have `moment` (a timestamp, or microseconds since
    the epoch with in_micros) on each local day around start..end."""
    lo, hi = period_bounds(zone, start, end)
    bounds = (micros(lo), micros(hi)) if in_micros else (lo, hi)
    where = [*where, moment >= bounds[0], moment < bounds[1]]
    if session.get_bind().dialect.name == "postgresql":
        stamp = (_EPOCH_PG + moment.op("*", return_type=Interval())(_MICROSECOND_PG)
                 if in_micros else moment)
        day = func.date(func.timezone(zone.key, stamp))
        query = select(day, func.count()).where(*where).group_by(day)
        if select_from is not None:
            query = query.select_from(select_from)
        return Counter({on: int(n) for on, n in session.execute(query)})
    query = select(moment).where(*where)
    if select_from is not None:
        query = query.select_from(select_from)
    out: Counter[date] = Counter()
    for (value,) in session.execute(query):
        at = EPOCH + timedelta(microseconds=value) if in_micros else value
        out[at.astimezone(zone).date()] += 1
    return out
