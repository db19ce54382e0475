"""Trends: the figures per week (ISO, from Monday) or per month over the period."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

# A trend's series: bucket label -> count, in order.
Series = dict[str, int]


def bucket_of(day: date, bucket: str) -> date:
    """The first day of the week (Monday) or month holding day."""
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def buckets(start: date, end: date, bucket: str) -> list[date]:
    """Every bucket from the one holding start to the one holding end."""
    out, current = [], bucket_of(start, bucket)
    while current <= end:
        out.append(current)
        current = current + timedelta(days=7) if bucket == "week" else \
            (current.replace(year=current.year + 1, month=1) if current.month == 12
             else current.replace(month=current.month + 1))
    return out


def label(first: date, bucket: str) -> str:
    return first.isoformat() if bucket == "week" else first.strftime("%Y-%m")


def series(days: Mapping[date, int], start: date, end: date, bucket: str) -> Series:
    """How many of the days (day -> how many) fall in each bucket of the period (days outside
    it left out)."""
    counts = {label(first, bucket): 0 for first in buckets(start, end, bucket)}
    for day, n in days.items():
        if start <= day <= end:
            counts[label(bucket_of(day, bucket), bucket)] += n
    return counts


def local_days(moments: Iterable[datetime], zone: ZoneInfo) -> list[date]:
    return [moment.astimezone(zone).date() for moment in moments]
