"""The benchmarks' bulk world is one `rectify verify` accepts, its rows agreeing with their events."""

from __future__ import annotations

from pathlib import Path

import pytest
from ledger_facts_support import facts_disagreeing
from sqlalchemy import func, select

from benchmarks.bulk import generate
from benchmarks.world import sqlite_target, start
from workflow.config import REPO_ROOT
from workflow.machine import next_state
from workflow.models import Event, Finding, FindingParty, Unit, User
from workflow.services.stats_args import StatsQuery
from workflow.services.stats_report import statistics, statistics_dict
from workflow.services.verify import verify_all
from workflow.spec import load_registry


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = Path(tmp_path_factory.mktemp("bulk"))
    with sqlite_target(folder) as target:
        app = start(target, folder, load_registry(REPO_ROOT / "definitions"))
        yield app, generate(app, 200, units=300)
        app.database.dispose()


def test_verify_finds_nothing_wrong(world) -> None:  # type: ignore[no-untyped-def]
    app, generated = world
    with app.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Finding)) == 200
        assert uow.session.scalar(select(func.count()).select_from(Event)) == generated.events
        assert list(verify_all(uow.session)) == []


def test_every_lifecycle_and_state_the_walks_reach_is_there(world) -> None:  # type: ignore[no-untyped-def]
    app, generated = world
    lifecycles = {name for name, _state in generated.by_state}
    assert lifecycles == {lc.name for lc in app.registry.latest()}
    assert {"escalated", "coordinating", "waived", "withdrawn", "closed", "implemented"} <= {
        state for _name, state in generated.by_state}


def test_each_row_is_where_its_events_lead(world) -> None:  # type: ignore[no-untyped-def]
    """Every event is a transition of the definition from the state before; the row's state,
    openness, head and version follow from the last one."""
    app, _generated = world
    with app.unit_of_work(write=False) as uow:
        for finding in uow.session.scalars(select(Finding)):
            lifecycle = app.registry.get(finding.lifecycle, finding.lifecycle_version)
            events = list(uow.session.scalars(select(Event).where(Event.finding_id == finding.id)
                                              .order_by(Event.seq)))
            state, reworks, rectified = lifecycle.initial, 0, None
            for event in events[1:]:
                assert event.from_state == state
                spec = lifecycle.transition(state, event.trigger)
                assert spec is not None
                effects = {effect.name for effect in spec.effects}
                reworks += "count_rework" in effects
                rectified = None if "count_rework" in effects else rectified  # as fire() clears it
                rectified = event.created_at if "record_rectified_at" in effects else rectified
                state = next_state(lifecycle.machine, state, event.trigger)
                assert event.to_state == state
            assert (finding.rework_rounds, finding.rectified_at) == (reworks, rectified)
            assert (finding.state, finding.last_seq) == (state, len(events))
            assert finding.is_open is not lifecycle.is_final(state)
            assert (finding.closed_at is None) is finding.is_open
            assert finding.created_at == events[0].created_at <= events[-1].created_at
            assert facts_disagreeing(uow, finding.id) == []  # the facts the export reads


def test_the_facts_of_the_history_are_kept_on_the_rows(world) -> None:  # type: ignore[no-untyped-def]
    """Not left empty: measures, several due-date changes and last actions are written."""
    app, _generated = world
    with app.unit_of_work(write=False) as uow:
        findings = list(uow.session.execute(select(*(getattr(Finding, name) for name in (
            "last_action_trigger", "last_action_by_id", "measures_reported", "due_changes")))))
    assert all(trigger and actor for trigger, actor, _measures, _due in findings)
    assert sum(bool(measures) for _trigger, _actor, measures, _due in findings) > 20
    assert sum(due.count("],[") >= 1 for _trigger, _actor, _measures, due in findings) > 5


def test_the_tree_paths_and_parties_hold(world) -> None:  # type: ignore[no-untyped-def]
    app, _generated = world
    with app.unit_of_work(write=False) as uow:
        units = {u.id: u for u in uow.session.scalars(select(Unit))}
        for unit in units.values():
            parent = units[unit.parent_id].path if unit.parent_id else "/"
            assert unit.path == f"{parent}{unit.id}/"
        assert len(units) >= 250
        assert uow.session.scalar(select(func.count()).select_from(FindingParty)) > 0


def test_the_stored_statistics_facts_answer_as_the_events_do(world) -> None:  # type: ignore[no-untyped-def]
    """The generator keeps the facts the live statistics read (services.stats_facts) and the
    rows where their events lead: live, every statistic equals the one read from the events as
    of the same moment (a rework clears the report, as fire() does)."""
    app, generated = world
    tree = generated.tree
    with app.unit_of_work(write=False) as uow:  # the province commission's supervisor
        actor = uow.session.get_one(User, tree.person(tree.root, "supervisor"))
        now = uow.now()
        found = [statistics_dict(statistics(uow.session, actor, uow.registry,
                                            StatsQuery(as_of=as_of, zone=uow.zone), now))
                 for as_of in (None, now)]
    assert found[0]["days_to_rectify"]["count"] > 10 and found[0]["time_in_states"]
    assert found[0]["totals"]["rectified"] > 0 and found[0]["by_unit"]
    assert found[0] == found[1]  # every figure: the rows are where their events lead
