"""Independence is judged from the raising body recorded on the finding (SQLite and PostgreSQL):
moving people changes nothing, reassign stays strictly below that body, and the SQL form behind
My work agrees with the Python form on every (raising body, unit, actor, side)."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from workflow.errors import Forbidden, GuardFailed
from workflow.models import Finding, User
from workflow.services import available_transitions, get_finding, verify_all
from workflow.services.scope import independent, side_clause, takes_side
from workflow.services.work import my_work

FINDINGS = Finding.__table__


def add_user(rectify, username, roles, unit):
    with rectify.unit_of_work() as uow:
        user = User(username=username, display_name=username, password_hash="-", roles=roles,
                    unit_id=unit.id)
        uow.session.add(user)
        uow.commit()
        return user.id


def load_user(uow, user_id):
    return uow.session.scalars(select(User).where(User.id == user_id)
                               .options(joinedload(User.unit))).one()


def move(rectify, user_id, unit):
    with rectify.unit_of_work() as uow:
        uow.session.execute(update(User).where(User.id == user_id).values(unit_id=unit.id))
        uow.commit()


def test_the_raising_body_is_recorded_once_and_audited(org, flow, rectify):
    finding = flow.raise_(unit=org.sub_a1.id)
    assert finding.raised_by_unit_id == org.inspection_body.id
    move(rectify, org.inspector.id, org.group_a)
    assert flow.finding(finding.id).raised_by_unit_id == org.inspection_body.id
    with rectify.unit_of_work() as uow:  # an edit behind the engine is caught by verify
        uow.session.execute(update(FINDINGS).where(FINDINGS.c.id == finding.id)
                            .values(raised_by_unit_id=org.group_a.id))
        uow.commit()
    with rectify.unit_of_work(write=False) as uow:
        problems = [p.problem for _, found in verify_all(uow.session) for p in found]
    assert problems == ["the finding's fields differ from what its last event recorded "
                        "(edited outside the engine)"]


def test_moving_the_inspector_hands_nothing_to_the_findings_own_group(org, flow, rectify):
    """The raiser moves into the finding's group: the group's supervisor still may not waive,
    and the group's handler still reports (in fire, in the page's list and in My work)."""
    finding = flow.drive(flow.raise_(unit=org.sub_a1.id).id, "assign")
    sup_a = add_user(rectify, "sup_a", "supervisor", org.group_a)
    move(rectify, org.inspector.id, org.group_a)
    with rectify.unit_of_work(write=False) as uow:
        supervisor = load_user(uow, sup_a)
        uow.session.expunge_all()
    with pytest.raises(Forbidden):
        flow.fire(finding.id, "waive", supervisor, {"justification": "Handled in good faith"})
    with rectify.unit_of_work(write=False) as uow:
        handler = load_user(uow, org.handler_a.id)
        seen = get_finding(uow.session, handler, finding.id)
        assert "report_rectification" in [t.trigger for t in available_transitions(uow, seen, handler)]
        assert finding.id in [f.id for f in my_work(uow, handler).items]
        assert "waive" not in [t.trigger for t in available_transitions(
            uow, get_finding(uow.session, load_user(uow, sup_a), finding.id), load_user(uow, sup_a))]
    assert flow.fire(finding.id, "report_rectification", org.handler_a).state == "rectified"


def test_reassign_only_to_a_unit_strictly_below_the_raising_body(org, flow):
    finding = flow.raise_(unit=org.sub_a1.id)
    for target in (org.inspection_body, org.commission):  # the raising body, and one above it
        with pytest.raises(GuardFailed) as refused:
            flow.fire(finding.id, "reassign", org.supervisor,
                      {"unit": target.id, "reason": "Wrong unit at first"})
        assert "below the body that raised" in refused.value.message["en"]
    moved = flow.fire(finding.id, "reassign", org.supervisor,
                      {"unit": org.sub_b1.id, "reason": "Wrong unit at first"})
    assert moved.unit_id == org.sub_b1.id


def test_a_member_of_the_findings_own_unit_never_takes_the_inspecting_side(org, flow, rectify):
    """Data from before the raising body was recorded may name the finding's own unit as that
    body (the raiser had moved there): its members must still not check, confirm or waive."""
    finding = flow.drive(flow.raise_(unit=org.group_a.id).id, "assign", "report_rectification")
    with rectify.unit_of_work() as uow:
        uow.session.execute(update(FINDINGS).where(FINDINGS.c.id == finding.id)
                            .values(raised_by_unit_id=org.group_a.id))
        uow.commit()
    with rectify.unit_of_work(write=False) as uow:
        reviewer = load_user(uow, org.handler_reviewer_a.id)
        seen = get_finding(uow.session, reviewer, finding.id)
        assert not independent(reviewer, "inspecting", seen)
        assert available_transitions(uow, seen, reviewer) == []
        assert finding.id not in [f.id for f in my_work(uow, reviewer).items]
    with pytest.raises(Forbidden):
        flow.fire(finding.id, "revisit", org.handler_reviewer_a)


def test_sql_and_python_forms_of_independence_agree_everywhere(org, flow, rectify):
    """Every (raising body, responsible unit) pair of the tree, every user, both sides."""
    units = list(org.units.values())
    ids = {}
    for body, unit in itertools.product(units, units):
        fid = flow.raise_(unit=org.group_a.id).id
        ids[fid] = (body.id, unit.id)
    with rectify.unit_of_work() as uow:
        for fid, (body_id, unit_id) in ids.items():
            uow.session.execute(update(FINDINGS).where(FINDINGS.c.id == fid)
                                .values(raised_by_unit_id=body_id, unit_id=unit_id))
        uow.commit()
    with rectify.unit_of_work(write=False) as uow:
        findings = list(uow.session.scalars(
            select(Finding).where(Finding.id.in_(ids))
            .options(joinedload(Finding.unit), joinedload(Finding.raised_by_unit))))
        assert len(findings) == len(units) ** 2
        sizes = set()
        for user_id, side in itertools.product([u.id for u in org.users.values()],
                                               ("inspecting", "responsible")):
            actor = load_user(uow, user_id)
            in_python = {f.id for f in findings if takes_side(actor, side, f)}
            in_sql = set(uow.session.scalars(select(Finding.id).where(
                Finding.id.in_(ids), side_clause(actor, side))))
            assert in_sql == in_python, (actor.username, side)
            sizes.add(len(in_python))
        assert len(sizes) > 3  # the rule splits the findings differently for different actors


def test_a_pending_extension_ends_with_the_finding(org, flow):
    finding = flow.drive(flow.raise_().id, "assign", "request_extension")
    assert finding.pending_due_date is not None
    closed = flow.fire(finding.id, "withdraw", org.supervisor, {"reason": "Raised in error"})
    assert closed.state == "withdrawn" and closed.pending_due_date is None
