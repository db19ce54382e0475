"""The live statistics read facts stored on the findings (services.stats_facts), not events: on
random worlds they equal the figures read from the events (the as-of path, the oracle), and a
database upgraded to them (the 0010 back-fill) holds the same facts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from db_support import rectify_with_unrecorded_report
from sqlalchemy import select
from stats_world_support import random_world

from workflow.models import Finding
from workflow.runtime import Rectify
from workflow.services.migrate import migrate_findings
from workflow.services.stats_args import parse_stats_args
from workflow.services.stats_events import event_figures
from workflow.services.stats_facts import FACTS
from workflow.services.stats_kinds import outcomes_of
from workflow.services.stats_report import statistics, statistics_dict, trend_period
from workflow.services.stats_source import findings_source
from workflow.services.stats_stored import stored_figures
from workflow.services.stats_trends import local_days

Flow = Any  # the `flow` fixture from tests/conftest.py


def _stats(rectify: Rectify, actor: Any, **args: Any) -> dict[str, Any]:
    with rectify.unit_of_work(write=False) as uow:
        query = parse_stats_args(args, uow.registry, uow.now(), uow.zone)
        return statistics_dict(statistics(uow.session, actor, uow.registry, query, uow.now()))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_live_statistics_equal_the_events_figures(flow: Flow, rectify: Rectify, seed: int) -> None:
    random_world(flow, rectify, seed)
    actor = flow.org.supervisor
    with rectify.unit_of_work(write=False) as uow:
        now, registry = uow.now(), uow.registry
        query = parse_stats_args({"bucket": "week"}, registry, now, uow.zone)
        source = findings_source(uow.session, actor, registry, query)
        outcomes = outcomes_of(registry)
        start, end = trend_period(query, now.astimezone(uow.zone).date())
        oracle = event_figures(uow.session, source, registry, outcomes, now)
        live, days = stored_figures(uow.session, source, registry, outcomes, now, uow.zone,
                                    start, end)
    assert oracle.to_rectify.count >= 3 and oracle.to_confirm.count > 0  # the world has them
    assert (live.to_rectify, live.to_confirm) == (oracle.to_rectify, oracle.to_confirm)
    assert live.dwell == oracle.dwell
    assert any(d.findings > 1 for d in live.dwell.values())
    for name, moments in (("rectified", oracle.rectified_at), ("confirmed", oracle.confirmed_at)):
        expected = Counter(d for d in local_days(moments, uow.zone) if start <= d <= end)
        assert Counter({d: n for d, n in days[name].items() if start <= d <= end}) == expected
    # the whole statistics, live and as of this very moment (every figure from the events)
    with rectify.unit_of_work(write=False) as uow:
        moment = uow.now().isoformat()
    for args in ({}, {"bucket": "week"}, {"unit": str(flow.org.group_b.id)}):
        assert _stats(rectify, actor, **args) == _stats(rectify, actor, as_of=moment, **args)


def test_the_upgrade_back_fills_the_same_facts(flow: Flow, rectify: Rectify) -> None:
    random_world(flow, rectify, seed=5, findings=12)
    columns = [getattr(Finding, name) for name in FACTS]
    with rectify.unit_of_work(write=False) as uow:
        kept = uow.session.execute(select(Finding.id, *columns).order_by(Finding.id)).all()
    assert any(row.reports_us and len(row.reports_us) > 1 for row in kept)  # a rework
    rectify.database.downgrade("0009_search")
    rectify.database.upgrade()
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.execute(select(Finding.id, *columns).order_by(Finding.id)).all() == kept


def test_a_migrated_finding_s_events_mean_what_its_new_version_says(
        flow_v1: Flow, rectify: Rectify, tmp_path: Path) -> None:
    """A version whose report no longer records the rectification: after 'migrate' the finding's
    earlier report counts no more, live as in the events (the facts are replayed)."""
    migrating = rectify_with_unrecorded_report(rectify, tmp_path / "defs")
    try:
        for _ in range(2):
            flow_v1.drive(flow_v1.raise_().id, "assign", "report_rectification")
        rectify.clock.advance(days=2)
        with migrating.unit_of_work() as uow:  # both move; the stats see v2 for both
            assert migrate_findings(uow, flow_v1.org.admin, "standard", 1, 2, {}) == 2
        rectify.clock.advance(days=1)
        actor = flow_v1.org.supervisor
        live = _stats(migrating, actor)
        assert live == _stats(migrating, actor, as_of=_now(migrating))
        assert live["days_to_rectify"]["count"] == 0  # neither report counts in v2
    finally:
        migrating.database.dispose()


def _now(rectify: Rectify) -> str:
    with rectify.unit_of_work(write=False) as uow:
        return uow.now().isoformat()
