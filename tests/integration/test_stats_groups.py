"""The figures and the board added up per class of states (services.stats_groups) equal the
straightforward count, one conditional sum per figure with the states listed in the SQL
(stats_kinds.stage_clause and the dashboard's clauses), on random worlds, on both backends."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import and_, case, func, select
from stats_world_support import scrambled_world

from workflow.catalog import CATEGORIES
from workflow.models import Finding
from workflow.runtime import Rectify
from workflow.services.late import acknowledge_overdue_clause, review_overdue_clause
from workflow.services.ledger import COLOURS, level_clause, light_clause, overdue_clause
from workflow.services.light import today_cutoff
from workflow.services.scope import own_findings_clause
from workflow.services.stats import dashboard, top_level
from workflow.services.stats_args import StatsQuery, parse_stats_args
from workflow.services.stats_board import board_numbers
from workflow.services.stats_figures import Figures, figures_by_keys
from workflow.services.stats_groups import Meanings
from workflow.services.stats_kinds import (
    Outcomes,
    in_states,
    kind_clause,
    outcomes_of,
    overdue_of,
    stage_clause,
)
from workflow.services.stats_report import BREAKDOWNS, statistics, statistics_dict
from workflow.services.stats_source import findings_source

Flow = Any  # the `flow` fixture from tests/conftest.py
KEYS = ("unit_id", *BREAKDOWNS)
SHIFTS = (0, 20, 90)  # days after the world's today: more of it overdue, lights turning


def _count(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _figures_by(session: Any, source: Any, key: str, outcomes: Outcomes,
                today: date) -> dict[Any, Figures]:
    """One GROUP BY, a sum per figure of its stage_clause (the ledger's filter)."""
    c = source.c
    raised = stage_clause("raised", outcomes, c)
    stages = ("rectified", "confirmed", "on_time", "first_pass", "reworked", "recurring",
              "proposed", "adopted", "implemented", "declined")
    sums = [_count(raised), _count(and_(raised, c.is_open.is_(True))),
            _count(and_(raised, overdue_of(c, today))),
            _count(and_(raised, c.due_date.is_not(None), c.rectified_on.is_not(None))),
            func.sum(case((raised, c.rework_rounds), else_=0)),
            *[_count(stage_clause(stage, outcomes, c)) for stage in stages]]
    out = {}
    for value, raised_n, open_n, overdue, dated, rounds, *counts in session.execute(
            select(c[key], *sums).group_by(c[key]).order_by(c[key].is_(None), c[key])):
        out[value] = Figures(raised=int(raised_n), open=int(open_n), overdue=int(overdue),
                             due=int(dated) + int(overdue), rework_rounds=int(rounds or 0),
                             **{stage: int(n) for stage, n in zip(stages, counts, strict=True)})
    return out


@pytest.mark.parametrize("seed", [4, 5])
def test_figures_per_class_equal_one_sum_per_stage(flow: Flow, rectify: Rectify,
                                                   seed: int) -> None:
    scrambled_world(flow, rectify, seed)
    with rectify.unit_of_work(write=False) as uow:
        registry, session = uow.registry, uow.session
        outcomes = outcomes_of(registry)
        source = findings_source(session, flow.org.supervisor, registry, StatsQuery(zone=uow.zone))
        for shift in SHIFTS:
            today = uow.today() + timedelta(days=shift)
            got = figures_by_keys(session, source, KEYS, Meanings(registry, outcomes), today)
            for key in KEYS:
                expected = _figures_by(session, source, key, outcomes, today)
                assert list(got[key].items()) == list(expected.items()), (key, shift)
        totals = Figures()
        for figures in got["unit_id"].values():
            totals.add(figures)
    # the world has what the classes tell apart
    assert min(totals.raised, totals.confirmed, totals.rectified, totals.overdue,
               totals.reworked, totals.proposed, totals.adopted) > 0
    assert len(got["category"]) > 1 and totals.raised + totals.proposed < 32


def _board(session: Any, scope: list[Any], registry: Any, today: date,
           cutoff: date) -> tuple[Any, ...]:
    """The dashboard's numbers as separate queries with the states listed (before one pass)."""
    outcomes = outcomes_of(registry)
    problems = [*scope, kind_clause("problem", outcomes, Finding)]
    confirmed = in_states(Finding, outcomes.confirmed)
    counted = ~in_states(Finding, outcomes.excluded)
    dated = Finding.due_date.is_not(None) & Finding.rectified_on.is_not(None)
    numbers = [_count(counted), _count(counted & Finding.is_open.is_(True)),
               _count(counted & (Finding.rectified_on.is_not(None) | confirmed)),
               _count(confirmed), _count(overdue_clause(today)), func.sum(Finding.rework_rounds),
               _count(counted & dated), _count(counted & dated
                                               & (Finding.rectified_on <= Finding.due_date)),
               _count(review_overdue_clause(today)), _count(acknowledge_overdue_clause(today))]
    per_key = [{row[0]: [int(v or 0) for v in row[1:]] for row in session.execute(
        select(key, *numbers).where(*problems).group_by(key))}
        for key in (Finding.unit_id, Finding.category)]
    states = {(lc, st): n for lc, st, n in session.execute(
        select(Finding.lifecycle, Finding.state, func.count()).where(*scope)
        .group_by(Finding.lifecycle, Finding.state))}
    lit = [light_clause(c, today, cutoff) for c in COLOURS]
    lit += [level_clause(level, today) for level in range(2, top_level(registry) + 1)]
    lights = [int(n or 0) for n in session.execute(
        select(*[_count(condition) for condition in lit]).where(*scope)).one()]
    return per_key[0], per_key[1], states, lights


@pytest.mark.parametrize("seed", [6])
def test_the_board_per_class_equals_a_query_per_number(flow: Flow, rectify: Rectify,
                                                       seed: int) -> None:
    scrambled_world(flow, rectify, seed)
    with rectify.unit_of_work(write=False) as uow:
        registry, session = uow.registry, uow.session
        scope = [own_findings_clause(flow.org.supervisor)]
        for shift in SHIFTS:
            today = uow.today() + timedelta(days=shift)
            cutoff = today + timedelta(days=7)
            board = board_numbers(session, Finding.__table__, Finding, scope,
                                  Meanings(registry, outcomes_of(registry)), today, cutoff,
                                  top_level(registry))
            per_unit, per_category, states = board.per_unit, board.per_category, board.by_state
            lights, levels = board.lights, board.red_levels
            units, categories, by_state, lit = _board(session, scope, registry, today, cutoff)
            assert {k: list(n.__dict__.values()) for k, n in per_unit.items()} == units
            assert {k: list(n.__dict__.values()) for k, n in per_category.items()} == categories
            assert states == by_state
            assert list(lights.values()) == lit[:len(COLOURS)]
            at_least = [lit[COLOURS.index("red")], *lit[len(COLOURS):], 0]
            assert levels == {level: at_least[level - 1] - at_least[level]
                              for level in range(1, len(at_least))}
        assert len(units) == 2 and len(categories) > 1 and sum(lit) > 0


def test_the_board_counted_with_the_statistics_is_the_dashboard(flow: Flow,
                                                                 rectify: Rectify) -> None:
    scrambled_world(flow, rectify, 7)
    org, actor = flow.org, flow.org.supervisor
    with rectify.unit_of_work(write=False) as uow:
        cutoff = today_cutoff(uow) + timedelta(days=9)  # some yellow, some green
        for args in ({}, {"unit": org.group_b.id}, {"unit": org.group_a.id, "bucket": "week"}):
            query = parse_stats_args(args, uow.registry, uow.now(), uow.zone)
            stats = statistics(uow.session, actor, uow.registry, query, uow.now(), cutoff)
            alone = dashboard(uow.session, actor, uow.today(), uow.registry, None,
                              args.get("unit"), cutoff)
            assert stats.board == alone, args
            assert alone.lights["yellow"] + alone.lights["green"] > 0 and alone.totals.total
            # the statistics are the same with the board counted in their pass
            assert statistics_dict(stats) == statistics_dict(statistics(
                uow.session, actor, uow.registry, query, uow.now()))
        for args in ({"category": next(iter(CATEGORIES))}, {"from": "2020-01-01"},
                     {"as_of": uow.now().isoformat()}):
            query = parse_stats_args(args, uow.registry, uow.now(), uow.zone)
            assert statistics(uow.session, actor, uow.registry, query, uow.now(),
                              cutoff).board is None  # other findings than the board's
