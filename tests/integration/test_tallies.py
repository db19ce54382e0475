"""The statistics and the dashboard counted from the tallies (services.stats_tallied, kept by the
triggers of workflow.tally_sql and services.tallies) equal the same counted from the findings, on
scrambled random worlds, for several actors and focuses: kept by the triggers as the world was
written, moved to later days, merged, rebuilt after a unit moved; on both backends."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, update
from stats_world_support import scrambled_world

from tests.conftest import BACKENDS
from workflow.cli import engine
from workflow.models import Finding, FindingTally, TallyChange, TallyClock, TallyState, Unit, User
from workflow.runtime import Rectify
from workflow.services import tallies as tallies_module
from workflow.services.directory import create_unit
from workflow.services.stats import dashboard
from workflow.services.stats_args import parse_stats_args
from workflow.services.stats_report import statistics, statistics_dict
from workflow.services.stats_tallied import tallied_scope
from workflow.services.tallies import TallyReport, keep_tallies, merge
from workflow.services.tick import tick
from workflow.services.unit_move import move_unit, preview_move

Flow = Any  # the `flow` fixture from tests/conftest.py
POSTGRES = [b for b in BACKENDS if not isinstance(b, str)]
SHIFTS = (0, 1, 20, 90)  # days after the world's today: deadlines pass, lights turn


def _keep(rectify: Rectify, today: date, cutoff: date) -> TallyReport:
    with rectify.unit_of_work() as uow:
        report = keep_tallies(uow.session, today, cutoff, uow.zone, uow.registry)
        uow.commit()
    return report


def _counted_both_ways(rectify: Rectify, actor: User, args: dict[str, Any], now: datetime,
                       cutoff: date) -> tuple[Any, Any]:
    """(statistics, focus, board) from the tallies, then the same from the findings (the clock
    unset for the second count, in a transaction rolled back)."""
    with rectify.unit_of_work() as uow:
        session, registry = uow.session, uow.registry
        actor = session.get_one(User, actor.id)
        today = now.astimezone(uow.zone).date()
        focus = session.get(Unit, args["unit"]) if "unit" in args else None
        assert tallied_scope(session, actor, focus, today, cutoff,
                             uow.zone) is not None  # the tallies are what is read
        counts = []
        for _way in ("tallies", "findings"):
            query = parse_stats_args(args, registry, now, uow.zone)
            stats = statistics(session, actor, registry, query, now, cutoff)
            board = dashboard(session, actor, today, registry, None, args.get("unit"), cutoff)
            counts.append((statistics_dict(stats), stats.focus and stats.focus.id,
                           _board(stats.board), _board(board)))
            session.execute(update(TallyClock).values(day=None))
        assert tallied_scope(session, actor, focus, today, cutoff) is None
    return counts[0], counts[1]


def _board(board: Any) -> Any:
    """A dashboard as plain data (its units by id)."""
    return None if board is None else (
        board.totals, board.by_state, [(u.id, n) for u, n in board.by_unit], board.by_category,
        board.focus and board.focus.id, board.lights, board.red_levels)


def _every_view(flow: Flow, rectify: Rectify, now: datetime, cutoff: date) -> dict[str, int]:
    """Each actor's statistics and dashboard, whole and focused, counted both ways; the
    commission supervisor's lights (so that a test knows what it counted)."""
    org = flow.org
    views = [(org.supervisor, {}), (org.supervisor, {"unit": org.group_a.id}),
             (org.admin, {}), (org.admin, {"unit": org.inspection_body.id, "bucket": "week"}),
             (org.inspector, {}), (org.reviewer, {"unit": org.sub_b1.id})]
    lights: dict[str, int] = {}
    for actor, args in views:
        tallied, counted = _counted_both_ways(rectify, actor, args, now, cutoff)
        assert tallied == counted, (actor.username, args)
        if actor is org.supervisor and not args:
            lights, figures = tallied[3][5], tallied[0]
            assert figures["totals"]["raised"] > 10 and len(figures["by_unit"]) > 1
            assert figures["days_to_rectify"]["count"] and figures["days_to_confirm"]["count"]
            assert figures["time_in_states"] and sum(figures["trends"]["raised"].values())
    return lights


def _world(flow: Flow, rectify: Rectify, seed: int) -> None:
    """A scrambled random world, with findings of the subsidiaries too (rows split deeper), a
    third of them reported on their due date (on time, at the edge)."""
    for unit in (flow.org.sub_a1, flow.org.sub_a2, flow.org.sub_b1, flow.org.sub_b1):
        flow.raise_(unit=unit.id)
    scrambled_world(flow, rectify, seed)
    with rectify.unit_of_work() as uow:
        uow.session.execute(update(Finding).where(Finding.id % 3 == 0, Finding.due_date.is_not(None))
                            .values(rectified_on=Finding.due_date))
        uow.commit()


