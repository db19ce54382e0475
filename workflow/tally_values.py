"""The tallies of the statistics' durations, stays and trend days (models.tallies.ValueTally): what
one finding adds per unit above it, in SQL over logged or live finding rows (workflow.tally_sql
LOGGED columns), for services.tallies (moving the log in, the rebuild) and the statistics.

Kinds, each row counted n times with a total (kept as total + high * SPLIT, so that no sum of
them overflows SQLite's 64-bit integers): 'rectify' and 'confirm', the days from raising to
the last report / to confirmation of counted problems, per bucket of a tenth of a day (its upper
bound: the 90th percentile is read at that precision, services.stats_events.Spread); 'raised',
'proposed', 'reported' (each report), 'confirmed', per local day (days since 1970-01-01 in the
tallies' zone); 'dwell', per lifecycle and state, the ended stays of the findings that entered
it; 'stay', per lifecycle, state and version, the moments the current stays began.

What counts (a counted problem, a proposed suggestion, a confirmed problem) is read per state
from tally_states, which services.tallies writes from the definitions (stats_kinds.StateFlags):
the classes the counts use."""

from __future__ import annotations

from datetime import date

from workflow.tally_sql import ancestors

BUCKET_US = 8_640_000_000  # a tenth of a day: the durations' 90th percentile precision
VALUE_COLUMNS = ("node", "kind", "lifecycle", "state", "bucket", "n", "total", "high")
EPOCH_DAY = date(1970, 1, 1)  # local days are counted from it (the value tallies' buckets)
SPLIT = 4_294_967_296  # totals kept as low and high parts: their sums fit 64 bits at any size


def _day(dialect: str, micros: str) -> str:
    """The local day (days since 1970-01-01) of a moment in microseconds since the epoch."""
    if dialect == "postgresql":
        return (f"(date(timezone((SELECT zone FROM tally_clock WHERE id = 1), TIMESTAMPTZ 'epoch' "
                f"+ ({micros}) * INTERVAL '1 microsecond')) - DATE '1970-01-01')")
    return f"rectify_local_day({micros})"  # registered by services.tallies on the connection


def _created_day(dialect: str) -> str:
    if dialect == "postgresql":
        return ("(date(timezone((SELECT zone FROM tally_clock WHERE id = 1), r.created_at)) "
                "- DATE '1970-01-01')")
    return "rectify_local_day_of(r.created_at)"


def value_rows(dialect: str, source: str, weight: str) -> str:
    """SELECT of the value tally rows (VALUE_COLUMNS) of the rows of `source` (SQL of a
    subquery with tally_sql.LOGGED; weight: the SQL of each one's n)."""
    units, node = ancestors(dialect)
    if dialect == "postgresql":
        reports = "CROSS JOIN LATERAL json_array_elements_text(r.reports_us) AS j(value)"
        stays = "CROSS JOIN LATERAL json_each_text(r.state_us) AS j(key, value)"
        big = "BIGINT"
    else:
        reports, stays = "CROSS JOIN json_each(r.reports_us) AS j", "CROSS JOIN json_each(r.state_us) AS j"
        big = "INTEGER"
    base = (f"FROM ({source}) AS r {units} JOIN tally_states s "
            "ON s.lifecycle = r.lifecycle AND s.version = r.lifecycle_version AND s.state = r.state")
    spans = {"rectify": ("r.reported_us - r.raised_us", "s.counted = 1 AND r.reported_us IS NOT NULL"),
             "confirm": ("r.confirmed_us - r.raised_us",
                         "s.confirmed = 1 AND r.confirmed_us IS NOT NULL")}
    parts = [f"SELECT {node} AS node, '{kind}' AS kind, NULL AS lifecycle, NULL AS state, "
             f"({span} + {BUCKET_US - 1}) / {BUCKET_US} AS bucket, {weight} AS n, "
             f"{_split(weight, span, named=True)} {base} WHERE {where}"
             for kind, (span, where) in spans.items()]
    days = {"raised": (_created_day(dialect), "s.counted = 1", ""),
            "proposed": (_created_day(dialect), "s.proposed = 1", ""),
            "confirmed": (_day(dialect, "r.confirmed_us"),
                          "s.confirmed = 1 AND r.confirmed_us IS NOT NULL", ""),
            "reported": (_day(dialect, f"CAST(j.value AS {big})"), "s.counted = 1", reports)}
    parts += [f"SELECT {node}, '{kind}', NULL, NULL, {day}, {weight}, 0, 0 {base} {more} "
              f"WHERE {where}" for kind, (day, where, more) in days.items()]
    parts.append(f"SELECT {node}, 'dwell', r.lifecycle, j.key, NULL, {weight}, "
                 f"{_split(weight, f'CAST(j.value AS {big})')} {base} {stays}")
    parts.append(f"SELECT {node}, 'stay', r.lifecycle, r.state, r.lifecycle_version, {weight}, "
                 f"{_split(weight, 'r.state_since_us')} {base} WHERE r.state_since_us IS NOT NULL")
    return " UNION ALL ".join(parts)


def _split(weight: str, value: str, named: bool = False) -> str:
    """weight times value as its low and high parts (value = high * SPLIT + low, both with the
    sign of value: integer division truncates on both backends)."""
    low, high = f"{weight} * (({value}) % {SPLIT})", f"{weight} * (({value}) / {SPLIT})"
    return f"{low} AS total, {high} AS high" if named else f"{low}, {high}"


def insert_values(dialect: str, source: str, weight: str, grouped: bool) -> str:
    """INSERT into the value tallies of the value rows of source (grouped: summed per key)."""
    names = ", ".join(VALUE_COLUMNS)
    rows = value_rows(dialect, source, weight)
    if grouped:
        rows = (f"SELECT node, kind, lifecycle, state, bucket, sum(n), sum(total), sum(high) "
                f"FROM ({rows}) AS v GROUP BY node, kind, lifecycle, state, bucket")
    return f"INSERT INTO value_tallies ({names}) {rows}"
