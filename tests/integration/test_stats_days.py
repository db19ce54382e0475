"""Moments counted per local day (services.stats_days): SQLite's quarter-hour grouping and
PostgreSQL's zone agree with dating each moment in Python, at local midnight in zones whose
offset is not whole hours, for stored timestamps and for microseconds."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import BigInteger, literal, select, true, union_all

from workflow.models.base import UTCDateTime
from workflow.runtime import Rectify
from workflow.services.stats_days import days_by
from workflow.services.stats_facts import micros

ZONES = ("Asia/Shanghai", "Asia/Kathmandu", "America/St_Johns", "Australia/Lord_Howe")
START, END = date(2026, 3, 1), date(2026, 11, 30)


def _moments(zone: ZoneInfo) -> list[datetime]:
    """Moments either side of local midnights and quarter hours through the period (DST days
    included where the zone has them)."""
    out = []
    for day in (date(2026, 3, 8), date(2026, 4, 5), date(2026, 7, 1), date(2026, 10, 4),
                date(2026, 11, 1), START, END):
        midnight = datetime.combine(day, time(), zone)
        for step in (-timedelta(minutes=15), -timedelta(microseconds=1), timedelta(0),
                     timedelta(microseconds=1), timedelta(minutes=14, seconds=59),
                     timedelta(hours=23, minutes=45)):
            out.append((midnight + step).astimezone(UTC))
    return out


def _counted(rectify: Rectify, moments: list[datetime], zone: ZoneInfo,
             in_micros: bool) -> Counter[date]:
    values = [literal(micros(m), BigInteger) if in_micros else literal(m, UTCDateTime)
              for m in moments]
    rows = union_all(*[select(value.label("moment")) for value in values]).subquery()
    with rectify.unit_of_work(write=False) as uow:
        return days_by(uow.session, rows.c.moment, {"rows": true()}, zone, START, END,
                       in_micros, rows)["rows"]


@pytest.mark.parametrize("in_micros", [False, True], ids=["timestamps", "micros"])
@pytest.mark.parametrize("name", ZONES)
def test_days_by_dates_each_moment_in_the_zone(rectify: Rectify, name: str,
                                               in_micros: bool) -> None:
    zone = ZoneInfo(name)
    moments = _moments(zone)
    expected = Counter(m.astimezone(zone).date() for m in moments
                       if START - timedelta(days=1) <= m.astimezone(zone).date() <= END)
    assert _counted(rectify, moments, zone, in_micros) == expected


def test_a_zone_off_the_quarter_hours_is_dated_moment_by_moment(rectify: Rectify) -> None:
    """Shanghai's local mean time (+8:05:43) before 1901: no quarter hour lies within one local
    day, so each moment is read and dated on its own."""
    zone = ZoneInfo("Asia/Shanghai")
    midnight = datetime.combine(date(1900, 6, 1), time(), zone)
    moments = [(midnight + step).astimezone(UTC)
               for step in (-timedelta(minutes=1), timedelta(minutes=1))]
    values = [literal(m, UTCDateTime) for m in moments]
    rows = union_all(*[select(value.label("moment")) for value in values]).subquery()
    with rectify.unit_of_work(write=False) as uow:
        days = days_by(uow.session, rows.c.moment, {"rows": true()}, zone, date(1900, 5, 1),
                       date(1900, 6, 30), False, rows)["rows"]
    assert days == Counter({date(1900, 5, 31): 1, date(1900, 6, 1): 1})