@pytest.mark.parametrize("seed", [3, 8])
def test_the_tallies_kept_by_every_write_count_what_the_findings_count(
        flow: Flow, rectify: Rectify, seed: int) -> None:
    start = rectify.clock()
    today = start.astimezone(rectify.zone).date()
    assert _keep(rectify, today, today + timedelta(days=7)).built  # built empty, then kept
    _world(flow, rectify, seed)
    lit: dict[str, int] = {}
    for shift in SHIFTS:  # the clock moved on by the world: each day's tallies advanced
        now = rectify.clock() + timedelta(days=shift)
        day = now.astimezone(rectify.zone).date()
        report = _keep(rectify, day, day + timedelta(days=7 + shift % 3))
        assert report.advanced and not report.built
        for colour, n in _every_view(flow, rectify, now, day + timedelta(days=7 + shift % 3)
                                     ).items():
            lit[colour] = lit.get(colour, 0) + n
        _rewrite_some(rectify, shift)  # the log not moved in yet: read beside the tallies
        with rectify.unit_of_work(write=False) as uow:
            assert uow.session.scalar(select(func.count()).select_from(TallyChange))
        _every_view(flow, rectify, now, day + timedelta(days=7 + shift % 3))
    assert all(lit.values()) and len(lit) == 3  # every light counted on some day


def _rewrite_some(rectify: Rectify, shift: int) -> None:
    """Some findings moved to another unit, closed, sent back, given other deadlines."""
    with rectify.unit_of_work() as uow:
        ids = uow.session.scalars(select(Finding.id).order_by(Finding.id)).all()[shift % 4::5]
        units = uow.session.scalars(select(Unit.id).order_by(Unit.id)).all()
        today = uow.today()
        for at, fid in enumerate(ids):
            uow.session.execute(update(Finding).where(Finding.id == fid).values(
                unit_id=units[at % len(units)], is_open=at % 2 == 0,
                due_date=today + timedelta(days=shift + at % 9 - 3), rectified_at=None,
                rework_rounds=Finding.rework_rounds + at % 2))
        uow.commit()


def test_a_merge_and_a_rebuild_leave_the_counts_as_they_were(flow: Flow,
                                                              rectify: Rectify) -> None:
    now = rectify.clock()
    today = now.astimezone(rectify.zone).date()
    _keep(rectify, today, today + timedelta(days=5))
    _world(flow, rectify, 11)
    now = rectify.clock()
    today = now.astimezone(rectify.zone).date()
    _keep(rectify, today, today + timedelta(days=5))
    with rectify.unit_of_work() as uow:
        before = uow.session.scalar(select(func.count()).select_from(FindingTally))
        kept = merge(uow.session)
        uow.commit()
    assert kept < before / 2  # every +1/-1 pair of a change gone
    _every_view(flow, rectify, now, today + timedelta(days=5))
    with rectify.unit_of_work() as uow:
        merged = _tally_rows(uow.session)
        uow.session.execute(update(TallyClock).values(day=None))  # as a moved unit does
        uow.commit()
    assert _keep(rectify, today, today + timedelta(days=5)).built
    with rectify.unit_of_work() as uow:
        assert _tally_rows(uow.session) == merged  # rebuilt from the findings: the same rows


def _tally_rows(session: Any) -> list[tuple[Any, ...]]:
    keys = [c for c in FindingTally.__table__.c if c.name != "id"]
    return sorted((tuple(row) for row in session.execute(select(*keys))), key=repr)


def test_a_moved_unit_unsets_the_clock_and_the_tick_rebuilds(flow: Flow,
                                                              rectify: Rectify) -> None:
    org = flow.org
    _world(flow, rectify, 5)
    now = rectify.clock()
    report = tick(rectify, now)
    assert report.tallies.built and "tallies: rebuilt" in str(report)
    with rectify.unit_of_work() as uow:  # a unit without findings moves: nothing to recount
        empty = create_unit(uow.session, "GA-9", "甲九公司", "Subsidiary A9", "subsidiary",
                            uow.session.get_one(Unit, org.group_a.id))
        uow.commit()
        empty_id = empty.id
    _move(rectify, org.admin.id, empty_id, org.group_b.id)
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(TallyClock.day)) is not None
    with rectify.unit_of_work() as uow:
        unit, admin = uow.session.get_one(Unit, org.sub_a1.id), uow.session.get_one(User,
                                                                                    org.admin.id)
        preview = preview_move(uow.session, admin, unit, org.group_b.id)
        move_unit(uow, admin, unit, {"parent_id": org.group_b.id,
                                     "fingerprint": preview.fingerprint})
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(TallyClock.day)) is None  # the findings counted now
    assert tick(rectify, now).tallies.built
    today = now.astimezone(rectify.zone).date()
    with rectify.unit_of_work() as uow:
        cutoff = uow.session.scalar(select(TallyClock.cutoff))
    assert cutoff is not None and cutoff >= today
    _every_view(flow, rectify, now, cutoff)  # sub_a1's findings now counted under group_b
    assert str(tick(rectify, now).tallies) == "tallies: up to date"


