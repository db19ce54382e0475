"""Statistics that match the reports: every figure over one findings source, with trends."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from workflow.errors import InvalidInput
from workflow.models import Unit, User
from workflow.services.permissions import require
from workflow.services.scope import focus_unit
from workflow.services.stats import board_of, roll_up, top_level
from workflow.services.stats_args import StatsQuery
from workflow.services.stats_board import BoardTally, Dashboard
from workflow.services.stats_days import days_by
from workflow.services.stats_events import EventFigures, event_figures
from workflow.services.stats_figures import Figures, FigureTally
from workflow.services.stats_groups import Meanings
from workflow.services.stats_inspections import InspectionFigures, inspection_figures
from workflow.services.stats_kinds import outcomes_of, stage_clause
from workflow.services.stats_source import findings_source, kept_rows
from workflow.services.stats_stored import stored_figures
from workflow.services.stats_tallied import TalliedScope, served, tallied_scope, tally_totals
from workflow.services.stats_tallied_values import tallied_values
from workflow.services.stats_trends import Series, bucket_of, local_days, series
from workflow.spec import Registry

BREAKDOWNS = ("campaign_id", "category", "raised_by_id", "lifecycle")


@dataclass
class Statistics:
    query: StatsQuery
    moment: datetime  # now, or the as-of moment
    totals: Figures
    focus: Unit | None
    by_unit: list[tuple[Unit, Figures]]
    by: dict[str, dict[Any, Figures]]  # BREAKDOWNS: per campaign, category, inspector, lifecycle
    events: EventFigures
    inspections: InspectionFigures
    trend_start: date
    trend_end: date
    trends: dict[str, Series] = field(default_factory=dict)
    board: Dashboard | None = None  # asked for with yellow_cutoff and board_shares(query)


def statistics(session: Session, actor: User, registry: Registry, query: StatsQuery,
               now: datetime, yellow_cutoff: date | None = None,
               tallies: bool = True) -> Statistics:
    """The statistics the actor may see (Forbidden without the dashboard), as of query.as_of
    when given (services.as_of.findings_as_of), else now. With yellow_cutoff (the dashboard
    page's), when the board counts the same findings (board_shares), stats.board is the
    dashboard (services.stats.dashboard for the query's unit and campaign, today being the
    statistics' day), counted in the same pass. With tallies (the default), what the kept
    tallies hold is read from them (services.stats_tallied); without, the findings are counted
    (services.tally_check compares both)."""
    require(actor, "dashboard")
    focus = focus_unit(session, actor, query.unit_id)  # never one outside the scope
    if query.as_of is not None and query.as_of > now:
        raise InvalidInput({"as_of": {"zh": "应为过去的时刻。", "en": "Enter a moment in the past."}})
    moment = query.as_of or now
    today = moment.astimezone(query.zone).date()
    with_board = yellow_cutoff is not None and board_shares(query)
    kept = (tallied_scope(session, actor, focus, today, yellow_cutoff if with_board else None,
                          query.zone) if tallies and served(query) else None)
    if kept is not None:  # the tallies, no finding read (services.stats_tallied)
        return _counted(session, actor, registry, query, None, moment, focus, yellow_cutoff,
                        kept)
    # every figure reads the same rows: on SQLite copied once (stats_source.kept_rows)
    with kept_rows(session, findings_source(session, actor, registry, query)) as source:
        return _counted(session, actor, registry, query, source, moment, focus, yellow_cutoff,
                        None)


def _counted(session: Session, actor: User, registry: Registry, query: StatsQuery, source: Any,
             moment: datetime, focus: Unit | None, yellow_cutoff: date | None,
             kept: TalliedScope | None) -> Statistics:
    """The figures per unit and per breakdown (and the board, in the same pass), the durations
    and the trends over source, or the tallies (kept)."""
    today = moment.astimezone(query.zone).date()
    outcomes = outcomes_of(registry)
    meanings = Meanings(registry, outcomes)
    with_board = yellow_cutoff is not None and board_shares(query)
    counted = source.c if kept is None else kept.source.c
    tallies: list[Any] = [FigureTally(counted, ("unit_id", *BREAKDOWNS), today)]
    if with_board:
        assert yellow_cutoff is not None
        tallies.append(BoardTally(counted, today, yellow_cutoff, top_level(registry)))
    if kept is None:
        tallied = meanings.tally(session, source, source.c, tallies)
    else:  # the kept counts (services.stats_tallied), below the focus the roll-up would take
        tallied, focus = tally_totals(session, meanings, kept, tallies), kept.focus
    board = None if len(tallies) == 1 else board_of(session, actor, tallies[1].read(tallied[1]),
                                                      focus)
    figures = tallies[0].read(tallied[0])
    per_unit = figures.pop("unit_id")
    totals = Figures()
    for counted_unit in per_unit.values():
        totals.add(counted_unit)
    focus, rows = roll_up(session, actor, per_unit, focus, Figures)
    inspections = inspection_figures(session, actor, query, today)
    start, end = trend_period(query, today)
    if kept is not None:
        events, days = tallied_values(session, registry, kept.focus.id, moment, query.zone,
                                      start, end)
    elif query.as_of is None:  # the facts stored on the findings, no event read
        events, days = stored_figures(session, source, registry, outcomes, moment, query.zone,
                                      start, end)
    else:
        events = event_figures(session, source, registry, outcomes, moment)
        days = {"rectified": Counter(local_days(events.rectified_at, query.zone)),
                "confirmed": Counter(local_days(events.confirmed_at, query.zone))}
    stats = Statistics(query, moment, totals, focus, rows, figures, events, inspections, start,
                       end, board=board)
    if kept is None:
        days.update(days_by(session, source.c.created_at,
                            {name: stage_clause(name, outcomes, source.c)
                             for name in ("raised", "proposed")}, query.zone, start, end))
    days["inspections"] = Counter(inspections.dates)
    for name in ("raised", "rectified", "confirmed", "proposed", "inspections"):
        stats.trends[name] = series(days[name], start, end, query.bucket)
    return stats


def board_shares(query: StatsQuery) -> bool:
    """The dashboard's board counts the statistics' findings: live, filtered by unit and
    campaign only (the board has no other filter)."""
    return query.as_of is None and all(value is None for value in (
        query.category, query.raised_by, query.lifecycle, query.start, query.end))


def trend_period(query: StatsQuery, today: date) -> tuple[date, date]:
    """The chosen period, or the twelve weeks or months up to today (the period's end)."""
    end = query.end or today
    if query.start is not None:
        return query.start, end
    if query.bucket == "week":
        return bucket_of(end, "week") - timedelta(weeks=11), end
    first = bucket_of(end, "month")
    for _month in range(11):
        first = bucket_of(first - timedelta(days=1), "month")
    return first, end


def statistics_dict(stats: Statistics) -> dict[str, Any]:
    """The statistics as plain data (the API adds display names; `rectify stats` prints it)."""
    return {
        "moment": stats.moment, "totals": stats.totals.as_dict(),
        "by_unit": [dict(n.as_dict(), key=u.id) for u, n in stats.by_unit],
        "by": {key: [dict(n.as_dict(), key=k) for k, n in stats.by[key].items()]
               for key in BREAKDOWNS},
        "days_to_rectify": stats.events.to_rectify.as_dict(),
        "days_to_confirm": stats.events.to_confirm.as_dict(),
        "inspections": stats.inspections.as_dict(),
        "time_in_states": [{"lifecycle": lc, "state": st, "days": round(d.days, 2),
                            "findings": d.findings, "mean": d.mean}
                           for (lc, st), d in sorted(stats.events.dwell.items())],
        "trends": stats.trends,
    }
