"""`tick` climbs the escalation ladder: each step once, in order, on its day, recorded as an event
by the system user, its audiences told; late or repeated ticks change nothing of that."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from typing import Any

from click.testing import CliRunner
from ledger_facts_support import facts_disagreeing
from sqlalchemy import event as sa_event
from sqlalchemy import select, update

from workflow.cli import engine
from workflow.models import Event, Finding, Notification, User
from workflow.services import tick as tick_module
from workflow.services import verify_all
from workflow.services.clocks import DueStep, pending_steps
from workflow.services.firing import lifecycle_of
from workflow.services.system import USERNAME
from workflow.services.tick import TickReport, tick

Flow = Any  # the `flow` fixture from tests/conftest.py

RECTIFY_STEPS = ["due_soon", "due_today", "overdue_7", "overdue_14"]


def at(flow: Flow, day: date) -> TickReport:
    """Move the fake clock to 09:00 local on `day` and run one tick."""
    flow.app.clock.set(datetime.combine(day, time(9), flow.app.zone).astimezone(UTC))
    return tick(flow.app)


def pending(flow: Flow, finding_id: int) -> list[DueStep]:
    with flow.app.unit_of_work(write=False) as uow:
        finding = uow.session.get_one(Finding, finding_id)
        return pending_steps(lifecycle_of(uow, finding), finding, uow.calendar)


def ladder_events(flow: Flow, finding_id: int) -> list[Event]:
    return [e for e in flow.events(finding_id) if e.trigger == "ladder"]


def assigned(flow: Flow, **data: Any) -> int:
    return flow.drive(flow.raise_(**data).id, "assign").id


def test_left_alone_a_finding_climbs_the_ladder_one_step_a_day_it_falls_due(flow: Flow) -> None:
    fid = assigned(flow)
    steps = pending(flow, fid)
    assert [s.step.name for s in steps] == ["not_acknowledged", *RECTIFY_STEPS]
    audiences = {"not_acknowledged": ["supervisor"], "due_soon": ["handler_a", "handler_reviewer_a"],
                 "due_today": ["handler_a", "handler_reviewer_a", "supervisor"],
                 "overdue_7": ["supervisor"], "overdue_14": ["inspector", "supervisor"]}
    levels = {"not_acknowledged": 0, "due_soon": 0, "due_today": 0, "overdue_7": 2, "overdue_14": 3}
    for n, due in enumerate(steps, start=1):
        assert at(flow, date.fromordinal(due.on.toordinal() - 1)).fired == 0  # not a day early
        report = at(flow, due.on)
        assert (report.fired, report.touched) == (1, 1), due.step.name
        assert at(flow, due.on).fired == 0  # a second tick the same day: nothing
        events = ladder_events(flow, fid)
        assert len(events) == n
        last = events[-1]
        assert last.payload == {
            "step": due.step.name, "clock": due.step.clock, "anchor": due.anchor.isoformat(),
            "on": due.on.isoformat(), "level": levels[due.step.name],
            "accountability": due.step.name == "overdue_14",
            "notified": audiences[due.step.name]}
        assert last.from_state == last.to_state == "assigned"
        finding = flow.finding(fid)
        assert finding.overdue_level == max(levels[s.step.name] for s in steps[:n])
        with flow.app.unit_of_work(write=False) as uow:
            told = uow.session.scalars(select(User.username).join(Notification.user).where(
                Notification.finding_id == fid, Notification.kind == "ladder",
                Notification.key.like(f"%:{last.seq}:%")).order_by(User.username)).all()
            assert told == sorted(audiences[due.step.name])
            actor = uow.session.get_one(User, last.actor_id)
            assert (actor.username, actor.active) == (USERNAME, False)
    assert flow.finding(fid).next_ladder_on is None  # the ladder is done
    with flow.app.unit_of_work(write=False) as uow:  # the ladder's steps are the last action
        assert facts_disagreeing(uow, fid) == []
        assert uow.session.get_one(Finding, fid).last_action_trigger == "ladder"


def test_a_late_tick_fires_every_missed_step_once_in_order(flow: Flow) -> None:
    fid = assigned(flow)
    steps = pending(flow, fid)
    report = at(flow, date.fromordinal(steps[-1].on.toordinal() + 30))
    assert (report.fired, report.touched, report.skipped) == (5, 1, 0)
    assert at(flow, flow.today()).fired == 0
    events = ladder_events(flow, fid)
    assert [(e.payload["step"], e.payload["on"]) for e in events] == [
        (s.step.name, s.on.isoformat()) for s in steps]
    assert [e.seq for e in events] == list(range(events[0].seq, events[0].seq + 5))
    finding = flow.finding(fid)
    assert (finding.overdue_level, finding.next_ladder_on) == (3, None)
    with flow.app.unit_of_work(write=False) as uow:
        assert list(verify_all(uow.session)) == []


def test_an_extension_restarts_the_rectify_ladder(flow: Flow) -> None:
    fid = assigned(flow)
    first = {s.step.name: s for s in pending(flow, fid)}
    at(flow, first["due_soon"].on)
    assert [e.payload["step"] for e in ladder_events(flow, fid)] == ["not_acknowledged",
                                                                     "due_soon"]
    flow.drive(fid, "request_extension", "approve_extension")
    moved = {s.step.name: s for s in pending(flow, fid)}
    new_due = flow.finding(fid).due_date
    assert new_due is not None and new_due > first["due_today"].anchor
    assert list(moved) == RECTIFY_STEPS and moved["due_soon"].anchor == new_due
    assert at(flow, moved["due_soon"].on).fired == 1
    again = ladder_events(flow, fid)[-1].payload
    assert (again["step"], again["anchor"]) == ("due_soon", new_due.isoformat())


def test_a_report_stops_the_rectify_clock_and_starts_the_review_clock(flow: Flow) -> None:
    fid = flow.drive(assigned(flow), "report_rectification").id
    assert [s.step.name for s in pending(flow, fid)] == ["review_due_soon", "review_overdue"]
    report = at(flow, date(2026, 6, 1))  # far beyond the old due date and its whole ladder
    assert report.fired == 2
    assert [e.payload["step"] for e in ladder_events(flow, fid)] == ["review_due_soon",
                                                                     "review_overdue"]
    assert ladder_events(flow, fid)[-1].payload["notified"] == ["reviewer", "inspector"]
    assert flow.finding(fid).overdue_level == 0  # the unit is not late while the reviewer is
    assert at(flow, date(2026, 9, 1)).fired == 0


def test_closing_with_a_look_back_period_fires_lookback_due(flow: Flow) -> None:
    fid = flow.drive(assigned(flow), "report_rectification", "revisit", "confirm").id
    closed = flow.finding(fid)
    assert not closed.is_open and closed.lookback_due_date is not None
    [lookback] = pending(flow, fid)
    assert (lookback.step.name, lookback.on) == ("lookback_due", closed.lookback_due_date)
    assert at(flow, date.fromordinal(lookback.on.toordinal() - 1)).fired == 0
    assert at(flow, lookback.on).fired == 1
    [fired] = ladder_events(flow, fid)
    assert (fired.payload["step"], fired.payload["notified"]) == ("lookback_due", ["reviewer"])
    assert (fired.from_state, fired.to_state) == ("closed", "closed")


@contextmanager
def statements(flow: Flow) -> Iterator[list[str]]:
    sent: list[str] = []

    def tally(conn: Any, cursor: Any, sql: str, *_: Any) -> None:
        sent.append(sql)

    sa_event.listen(flow.app.database.engine, "before_cursor_execute", tally)
    try:
        yield sent
    finally:
        sa_event.remove(flow.app.database.engine, "before_cursor_execute", tally)


def test_tick_reads_and_touches_only_the_findings_that_fall_due(flow: Flow) -> None:
    due = assigned(flow)
    flow.app.clock.advance(days=60)
    others = [assigned(flow) for _ in range(2)]
    before = {fid: flow.finding(fid).version for fid in others}
    assert (at(flow, flow.today()).touched, flow.finding(due).overdue_level) == (1, 3)
    assert {fid: flow.finding(fid).version for fid in others} == before
    assert all(not ladder_events(flow, fid) for fid in others)
    with statements(flow) as two_open:
        assert at(flow, flow.today()) == TickReport()
    others += [assigned(flow) for _ in range(4)]
    at(flow, flow.today())  # their writes moved into the statistics' tallies (services.tallies)
    with statements(flow) as six_open:
        assert at(flow, flow.today()) == TickReport()
    assert len(six_open) == len(two_open)  # open findings not due cost nothing
    reads = [sql for sql in six_open if "FROM findings" in sql]
    assert reads and all("next_ladder_on <=" in sql for sql in reads), reads


def test_rectify_tick_prints_the_report(flow: Flow, database_url: str, tmp_path: Any) -> None:
    fid = assigned(flow)
    late = pending(flow, fid)[-1].on
    env = {"RECTIFY_DATABASE_URL": database_url,
           "RECTIFY_INSTANCE_PATH": str(tmp_path / "cli-instance")}
    result = CliRunner().invoke(engine, ["tick", "--now", f"{late.isoformat()}T09:00"], env=env)
    assert result.exit_code == 0, result.output
    assert "5 step(s) fired on 1 finding(s)" in result.output
    assert len(ladder_events(flow, fid)) == 5
    wrong = CliRunner().invoke(engine, ["tick", "--now", "next tuesday"], env=env)
    assert wrong.exit_code == 2 and "--now" in wrong.output
    with flow.app.unit_of_work() as uow:  # a finding on a definition file changed under it
        uow.session.execute(update(Finding).where(Finding.id == fid)
                            .values(definition_hash="0" * 64))
        uow.commit()
    refused = CliRunner().invoke(engine, ["tick"], env=env)
    assert refused.exit_code == 1 and "the file was changed" in refused.output


def test_due_findings_are_read_a_batch_at_a_time_and_all_climb(flow: Flow, monkeypatch) -> None:
    monkeypatch.setattr(tick_module, "BATCH", 2)
    first = [assigned(flow) for _ in range(3)]
    flow.app.clock.advance(days=1)
    later = [assigned(flow) for _ in range(2)]  # due a day later than the first three
    day = max(pending(flow, fid)[0].on for fid in later)
    report = at(flow, day)
    assert (report.fired, report.touched) == (5, 5)
    assert all(len(ladder_events(flow, fid)) == 1 for fid in first + later)
