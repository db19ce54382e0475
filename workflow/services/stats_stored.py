"""The live statistics' durations, stays and report moments from the facts stored on the findings
(services.stats_facts), in SQL over the findings source: no event is read. The same figures as
services.stats_events.event_figures up to now (the as-of path, and the tests' oracle)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Subquery, and_, case, cast, func, select, true
from sqlalchemy.orm import Session

from workflow.services.stats_days import day_counts, period_bounds
from workflow.services.stats_events import Dwell, EventFigures, Spread, quantized
from workflow.services.stats_facts import micros
from workflow.services.stats_kinds import Outcomes, in_states, stage_clause
from workflow.spec import Registry


def stored_figures(session: Session, source: Subquery, registry: Registry, outcomes: Outcomes,
                   until: datetime, zone: ZoneInfo, start: date, end: date
                   ) -> tuple[EventFigures, dict[str, Counter[date]]]:
    """The figures (without the moment lists) and the rectified / confirmed trends' local days
    around start..end."""
    c = source.c
    counted = stage_clause("raised", outcomes, c)
    confirmed = and_(counted, in_states(c, outcomes.confirmed), c.confirmed_us.is_not(None))
    figures = EventFigures(
        to_rectify=_spread(session, c.reported_us - c.raised_us,
                           [counted, c.reported_us.is_not(None)]),
        to_confirm=_spread(session, c.confirmed_us - c.raised_us, [confirmed]),
        dwell=_dwell(session, source, registry, micros(until)))
    reports = _json_rows(session, c.reports_us, "value")
    lo = micros(period_bounds(zone, start, end)[0])
    days = {
        "rectified": day_counts(session, cast(reports.c.value, BigInteger),
                                [counted, c.reported_us >= lo], zone, start, end, in_micros=True,
                                select_from=source.join(reports, true())),
        "confirmed": day_counts(session, c.confirmed_us, [confirmed], zone, start, end,
                                in_micros=True)}
    return figures, days


def _spread(session: Session, micros_expr: Any, where: list[Any]) -> Spread:
    """Count, sum and the nearest-rank 90th percentile (stats_events.nearest_rank) in one pass."""
    ranked = select(micros_expr.label("us"), func.row_number().over(order_by=micros_expr).label("at"),
                    func.count().over().label("n")).where(*where).subquery()
    r = ranked.c
    count, total, p90 = session.execute(select(
        func.count(), func.sum(r.us),
        func.max(case((r.at == (9 * r.n + 9) // 10, r.us))))).one()
    return Spread(int(count), int(total or 0), None if p90 is None else quantized(int(p90)))


def _dwell(session: Session, source: Subquery, registry: Registry,
           until: int) -> dict[tuple[str, str], Dwell]:
    """Per (lifecycle, state): the ended stays and how many findings entered it (state_us), plus
    the current stays in states not final, up to `until`."""
    c = source.c
    stays = _json_rows(session, c.state_us, "key", "value")
    dwell: dict[tuple[str, str], Dwell] = {}
    for lifecycle, state, spent, findings in session.execute(
            select(c.lifecycle, stays.c.key, func.sum(cast(stays.c.value, BigInteger)),
                   func.count()).select_from(source.join(stays, true()))
            .group_by(c.lifecycle, stays.c.key)):
        dwell[(lifecycle, state)] = Dwell(int(spent or 0), int(findings))
    finals = tuple((lc.name, lc.version, s.name) for lc in registry.all() for s in lc.states
                   if s.final)
    open_stay = case((c.state_since_us < until, until - c.state_since_us), else_=0)
    for lifecycle, state, spent in session.execute(
            select(c.lifecycle, c.state, func.sum(open_stay))
            .where(~in_states(c, finals), c.state_since_us.is_not(None))
            .group_by(c.lifecycle, c.state)):
        dwell.setdefault((lifecycle, state), Dwell()).micros += int(spent or 0)
    return dwell


def _json_rows(session: Session, column: Any, *names: str) -> Any:
    """The elements of a JSON array (value) or object (key, value) column, as a table joined to
    its row (both backends treat a function in FROM as lateral)."""
    if session.get_bind().dialect.name == "postgresql":
        function = func.json_each_text if "key" in names else func.json_array_elements_text
        return function(column).table_valued(*names)
    return func.json_each(column).table_valued(*names)
