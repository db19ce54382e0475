"""回头看 on standard@2, on SQLite and PostgreSQL: held, or recurred (counted, a linked finding
raised with its own raise event, the closed finding left closed), and the chains still verify."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import func, select

from tests.conftest import FakeClock, Flow, Org
from tests.integration.time_support import D, at, closed
from workflow.errors import GuardFailed
from workflow.models import Event, Finding
from workflow.payload import unit_record
from workflow.runtime import Rectify
from workflow.services import verify_all


def _look_back(flow: Flow, fid: int, outcome: str) -> Finding:
    return flow.fire(fid, "look_back", payload={
        "visited_on": flow.today().isoformat(), "outcome": outcome, "observations": "Checked"})


def test_a_look_back_that_held(flow: Flow, clock: FakeClock, org: Org) -> None:
    done = closed(flow, clock, org)
    assert done.lookback_due_date == D("2026-03-30")  # 20 working days after Mar 2
    assert done.next_ladder_on == D("2026-03-30")
    at(clock, "2026-03-30")
    finding = _look_back(flow, done.id, "held")
    assert (finding.state, finding.is_open, finding.closed_at) == ("closed", False,
                                                                   done.closed_at)
    assert (finding.lookback_due_date, finding.recurrences, finding.next_ladder_on) == (
        None, 0, None)
    with flow.refused(done.id, GuardFailed) as refusal:
        _look_back(flow, done.id, "held")
    assert refusal.value.guard == "lookback_due"


def test_a_look_back_that_found_it_recurred(
        flow: Flow, clock: FakeClock, org: Org, rectify: Rectify) -> None:
    done = closed(flow, clock, org)
    at(clock, "2026-03-31")
    finding = _look_back(flow, done.id, "recurred")
    assert (finding.state, finding.is_open, finding.closed_at, finding.recurrences) == (
        "closed", False, done.closed_at, 1)
    with rectify.unit_of_work(write=False) as uow:
        again = uow.session.scalars(select(Finding).where(
            Finding.recurrence_of_id == done.id)).one()
        assert (again.state, again.is_open, again.unit_id, again.title, again.severity) == (
            "raised", True, done.unit_id, done.title, done.severity)
        assert (again.lifecycle, again.lifecycle_version, again.raised_by_id) == (
            "standard", 3, org.reviewer.id)
        first = uow.session.scalars(select(Event).where(Event.finding_id == again.id)).all()
        assert [(e.seq, e.trigger, e.to_state, e.payload) for e in first] == [
            (1, "raise", "raised", {"lifecycle": "standard@3", "recurrence_of": done.code,
                                    "unit": unit_record(again.unit)})]
        assert again.created_at == clock.current.replace(tzinfo=UTC)
    assert flow.events(done.id)[-1].payload["outcome"] == "recurred"


def test_chains_verify_after_time_effects_and_a_recurrence(
        flow: Flow, clock: FakeClock, org: Org, rectify: Rectify) -> None:
    done = closed(flow, clock, org)
    at(clock, "2026-03-31")
    _look_back(flow, done.id, "recurred")
    with rectify.unit_of_work(write=False) as uow:
        assert list(verify_all(uow.session)) == []
        assert uow.session.scalar(select(func.count()).select_from(Finding)) == 2
