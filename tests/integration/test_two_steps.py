"""Two steps in one submission: raise-and-assign, and a follow-up check with its verdict."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from workflow.errors import InvalidInput
from workflow.models import Event, Finding, User
from workflow.runtime import Rectify
from workflow.services.firing import get_finding
from workflow.services.raising import raise_finding
from workflow.services.two_steps import fire_two, verdicts_after
from workflow.spec import load_registry


def counts(app):
    with app.unit_of_work(write=False) as uow:
        return (uow.session.scalar(select(func.count()).select_from(Finding)),
                uow.session.scalar(select(func.count()).select_from(Event)))


def test_a_raise_with_requirement_and_due_date_is_assigned_at_once(org, flow):
    due = (flow.today() + timedelta(days=20)).isoformat()
    finding = flow.raise_(requirement="Clear the exits", due_date=due)
    events = flow.events(finding.id)
    assert [e.trigger for e in events] == ["raise", "assign"]
    assert events[1].payload["requirement"] == "Clear the exits"
    assert events[1].payload["due_date"] == due
    found = flow.finding(finding.id)
    assert (found.state, found.due_date.isoformat(), found.requirement) == (
        "assigned", due, "Clear the exits")


def test_a_raise_without_a_due_date_stays_raised(org, flow):
    finding = flow.raise_(requirement="Clear the exits")
    assert [e.trigger for e in flow.events(finding.id)] == ["raise"]
    assert flow.finding(finding.id).state == "raised"


def test_a_lifecycle_without_an_assign_like_step_only_raises(org, flow):
    due = (flow.today() + timedelta(days=5)).isoformat()
    finding = flow.raise_("immediate", requirement="Move the boxes", due_date=due)
    assert [e.trigger for e in flow.events(finding.id)] == ["raise"]


@pytest.fixture
def strict_assign(rectify, tmp_path):
    """The shipped definitions, but standard's assign takes a due date at most 7 days away
    (raising allows 366): a raise the assign then refuses."""
    folder = tmp_path / "definitions"
    shutil.copytree(rectify.settings.definitions_path, folder)
    path = folder / "standard.v3.yaml"
    text = path.read_text(encoding="utf-8")
    old = "required: false, min_days: 0, max_days: 366, zh: 整改期限（留空按严重程度默认）"
    assert old in text
    path.write_text(text.replace(old, old.replace("366", "7")), encoding="utf-8")
    app = Rectify(rectify.settings, clock=rectify.clock, registry=load_registry(folder))
    yield app
    app.database.dispose()


def test_a_refused_assign_writes_nothing_and_names_the_field(org, strict_assign):
    data = {"title": "Fire exit blocked by boxes", "category": "work_safety",
            "severity": "medium", "unit": org.group_a.id, "requirement": "Clear the exits"}
    inspector_id = org.inspector.id
    with strict_assign.unit_of_work() as uow:
        data["due_date"] = (uow.today() + timedelta(days=30)).isoformat()
        with pytest.raises(InvalidInput) as info:
            raise_finding(uow, org.inspector, "standard", data)
    assert set(info.value.errors) == {"due_date"}
    assert counts(strict_assign) == (0, 0)
    with strict_assign.unit_of_work() as uow:  # the code counter did not move either
        data["due_date"] = (uow.today() + timedelta(days=3)).isoformat()
        inspector = uow.session.get(User, inspector_id)
        assert raise_finding(uow, inspector, "standard", data).code.endswith("-0001")


def test_a_check_and_its_verdict_in_one_transaction(org, flow, rectify):
    finding = flow.raise_()
    flow.drive(finding.id, "assign", "report_rectification")
    revisit = flow.payload_for(flow.finding(finding.id), "revisit", org.reviewer)
    with rectify.unit_of_work() as uow:
        loaded = get_finding(uow.session, org.reviewer, finding.id)
        spec = uow.registry.get(loaded.lifecycle, loaded.lifecycle_version)
        offered = verdicts_after(spec, spec.transition("rectified", "revisit"), org.reviewer,
                                 loaded)
        assert [t.trigger for t in offered] == ["confirm", "reject"]
        version = loaded.version
        fire_two(uow, finding.id, ("revisit", "confirm"), org.reviewer,
                 (revisit, {"conclusion": "Rectified"}), version)
    assert [e.trigger for e in flow.events(finding.id)][-2:] == ["revisit", "confirm"]
    assert flow.finding(finding.id).state == "closed"


def test_a_refused_verdict_leaves_the_check_unwritten(org, flow, rectify):
    finding = flow.raise_()
    flow.drive(finding.id, "assign", "report_rectification")
    revisit = flow.payload_for(flow.finding(finding.id), "revisit", org.reviewer)
    with flow.refused(finding.id, InvalidInput) as info, rectify.unit_of_work() as uow:
        fire_two(uow, finding.id, ("revisit", "reject"), org.reviewer,
                 (revisit, {"reason": ""}), flow.finding(finding.id).version)
    assert set(info.value.errors) == {"reason"}
    assert flow.finding(finding.id).state == "rectified"
