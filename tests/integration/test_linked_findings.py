"""Linked findings (SQLite and PostgreSQL): split_off raises an assigned child per unit, the
parent closes only when every child is closed (children_closed, also in SQL), related links
both ways within scope, unlinking keeps the events, and verify passes after all of it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.integration.test_raising_body import add_user, load_user
from workflow.errors import Forbidden, GuardFailed, InvalidInput, InvalidPayload, UnknownFinding
from workflow.guards import GUARDS
from workflow.models import Finding, FindingLink
from workflow.services import available_transitions, get_finding, verify_all
from workflow.services.links import link_findings, resolve_code, unlink_findings
from workflow.services.related import links_of
from workflow.services.work import my_work

REQUIREMENT = "Clear the exits on your site"


def split(flow, parent_id, unit, by=None, **more):
    payload = {"unit": unit.id, "requirement": REQUIREMENT, **more}
    return flow.fire(parent_id, "split_off", by or flow.org.inspector, payload)


def children(rectify, parent_id):
    with rectify.unit_of_work(write=False) as uow:
        rows = list(uow.session.scalars(select(Finding).where(Finding.parent_id == parent_id)
                                        .order_by(Finding.id)))
        uow.session.expunge_all()
        return rows


def no_problems(rectify):
    with rectify.unit_of_work(write=False) as uow:
        return [p.problem for _, found in verify_all(uow.session) for p in found] == []


def test_split_raises_a_child_assigned_to_its_unit(org, flow, rectify):
    parent = flow.drive(flow.raise_(unit=org.group_a.id).id, "assign")
    split(flow, parent.id, org.sub_a1)
    [child] = children(rectify, parent.id)
    assert (child.state, child.unit_id, child.raised_by_id) == ("assigned", org.sub_a1.id,
                                                                org.inspector.id)
    assert child.title == "Fire exit blocked by boxes（甲一公司）"
    assert (child.category, child.severity, child.requirement) == (
        parent.category, parent.severity, REQUIREMENT)
    assert child.due_date is not None and child.due_date > flow.today()  # default by severity
    parent_events, child_events = flow.events(parent.id), flow.events(child.id)
    assert parent_events[-1].trigger == "split_off"
    assert parent_events[-1].payload["child"] == child.code
    assert [e.trigger for e in child_events] == ["raise", "assign"]
    assert child_events[0].payload["parent"] == parent.code
    assert child_events[1].payload["requirement"] == REQUIREMENT
    assert flow.finding(parent.id).version == parent.version + 1  # the parent written once
    with rectify.unit_of_work(write=False) as uow:
        handler = load_user(uow, org.handler_a1.id)
        assert child.id in [f.id for f in my_work(uow, handler).items]
        seen = get_finding(uow.session, handler, child.id)
        assert "report_rectification" in [t.trigger for t in
                                          available_transitions(uow, seen, handler)]
        with pytest.raises(UnknownFinding):  # sub_a1's handler does not see the parent
            get_finding(uow.session, handler, parent.id)
    assert no_problems(rectify)


def test_a_title_and_due_date_given_are_used(org, flow, rectify):
    parent = flow.raise_(unit=org.group_a.id)
    due = date(2026, 3, 20)
    split(flow, parent.id, org.group_b, title="Group B's own exits", due_date=due.isoformat())
    [child] = children(rectify, parent.id)
    assert (child.title, child.due_date, child.state) == ("Group B's own exits", due, "assigned")


@pytest.mark.parametrize("where", ["inspection_body", "commission", "sub_a1_twice"])
def test_a_child_under_the_wrong_unit_is_refused(org, flow, rectify, where):
    parent = flow.drive(flow.raise_(unit=org.group_a.id).id, "assign")
    split(flow, parent.id, org.sub_a1)
    unit = {"inspection_body": org.inspection_body, "commission": org.commission,
            "sub_a1_twice": org.sub_a1}[where]
    error = InvalidPayload if where == "commission" else GuardFailed  # commission: out of scope
    with flow.refused(parent.id, error) as info:
        split(flow, parent.id, unit)
    if error is GuardFailed:
        assert info.value.field == "unit"
    assert len(children(rectify, parent.id)) == 1


def test_handlers_do_not_split(org, flow):
    parent = flow.drive(flow.raise_(unit=org.group_a.id).id, "assign")
    with flow.refused(parent.id, Forbidden):
        split(flow, parent.id, org.sub_a1, by=org.handler_a)


def offered(rectify, user, finding_id):
    with rectify.unit_of_work(write=False) as uow:
        actor = load_user(uow, user.id)
        finding = get_finding(uow.session, actor, finding_id)
        return [t.trigger for t in available_transitions(uow, finding, actor)]


def sql_agrees(rectify, finding_id):
    """children_closed in SQL says what it says in Python, on this finding."""
    with rectify.unit_of_work(write=False) as uow:
        sql = GUARDS["children_closed"].sql
        assert sql is not None
        return bool(uow.session.scalar(select(func.count()).select_from(Finding).where(
            Finding.id == finding_id, sql(uow.today()))))


def test_the_parent_closes_only_after_every_child(org, flow, rectify):
    parent = flow.drive(flow.raise_(unit=org.group_a.id).id, "assign")
    split(flow, parent.id, org.sub_a1)
    split(flow, parent.id, org.group_b)
    first, second = children(rectify, parent.id)
    flow.drive(parent.id, "report_rectification", "revisit")
    assert "confirm" not in offered(rectify, org.reviewer, parent.id)
    assert "reject" in offered(rectify, org.reviewer, parent.id)
    assert not sql_agrees(rectify, parent.id)
    with flow.refused(parent.id, GuardFailed) as info:
        flow.fire(parent.id, "confirm")
    assert info.value.guard == "children_closed"
    assert first.code in info.value.message["en"] and second.code in info.value.message["zh"]
    with flow.refused(parent.id, GuardFailed):  # nor withdrawn or waived under them
        flow.fire(parent.id, "waive", org.supervisor)
    flow.drive(first.id, "report_rectification", "revisit", "confirm")
    with flow.refused(parent.id, GuardFailed) as info:
        flow.fire(parent.id, "confirm")
    assert second.code in info.value.message["en"] and first.code not in info.value.message["en"]
    flow.fire(second.id, "withdraw")  # a child withdrawn is ended too
    assert sql_agrees(rectify, parent.id)
    assert "confirm" in offered(rectify, org.reviewer, parent.id)
    with rectify.unit_of_work(write=False) as uow:
        assert parent.id in [f.id for f in my_work(uow, load_user(uow, org.reviewer.id)).items]
    assert flow.fire(parent.id, "confirm").state == "closed"
    assert no_problems(rectify)


def test_links_both_ways_within_scope(org, flow, rectify):
    one = flow.raise_(unit=org.group_a.id)
    two = flow.raise_(unit=org.group_b.id, title="Exit light broken")
    with rectify.unit_of_work() as uow:
        link = link_findings(uow, org.inspector, one.id, two.id, "Same landlord")
    with rectify.unit_of_work(write=False) as uow:
        inspector = load_user(uow, org.inspector.id)
        here = links_of(uow.session, inspector, get_finding(uow.session, inspector, one.id))
        there = links_of(uow.session, inspector, get_finding(uow.session, inspector, two.id))
        assert [(r.finding.code, r.note, r.outgoing) for r in here.related] == [
            (two.code, "Same landlord", True)]
        assert [(r.finding.code, r.outgoing) for r in there.related] == [(one.code, False)]
        handler = load_user(uow, org.handler_a.id)  # group_a's handler does not see group_b's
        mine = links_of(uow.session, handler, get_finding(uow.session, handler, one.id))
        assert (mine.related, mine.hidden) == ([], 1)
    for events, other in ((flow.events(one.id), two.code), (flow.events(two.id), one.code)):
        assert (events[-1].trigger, events[-1].payload) == (
            "link", {"link": link.id, "other": other, "note": "Same landlord"})
    for a, b in ((one.id, two.id), (two.id, one.id)):  # no duplicate, either way
        with flow.refused(one.id, InvalidInput) as info, rectify.unit_of_work() as uow:
            link_findings(uow, org.reviewer, a, b)
        assert "to" in info.value.errors
    with flow.refused(one.id, InvalidInput), rectify.unit_of_work() as uow:
        link_findings(uow, org.inspector, one.id, one.id)


def test_linking_needs_the_inspecting_side_and_both_findings_in_scope(org, flow, rectify):
    one = flow.raise_(unit=org.sub_a1.id)
    two = flow.raise_(unit=org.group_b.id)
    with flow.refused(one.id, Forbidden), rectify.unit_of_work() as uow:
        link_findings(uow, org.handler_a, one.id, two.id)
    inspector_a = add_user(rectify, "inspector_a", "inspector", org.group_a)
    with rectify.unit_of_work(write=False) as uow:
        actor = load_user(uow, inspector_a)
        uow.session.expunge_all()
    with flow.refused(one.id, UnknownFinding), rectify.unit_of_work() as uow:
        link_findings(uow, actor, one.id, two.id)  # the same answer as for no such finding
    with rectify.unit_of_work() as uow:
        answers = []
        for code in (two.code, "2099-9999"):
            with pytest.raises(InvalidInput) as info:
                resolve_code(uow.session, actor, code)
            answers.append(info.value.errors)
        assert answers[0] == answers[1]
        assert resolve_code(uow.session, actor, one.code) == one.id


def test_unlinking_removes_the_row_and_keeps_the_events(org, flow, rectify):
    one = flow.raise_(unit=org.group_a.id)
    two = flow.raise_(unit=org.group_b.id)
    with rectify.unit_of_work() as uow:
        link_id = link_findings(uow, org.inspector, one.id, two.id).id
    with flow.refused(one.id, Forbidden), rectify.unit_of_work() as uow:
        unlink_findings(uow, org.handler_a, one.id, link_id)
    three = flow.raise_(unit=org.group_b.id)
    with flow.refused(one.id, UnknownFinding), rectify.unit_of_work() as uow:
        unlink_findings(uow, org.reviewer, three.id, link_id)  # not a link of that finding
    with rectify.unit_of_work() as uow:
        unlink_findings(uow, org.reviewer, two.id, link_id)
    for fid, other in ((one.id, two.code), (two.id, one.code)):
        assert [(e.trigger, e.payload["other"]) for e in flow.events(fid)[-2:]] == [
            ("link", other), ("unlink", other)]
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(FindingLink)) == 0
    with rectify.unit_of_work() as uow:  # and may be linked again
        link_findings(uow, org.inspector, two.id, one.id)
    assert no_problems(rectify)


def test_recurrence_and_parent_links_show_both_ways(org, flow, rectify):
    parent = flow.drive(flow.raise_(unit=org.group_a.id).id, "assign")
    split(flow, parent.id, org.sub_a1)
    [child] = children(rectify, parent.id)
    with rectify.unit_of_work(write=False) as uow:
        inspector = load_user(uow, org.inspector.id)
        down = links_of(uow.session, inspector, get_finding(uow.session, inspector, parent.id))
        up = links_of(uow.session, inspector, get_finding(uow.session, inspector, child.id))
        assert ([c.code for c in down.children], down.children_total, down.children_closed,
                down.parent) == ([child.code], 1, 0, None)
        assert up.parent is not None and up.parent.code == parent.code and up.children == []
        handler = load_user(uow, org.handler_a1.id)  # sees the child, not the parent
        seen = links_of(uow.session, handler, get_finding(uow.session, handler, child.id))
        assert (seen.parent, seen.hidden) == (None, 1)


def test_the_coordinating_body_splits_an_escalation(org, flow, rectify):
    """The escalation lifecycle: the supervisor coordinating it splits off a child for another
    unit; the escalated finding is confirmed only after that child is."""
    parent = flow.drive(flow.raise_("escalation", unit=org.group_a.id).id,
                        "assign", "escalate", "accept_escalation")
    assert parent.state == "coordinating"
    split(flow, parent.id, org.sub_b1, by=org.supervisor)
    [child] = children(rectify, parent.id)
    assert (child.lifecycle, child.state, child.raised_by_unit_id) == (
        "standard", "assigned", org.commission.id)
    flow.drive(parent.id, "complete_coordination", "report_rectification")
    with flow.refused(parent.id, GuardFailed):
        flow.fire(parent.id, "confirm")
    # the commission raised the child: its checks are the commission's (no reviewer there)
    flow.fire(child.id, "waive", org.supervisor)
    assert flow.fire(parent.id, "confirm").state == "closed"
    assert no_problems(rectify)
