"""The demo data set: loads on a fresh database, covers every state, every light and every ladder
step, verifies, logs in."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from workflow.cli import engine
from workflow.models import Event, Finding, User
from workflow.runtime import Rectify
from workflow.services import verify_all
from workflow.services.accounts import password_matches
from workflow.services.ledger import COLOURS
from workflow.services.light import light
from workflow.services.stats import top_level


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_demo_covers_every_state_and_its_chains_verify(rectify: Rectify) -> None:
    from workflow.demo import load_demo

    summary = load_demo(rectify)
    assert "every state of every lifecycle has a finding" in summary
    with rectify.unit_of_work(write=False) as uow:
        seen = {(row[0], row[1]) for row in uow.session.execute(select(Finding.lifecycle, Finding.state))}
        for lifecycle in rectify.registry.latest():
            for state in lifecycle.states:
                assert (lifecycle.name, state.name) in seen, f"{lifecycle.key} {state.name}"
        assert list(verify_all(uow.session)) == []
        reworked = uow.session.scalar(select(func.count()).where(Finding.rework_rounds > 0))
        assert reworked and reworked >= 3
        triggers = set(uow.session.scalars(select(Event.trigger).distinct()))
        assert {"reject", "approve_extension", "deny_extension", "waive", "reassign",
                "accept_escalation", "complete_coordination", "acknowledge", "urge",
                "request_waiver", "approve_waiver", "look_back", "split_off", "letter",
                "letter_reply", "comment", "add_co_responsible", "report_part"} <= triggers
        last_event = uow.session.scalar(select(func.max(Event.created_at)))
        assert last_event is not None and last_event <= uow.now()
        users = {u.username: u for u in uow.session.scalars(select(User))}
        roles = set().union(*(u.role_set for u in users.values()))
        assert roles == {"admin", "inspector", "reviewer", "supervisor", "handler"}
        assert password_matches(users["inspector"], "rectify-demo")
        mailed = [u for u in users.values() if u.email]
        assert len(mailed) >= 5 and {u.notify_email for u in mailed} == {"immediate", "digest", "off"}


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_demo_shows_every_light_and_every_ladder_step(rectify: Rectify) -> None:
    """On the day it is loaded: each colour and each overdue level some ladder raises is on a
    finding, and every step of standard's newest ladder fired on some finding, on or after the
    day it fell due (the loader ran the scheduler each simulated morning)."""
    from workflow.demo import load_demo

    load_demo(rectify)
    standard = rectify.registry.get("standard")
    wanted = {(c, 0) for c in COLOURS if c != "red"}
    wanted |= {("red", level) for level in range(1, top_level(rectify.registry) + 1)}
    with rectify.unit_of_work(write=False) as uow:
        today, findings = uow.today(), list(uow.session.scalars(select(Finding)))
        lit = {(lit.colour, lit.level) for lit in (light(f, today, uow.calendar) for f in findings)}
        assert wanted <= lit, wanted - lit
        ladder = list(uow.session.scalars(select(Event).join(Finding).where(
            Event.trigger == "ladder", Finding.lifecycle == standard.name,
            Finding.lifecycle_version == standard.version)))
        fired = {event.payload["step"] for event in ladder}
        assert {step.name for step in standard.ladder} <= fired
        days = {event.created_at.astimezone(uow.zone).date() for event in ladder}
        assert all(date.fromisoformat(e.payload["on"]) <= e.created_at.astimezone(uow.zone).date()
                   for e in ladder)
        assert len(days) >= 20  # spread over the history, not all on the load day
        outcomes = {e.payload.get("outcome") for e in uow.session.scalars(
            select(Event).where(Event.trigger == "look_back"))}
        assert outcomes == {"held", "recurred"}
        recurred = uow.session.scalar(select(Finding).where(Finding.recurrence_of_id.is_not(None)))
        assert recurred is not None and recurred.is_open
        original = uow.session.get(Finding, recurred.recurrence_of_id)
        assert original is not None and original.recurrences == 1 and not original.is_open


def test_demo_command_refuses_a_database_that_has_data(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECTIFY_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("RECTIFY_DATABASE_URL", raising=False)
    runner = CliRunner()
    first = runner.invoke(engine, ["demo"])
    assert first.exit_code == 0, first.output
    assert "every state of every lifecycle has a finding" in first.output
    assert runner.invoke(engine, ["verify"]).exit_code == 0
    again = runner.invoke(engine, ["demo"])
    assert again.exit_code == 1
    assert "already has users" in again.output
