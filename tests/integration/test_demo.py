"""The demo data set: loads on a fresh database, covers every state, verifies, logs in."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from workflow.cli import engine
from workflow.models import Event, Finding, User
from workflow.runtime import Rectify
from workflow.services import verify_all
from workflow.services.accounts import password_matches


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_demo_covers_every_state_and_its_chains_verify(rectify: Rectify) -> None:
    from workflow.demo import load_demo

    summary = load_demo(rectify)
    assert "65 findings" in summary
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
                "accept_escalation", "complete_coordination"} <= triggers
        last_event = uow.session.scalar(select(func.max(Event.created_at)))
        assert last_event is not None and last_event <= uow.now()
        users = {u.username: u for u in uow.session.scalars(select(User))}
        roles = set().union(*(u.role_set for u in users.values()))
        assert roles == {"admin", "inspector", "reviewer", "supervisor", "handler"}
        assert password_matches(users["inspector"], "rectify-demo")


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