def test_the_stats_command_checks_the_tallies_against_the_findings(
        flow: Flow, rectify: Rectify, database_url: str, tmp_path: Any) -> None:
    _world(flow, rectify, 2)
    env = {"RECTIFY_DATABASE_URL": database_url, "RECTIFY_INSTANCE_PATH": str(tmp_path / "cli")}
    check = ["stats", "--check-tallies"]
    unbuilt = CliRunner().invoke(engine, check, env=env)
    assert unbuilt.exit_code == 1 and "rectify tick" in unbuilt.output
    assert "tallies: rebuilt" in CliRunner().invoke(engine, ["tick"], env=env).output
    agreed = CliRunner().invoke(engine, check, env=env)
    assert agreed.exit_code == 0, agreed.output
    assert "agree with the findings for 3 scope(s): (all), COMM, IB" in agreed.output
    with rectify.unit_of_work() as uow:  # one tally row off by one, at the body's level
        body = flow.org.inspection_body.id
        uow.session.execute(update(FindingTally).where(FindingTally.id == select(
            func.min(FindingTally.id)).where(FindingTally.node == body, FindingTally.dim == "unit")
            .scalar_subquery()).values(n=FindingTally.n + 1))
        uow.commit()
    differed = CliRunner().invoke(engine, check, env=env)
    assert differed.exit_code == 1 and "differ from the findings for: " in differed.output
    assert "COMM" in differed.output  # the body is one of the commission's rows


def _move(rectify: Rectify, admin_id: int, unit_id: int, parent_id: int) -> None:
    with rectify.unit_of_work() as uow:
        unit, admin = uow.session.get_one(Unit, unit_id), uow.session.get_one(User, admin_id)
        preview = preview_move(uow.session, admin, unit, parent_id)
        move_unit(uow, admin, unit, {"parent_id": parent_id, "fingerprint": preview.fingerprint})


def test_a_state_counted_otherwise_than_the_definitions_say_is_rebuilt(flow: Flow,
                                                                        rectify: Rectify) -> None:
    _world(flow, rectify, 13)
    now = rectify.clock()
    today = now.astimezone(rectify.zone).date()
    assert _keep(rectify, today, today).built
    with rectify.unit_of_work() as uow:  # as if the classes had been written by another rule
        uow.session.execute(update(TallyState).where(TallyState.state == "closed")
                            .values(confirmed=0))
        uow.commit()
    assert _keep(rectify, today, today).built  # written again, every value counted again
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.min(TallyState.confirmed))
                                  .where(TallyState.state == "closed")) == 1
    _every_view(flow, rectify, now, today)
    assert not _keep(rectify, today, today).built


@pytest.mark.parametrize("backend", POSTGRES, indirect=True)
def test_a_tick_leaves_the_tallies_to_the_next_while_a_write_holds_their_lock(
        flow: Flow, rectify: Rectify) -> None:
    now = rectify.clock()
    assert tick(rectify, now).tallies.built
    flow.raise_()
    later = now + timedelta(days=1)  # a new day: the tallies must move, alone
    with rectify.unit_of_work() as uow:  # a write in flight: its trigger holds the shared lock
        uow.session.execute(update(Finding).values(rework_rounds=Finding.rework_rounds + 1))
        busy = tick(rectify, later)
        assert busy.tallies.busy and "busy, left to the next tick" in str(busy)
        uow.commit()
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(TallyClock.day)) == now.astimezone(rectify.zone).date()
    moved = tick(rectify, later)
    assert moved.tallies.advanced and not moved.tallies.busy


def test_the_tick_merges_once_the_rows_added_outgrow_those_the_last_merge_left(
        flow: Flow, rectify: Rectify, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tallies_module, "MERGE_AT", 10)
    now = rectify.clock()
    today = now.astimezone(rectify.zone).date()
    _keep(rectify, today, today)  # built empty: nothing to merge
    _world(flow, rectify, 4)
    now = rectify.clock()
    today = now.astimezone(rectify.zone).date()
    merged = _keep(rectify, today, today)
    with rectify.unit_of_work(write=False) as uow:
        rows = uow.session.scalar(select(func.count()).select_from(FindingTally))
        clock = uow.session.get_one(TallyClock, 1)
        assert merged.merged > rows == clock.merged_rows  # the +1/-1 pairs summed away
        assert clock.merged_top == uow.session.scalar(select(func.max(FindingTally.id)))
    assert not _keep(rectify, today, today).merged  # nothing added since
    with rectify.unit_of_work() as uow:  # one change: far fewer rows than the merge left
        first = uow.session.scalar(select(func.min(Finding.id)))
        uow.session.execute(update(Finding).where(Finding.id == first)
                            .values(rework_rounds=Finding.rework_rounds + 1))
        uow.commit()
    kept = _keep(rectify, today, today)
    assert kept.moved == 2 and not kept.merged
    _every_view(flow, rectify, now, today)
