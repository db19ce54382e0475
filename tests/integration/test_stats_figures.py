"""Statistics that match the reports: problems apart from suggestions, durations from events,
first-pass acceptance, inspections by mode, trend buckets."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from click.testing import CliRunner

from workflow.cli import engine
from workflow.models import Unit
from workflow.runtime import Rectify
from workflow.services.directory import create_inspection
from workflow.services.stats_args import parse_stats_args
from workflow.services.stats_report import Statistics, statistics

Flow = Any  # the `flow` fixture from tests/conftest.py
CLOSE = ("assign", "report_rectification", "revisit", "confirm")


def _stats(rectify: Rectify, actor: Any, **args: Any) -> Statistics:
    with rectify.unit_of_work(write=False) as uow:
        query = parse_stats_args(args, uow.registry, uow.now(), uow.zone)
        return statistics(uow.session, actor, uow.registry, query, uow.now())


def test_an_implemented_suggestion_is_not_a_confirmed_problem(flow: Flow, rectify: Rectify) -> None:
    org = flow.org
    flow.drive(flow.raise_().id, *CLOSE)
    flow.raise_(unit=org.group_b.id)  # an open problem
    idea = flow.raise_("suggestion", by=org.supervisor, unit=org.group_b.id)
    flow.drive(idea.id, "adopt", "report_implementation")
    flow.raise_("suggestion", by=org.supervisor, unit=org.group_b.id)  # still proposed
    totals = _stats(rectify, org.supervisor).totals
    assert (totals.raised, totals.confirmed, totals.open) == (2, 1, 1)
    assert totals.rectification_rate == 0.5  # the implemented suggestion would make it 2/3
    assert (totals.proposed, totals.adopted, totals.implemented) == (2, 1, 1)
    assert totals.adoption_rate == 0.5


def test_days_to_rectify_and_confirm_from_the_clock(flow: Flow, rectify: Rectify) -> None:
    for days in (1, 2, 10):
        fid = flow.raise_().id
        flow.drive(fid, "assign")
        rectify.clock.advance(days=days)
        flow.drive(fid, "report_rectification", "revisit")
        rectify.clock.advance(days=1)
        flow.drive(fid, "confirm")
    events = _stats(rectify, flow.org.supervisor).events
    assert events.to_rectify.count == 3
    # raised at t, reported at t + days (the later findings were raised after the earlier ones)
    assert events.to_rectify.mean == round((1 + 2 + 10) / 3, 2)
    assert events.to_rectify.p90 == 10
    assert events.to_confirm.mean == round((2 + 3 + 11) / 3, 2)
    assert events.to_confirm.p90 == 11
    waiting = events.dwell[("standard", "assigned")]
    assert (waiting.findings, round(waiting.days, 2)) == (3, 13)


def test_first_pass_rate_counts_confirmations_without_rework(flow: Flow, rectify: Rectify) -> None:
    flow.drive(flow.raise_().id, *CLOSE)
    reworked = flow.raise_().id
    flow.drive(reworked, "assign", "report_rectification", "revisit", "reject",
               "report_rectification", "revisit", "confirm")
    totals = _stats(rectify, flow.org.supervisor).totals
    assert (totals.confirmed, totals.first_pass, totals.reworked) == (2, 1, 1)
    assert totals.first_pass_rate == 0.5 and totals.rework_rounds == 1


def test_inspections_by_mode_within_the_period(flow: Flow, rectify: Rectify) -> None:
    org = flow.org
    with rectify.unit_of_work() as uow:
        for unit, day, method in ((org.group_a, 3, "onsite"), (org.group_a, 5, "unannounced"),
                                  (org.group_b, 9, "unannounced"), (org.group_b, 12, "embedded"),
                                  (org.group_b, 20, "online")):
            create_inspection(uow.session, uow.session.get(Unit, unit.id),
                              date(2026, 2, day), method)
        uow.commit()
    made = _stats(rectify, org.supervisor, **{"from": "2026-02-04", "to": "2026-02-19"}).inspections
    assert (made.made, made.units) == (3, 2)
    assert made.by_mode == {"onsite": 0, "unannounced": 2, "online": 0, "embedded": 1}


def test_trends_count_raised_problems_by_week(flow: Flow, rectify: Rectify) -> None:
    flow.raise_()  # Monday 2 March 2026
    rectify.clock.advance(days=6)
    flow.raise_()  # Sunday 8 March: the same week
    rectify.clock.advance(days=1)
    flow.raise_()  # Monday 9 March: the next one
    stats = _stats(rectify, flow.org.supervisor, bucket="week", **{"from": "2026-02-25"})
    assert stats.trends["raised"] == {"2026-02-23": 0, "2026-03-02": 2, "2026-03-09": 1}


def test_as_of_a_past_moment_the_figures_stood_as_then(flow: Flow, rectify: Rectify) -> None:
    fid = flow.raise_().id
    flow.drive(fid, "assign", "report_rectification", "revisit")
    rectify.clock.advance(days=3)
    before = rectify.clock()
    rectify.clock.advance(days=1)
    flow.drive(fid, "confirm")
    flow.raise_()  # raised after the moment: not there yet
    then = _stats(rectify, flow.org.supervisor, as_of=before.isoformat())
    assert (then.totals.raised, then.totals.confirmed, then.totals.rectified) == (1, 0, 1)
    assert then.events.to_confirm.count == 0 and then.events.to_rectify.count == 1
    now = _stats(rectify, flow.org.supervisor)
    assert (now.totals.raised, now.totals.confirmed) == (2, 1)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_stats_command_prints_the_same_figures(flow: Flow, database_url: str,
                                                   tmp_path: Any) -> None:
    flow.drive(flow.raise_().id, *CLOSE)
    flow.raise_("suggestion", by=flow.org.supervisor)
    env = {"RECTIFY_DATABASE_URL": database_url, "RECTIFY_INSTANCE_PATH": str(tmp_path / "cli")}
    result = CliRunner().invoke(engine, ["stats", "--unit", "GA", "--bucket", "week"], env=env)
    assert result.exit_code == 0, result.output
    totals = json.loads(result.output)["totals"]
    assert (totals["raised"], totals["confirmed"], totals["proposed"]) == (1, 1, 1)
    refused = CliRunner().invoke(engine, ["stats", "--from", "2026-02-30"], env=env)
    assert refused.exit_code != 0 and "from" in refused.output


def test_as_of_before_a_reassignment_the_figures_count_the_old_unit(
        flow: Flow, rectify: Rectify) -> None:
    """The statistics as of a moment count a finding under its unit then, for the subtree filter
    and the per-unit rows, and in the state it had then."""
    org = flow.org
    b = flow.raise_().id  # at group A
    flow.fire(b, "assign")
    rectify.clock.advance(minutes=1)
    before = rectify.clock().isoformat()
    rectify.clock.advance(minutes=1)
    flow.drive(b, "reassign", "report_rectification")  # now group B's, reported rectified
    then = _stats(rectify, org.admin, unit=org.group_a.id, as_of=before)
    now = _stats(rectify, org.admin, unit=org.group_a.id)
    assert (then.totals.raised, then.totals.rectified) == (1, 0)
    assert now.totals.raised == 0
    assert _stats(rectify, org.admin, unit=org.group_b.id, as_of=before).totals.raised == 0
