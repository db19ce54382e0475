"""Moments counted per local day over a trend's period: grouped in SQL on PostgreSQL (it knows the
zone), on SQLite (it keeps no zones) grouped per quarter hour since the epoch and dated here."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    DateTime,
    Integer,
    Interval,
    and_,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session

from workflow.services.stats_facts import EPOCH, micros

_EPOCH_PG = literal_column("TIMESTAMPTZ 'epoch'", DateTime(timezone=True))
_MICROSECOND_PG = literal_column("INTERVAL '1 microsecond'", Interval())
_SLOT = timedelta(minutes=15)  # SQLite groups moments by quarter hour since the epoch
_SLOT_US = 900_000_000


def period_bounds(zone: ZoneInfo, start: date, end: date) -> tuple[datetime, datetime]:
    """A span of moments holding every moment of the local days start..end (a day either side:
    the exact days are the series' to pick)."""
    return (datetime.combine(start - timedelta(days=1), time(), zone),
            datetime.combine(end + timedelta(days=2), time(), zone))


def day_counts(session: Session, moment: Any, where: Sequence[Any], zone: ZoneInfo, start: date,
               end: date, in_micros: bool = False, select_from: Any = None) -> Counter[date]:
    """How many of the rows matching `where` have `moment` (a timestamp, or microseconds since
    the epoch with in_micros) on each local day around start..end."""
    return days_by(session, moment, {"rows": and_(*where)}, zone, start, end, in_micros,
                   select_from)["rows"]


def days_by(session: Session, moment: Any, counted: Mapping[str, Any], zone: ZoneInfo,
            start: date, end: date, in_micros: bool = False,
            select_from: Any = None) -> dict[str, Counter[date]]:
    """day_counts for several conditions on the same rows in one pass: name -> local days."""
    lo, hi = period_bounds(zone, start, end)
    bounds = (micros(lo), micros(hi)) if in_micros else (lo, hi)
    where = [or_(*counted.values()), moment >= bounds[0], moment < bounds[1]]
    flags = [case((condition, 1), else_=0) for condition in counted.values()]
    out: dict[str, Counter[date]] = {name: Counter() for name in counted}
    how = ("zone" if session.get_bind().dialect.name == "postgresql"
           else "slot" if _quarter_hours(lo, hi) else "moment")
    if how == "zone":
        stamp = (_EPOCH_PG + moment.op("*", return_type=Interval())(_MICROSECOND_PG)
                 if in_micros else moment)
        day = func.date(func.timezone(zone.key, stamp))
        query = select(day, *[func.sum(flag) for flag in flags]).where(*where).group_by(day)
    elif how == "slot":  # each quarter hour since the epoch lies within one local day
        slot = (moment // _SLOT_US if in_micros
                else cast(func.strftime("%s", func.substr(moment, 1, 19)), Integer)
                // (_SLOT_US // 1_000_000))  # whole seconds: SQLite rounds the fraction to ms
        query = select(slot, *[func.sum(flag) for flag in flags]).where(*where).group_by(slot)
    else:
        query = select(moment, *flags).where(*where)
    if select_from is not None:
        query = query.select_from(select_from)
    for value, *counts in session.execute(query):
        if how == "slot":
            value = (EPOCH + timedelta(microseconds=value * _SLOT_US)).astimezone(zone).date()
        elif how == "moment":  # a moment, not yet a local day
            at = EPOCH + timedelta(microseconds=value) if in_micros else value
            value = at.astimezone(zone).date()
        for name, n in zip(counted, counts, strict=True):
            if n:
                out[name][value] += int(n)
    return out


def _quarter_hours(lo: datetime, hi: datetime) -> bool:
    """Whether the zone's offset is whole quarter hours at both ends of the span (lo and hi are
    local; every zone's offset has been since the 1980s), so that each quarter hour since the
    epoch lies within one local day."""
    return all(offset is not None and offset % _SLOT == timedelta(0)
               for offset in (lo.utcoffset(), hi.utcoffset()))
