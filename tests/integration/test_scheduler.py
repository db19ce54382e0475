"""The scheduler `rectify serve` runs in the background: a due ladder step fires and its mail is
delivered (files backend) with no cron; a failing pass is logged and the loop goes on; stop()
joins the thread; `--no-scheduler` leaves it off."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time
from typing import Any

import pytest
from click.testing import CliRunner
from delivery_support import configure
from flask import Flask
from sqlalchemy import event, func, select, update

from workflow.models import Event, FindingTally, OutboxMessage, TallyChange, User
from workflow.scheduler import Job, Scheduler, background, tallies_keeper
from workflow.services.clocks import pending_steps
from workflow.services.firing import lifecycle_of
from workflow.services.tallies import TallyReport
from workflow.services.tick import keep_statistics, keep_statistics_when_due

WAIT = 60.0  # seconds a condition may take before the test fails (never a sleep)


def _assigned_and_due(flow: Any) -> int:
    """A finding assigned and left unacknowledged, the clock on the day its first step falls
    due; the supervisor (that step's audience) takes e-mail at once."""
    with flow.app.unit_of_work() as uow:
        uow.session.execute(update(User).where(User.id == flow.org.supervisor.id).values(
            email="supervisor@example.org", notify_email="immediate"))
        uow.commit()
    finding_id = flow.drive(flow.raise_().id, "assign").id
    with flow.app.unit_of_work(write=False) as uow:
        finding = flow.finding(finding_id)
        first = pending_steps(lifecycle_of(uow, finding), finding, uow.calendar)[0]
    assert first.step.name == "not_acknowledged"
    flow.app.clock.set(datetime.combine(first.on, time(9), flow.app.zone).astimezone(UTC))
    return finding_id


def test_in_the_background_a_due_step_fires_and_its_mail_is_delivered(rectify, org, flow):
    configure(rectify, mail="files")
    finding_id = _assigned_and_due(flow)
    scheduler = background(rectify, tick_seconds=0.05, deliver_seconds=0.05).start()
    try:
        assert scheduler.wait_for("tick", 1, WAIT)
        after_tick = scheduler.passes["delivery"]
        assert scheduler.wait_for("delivery", after_tick + 1, WAIT)  # a delivery after the tick
    finally:
        assert scheduler.stop()
    assert scheduler.failures == {"tick": 0, "delivery": 0, "tallies": 0}
    with rectify.unit_of_work(write=False) as uow:
        steps = [e.payload["step"] for e in uow.session.scalars(
            select(Event).where(Event.finding_id == finding_id, Event.trigger == "ladder"))]
        assert steps == ["not_acknowledged"]
        mails = uow.session.scalars(select(OutboxMessage).where(
            OutboxMessage.user_id == org.supervisor.id, OutboxMessage.channel == "email")).all()
        assert [m.status for m in mails] == ["sent"]
    assert len(list(rectify.settings.mail_path.glob("*.eml"))) == 1


def test_a_failing_pass_is_logged_and_the_loop_goes_on(caplog):
    calls: list[int] = []

    def boom() -> None:
        calls.append(1)
        raise RuntimeError("database away")

    scheduler = Scheduler([Job("boom", boom, 0.01), Job("fine", lambda: None, 0.01)]).start()
    with caplog.at_level(logging.ERROR, logger="workflow.scheduler"):
        assert scheduler.wait_for("boom", 3, WAIT)
        assert scheduler.wait_for("fine", 3, WAIT)
        assert scheduler.stop()
    assert scheduler.failures["boom"] == scheduler.passes["boom"] == len(calls) >= 3
    assert scheduler.failures["fine"] == 0
    assert "boom pass failed" in caplog.text and "database away" in caplog.text


def test_stop_before_the_next_turn_returns_at_once():
    scheduler = Scheduler([Job("slow", lambda: None, 3600.0)]).start()
    assert scheduler.wait_for("slow", 1, WAIT)
    assert scheduler.running
    assert scheduler.stop(timeout=WAIT)  # waiting an hour for the next pass is interrupted
    assert scheduler.passes["slow"] == 1 and not scheduler.running


@pytest.mark.parametrize(("flag", "started"), [([], True), (["--no-scheduler"], False)])
def test_serve_runs_the_scheduler_unless_told_not_to(monkeypatch, tmp_path, flag, started):
    import web.cli

    seen: list[Scheduler] = []
    real = web.cli.background

    def recording(rectify: Any) -> Scheduler:
        seen.append(real(rectify, tick_seconds=3600.0, deliver_seconds=3600.0))
        return seen[-1]

    monkeypatch.setenv("RECTIFY_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("RECTIFY_DATABASE_URL", raising=False)
    monkeypatch.setattr(web.cli, "background", recording)
    def run(self: Flask, **kwargs: Any) -> None:  # serving ends ("Ctrl+C") after the first tick
        assert all(scheduler.wait_for("tick", 1, WAIT) for scheduler in seen)

    monkeypatch.setattr(Flask, "run", run)
    result = CliRunner().invoke(web.cli.engine, ["serve", *flag])
    assert result.exit_code == 0, result.output
    assert ("scheduler: tick every" in result.output) is started
    assert len(seen) == int(started)
    for scheduler in seen:  # started, then stopped and joined when serving ended
        assert scheduler.passes["tick"] == 1 and not scheduler.running


def test_the_statistics_log_is_moved_in_every_few_seconds_not_only_at_the_tick(rectify, flow):
    assert keep_statistics(rectify).built  # the first tick's build
    flow.drive(flow.raise_().id, "assign", "acknowledge")

    def rows(table: Any) -> int:
        with rectify.unit_of_work(write=False) as uow:
            return int(uow.session.scalar(select(func.count()).select_from(table)) or 0)

    assert rows(TallyChange) and not rows(FindingTally)  # the writes wait in the log
    keeper = tallies_keeper(rectify).start()  # what `rectify worker` runs beside its loop
    try:
        assert keeper.wait_for("tallies", 1, WAIT)
    finally:
        assert keeper.stop()
    assert keeper.failures == {"tallies": 0}
    assert not rows(TallyChange) and rows(FindingTally)
    sent: list[str] = []  # with nothing due, a read and no writer (SQLite's write lock)
    listen = lambda *args: sent.append(args[2])  # noqa: E731
    event.listen(rectify.database.engine, "before_cursor_execute", listen)
    try:
        assert keep_statistics_when_due(rectify) == TallyReport()
    finally:
        event.remove(rectify.database.engine, "before_cursor_execute", listen)
    words = [" ".join(s.split()[:2]) for s in sent]  # SQLite's read begins deferred, no lock
    assert [w for w in words if w != "BEGIN"] == ["SELECT tally_clock.day,",
                                                  "SELECT tally_changes.id"], sent
