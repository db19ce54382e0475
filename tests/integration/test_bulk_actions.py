"""Bulk actions: each finding through fire() in its own transaction, refusals per finding."""

from __future__ import annotations

from datetime import timedelta

import pytest
from ledger_facts_support import facts_disagreeing
from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from workflow.errors import (
    Forbidden,
    InvalidInput,
    InvalidPayload,
    NotInLifecycle,
    StaleFinding,
    TransitionNotAllowed,
    UnknownFinding,
)
from workflow.models import Event, Finding, Notification
from workflow.services.accounts import create_user
from workflow.services.bulk import BULK_TRIGGERS, MAX_FINDINGS, actions_on, fire_many
from workflow.services.firing import refusal

URGE = {"message": "Please report by Friday"}


@pytest.fixture
def inspector_b(rectify, org):
    """An inspector at group B: sees group B's subtree only, not group A's findings."""
    with rectify.unit_of_work() as uow:
        user = create_user(uow.session, "inspector_b", "乙集团检查员", org.password, ["inspector"],
                           uow.session.merge(org.group_b))
        uow.commit()
        uow.session.refresh(user)
        assert user.unit.path  # loaded: the engine reads it to scope the user
        uow.session.expunge_all()
    return user


def assigned(flow, by, unit_id):
    due = (flow.today() + timedelta(days=20)).isoformat()
    return flow.raise_(by=by, unit=unit_id, requirement="Clear the exits", due_date=due)


def bulk(rectify, actor, ids, trigger, payload, versions=None):
    with rectify.unit_of_work() as uow:
        outcomes = fire_many(uow, actor, ids, trigger, payload, versions)
        return {o.finding_id: o for o in outcomes}, [o.finding_id for o in outcomes]


def all_events(rectify):
    with rectify.unit_of_work(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(Event))


def test_a_mixed_selection_is_done_or_refused_finding_by_finding(rectify, org, flow, inspector_b):
    first, second = (assigned(flow, inspector_b, org.sub_b1.id) for _ in range(2))
    raised = flow.raise_(by=inspector_b, unit=org.sub_b1.id)  # urge needs it assigned
    on_spot = flow.raise_("immediate", by=inspector_b, unit=org.sub_b1.id)  # no urge at all
    elsewhere = assigned(flow, org.inspector, org.group_a.id)  # group A: not inspector_b's
    refused = [raised.id, on_spot.id, elsewhere.id]
    before = {fid: flow.snapshot(fid) for fid in refused}
    events_before = {f.id: len(flow.events(f.id)) for f in (first, second)}
    ids = [first.id, raised.id, on_spot.id, elsewhere.id, 987654, second.id, first.id]
    out, order = bulk(rectify, inspector_b, ids, "urge", URGE)
    assert order == [first.id, raised.id, on_spot.id, elsewhere.id, 987654, second.id]
    for done in (first, second):
        assert out[done.id].done and out[done.id].state == "assigned"
        events = flow.events(done.id)
        assert len(events) == events_before[done.id] + 1  # exactly one, though chosen twice
        assert (events[-1].trigger, events[-1].payload["message"]) == ("urge", URGE["message"])
        with rectify.unit_of_work(write=False) as uow:  # the urge is the last action
            assert facts_disagreeing(uow, done.id) == []
            assert uow.session.get_one(Finding, done.id).last_action_by_id == inspector_b.id
    assert type(out[raised.id].error) is TransitionNotAllowed
    assert (out[raised.id].code, out[raised.id].state) == (raised.code, "raised")
    assert isinstance(out[on_spot.id].error, NotInLifecycle)
    for unseen in (elsewhere.id, 987654):  # the same answer: nothing told of what exists
        assert isinstance(out[unseen].error, UnknownFinding)
        assert (out[unseen].code, out[unseen].title, out[unseen].state) == (None, None, None)
    assert {fid: flow.snapshot(fid)["row"] for fid in refused} == {
        fid: before[fid]["row"] for fid in refused}
    assert [len(flow.events(fid)) for fid in refused] == [before[f]["events"] for f in refused]


def test_done_findings_notify_as_one_by_one(rectify, org, flow):
    findings = [assigned(flow, org.inspector, org.group_a.id) for _ in range(2)]
    with rectify.unit_of_work(write=False) as uow:
        outbox_before = uow.session.scalar(select(func.count()).select_from(Notification))
    out, _ = bulk(rectify, org.inspector, [f.id for f in findings], "urge", URGE)
    assert all(o.done for o in out.values())
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Notification)) > outbox_before


def test_a_missing_justification_refuses_each_finding_and_changes_nothing(rectify, org, flow):
    findings = [assigned(flow, org.inspector, org.group_a.id) for _ in range(3)]
    before = {f.id: flow.snapshot(f.id) for f in findings}
    out, _ = bulk(rectify, org.inspector, [f.id for f in findings], "withdraw", {"reason": " "})
    for f in findings:
        error = out[f.id].error
        assert isinstance(error, InvalidPayload) and set(error.errors) == {"reason"}
        assert flow.snapshot(f.id) == before[f.id]


def test_the_role_and_side_checks_hold_for_each_finding(rectify, org, flow):
    finding = assigned(flow, org.inspector, org.group_a.id)
    out, _ = bulk(rectify, org.handler_a, [finding.id], "urge", URGE)
    assert isinstance(out[finding.id].error, Forbidden)
    assert flow.events(finding.id)[-1].trigger == "assign"


def test_withdraw_with_a_reason_closes_each_and_reassign_takes_the_unit(rectify, org, flow):
    to_withdraw = [assigned(flow, org.inspector, org.group_a.id) for _ in range(2)]
    out, _ = bulk(rectify, org.inspector, [f.id for f in to_withdraw], "withdraw",
                  {"reason": "Raised in error at the visit"})
    assert {o.state for o in out.values()} == {"withdrawn"}
    moving = assigned(flow, org.inspector, org.group_a.id)
    out, _ = bulk(rectify, org.inspector, [moving.id], "reassign",
                  {"unit": org.group_b.id, "reason": "Group B runs the site"})
    assert out[moving.id].done and flow.finding(moving.id).unit_id == org.group_b.id


def test_the_version_seen_is_checked_per_finding(rectify, org, flow):
    fresh, changed = (assigned(flow, org.inspector, org.group_a.id) for _ in range(2))
    versions = {fresh.id: fresh.version, changed.id: changed.version}
    flow.fire(changed.id, "urge")  # someone acted first on one of them
    out, _ = bulk(rectify, org.inspector, [fresh.id, changed.id], "urge", URGE, versions)
    assert out[fresh.id].done
    assert isinstance(out[changed.id].error, StaleFinding)


@pytest.mark.parametrize(("ids", "trigger", "payload", "field"), [
    (["1x"], "urge", URGE, "findings"),
    ([0], "urge", URGE, "findings"),
    ([True], "urge", URGE, "findings"),
    ([], "urge", URGE, "findings"),
    (list(range(1, MAX_FINDINGS + 2)), "urge", URGE, "findings"),
    ([1], "revisit", {}, "trigger"),
    ([1], "urge", {"message": "stop\x00here"}, "message"),
    ([1], "urge", {"message": "\ud800"}, "message"),
    ([1], "urge", {"colour": "red"}, "colour"),
    ([1], "urge", {"message": ["a"]}, "message"),
])
def test_a_request_that_cannot_be_right_is_refused_whole(rectify, org, flow, ids, trigger,
                                                         payload, field):
    finding = assigned(flow, org.inspector, org.group_a.id)
    before = all_events(rectify)
    with pytest.raises(InvalidInput) as info:
        bulk(rectify, org.inspector, ids, trigger, payload)
    assert field in info.value.errors
    assert {"zh", "en"} <= set(info.value.errors[field])
    assert all_events(rectify) == before and flow.finding(finding.id).version == finding.version


def test_the_limit_counts_distinct_findings(rectify, org, flow):
    finding = assigned(flow, org.inspector, org.group_a.id)
    out, order = bulk(rectify, org.inspector, [finding.id] * (MAX_FINDINGS + 5), "urge", URGE)
    assert order == [finding.id] and out[finding.id].done


def test_a_refusal_after_the_state_changed_in_memory_is_not_written_by_the_next(
        rectify, org, flow, monkeypatch):
    """A fire refused halfway (its new state set on the row, then an error) must not reach the
    database with the next finding's commit."""
    import workflow.services.firing as firing
    broken, fine = (assigned(flow, org.inspector, org.group_a.id) for _ in range(2))
    real = firing.chain_event

    def failing_for_one(session, finding, *args, **kwargs):
        if finding.id == broken.id:
            raise StaleFinding(finding.id, None, None)
        return real(session, finding, *args, **kwargs)

    monkeypatch.setattr(firing, "chain_event", failing_for_one)
    before = flow.snapshot(broken.id)
    out, _ = bulk(rectify, org.inspector, [broken.id, fine.id], "withdraw",
                  {"reason": "Raised in error at the visit"})
    assert isinstance(out[broken.id].error, StaleFinding) and out[fine.id].done
    after = flow.snapshot(broken.id)
    assert (after["row"], after["events"]) == (before["row"], before["events"])
    assert flow.finding(fine.id).state == "withdrawn"


def test_the_actions_offered_on_a_page_read_the_raising_bodies_in_one_query(rectify, org, flow,
                                                                           inspector_b):
    """The ledger's action bar judges independence from each finding's raising body: read for
    the page at once (one query), and not at all when the session holds them already."""
    by_body = [assigned(flow, org.inspector, org.group_a.id) for _ in range(2)]
    by_group = [assigned(flow, inspector_b, org.sub_b1.id) for _ in range(2)]
    ids = [f.id for f in by_body + by_group]
    sent: list[str] = []

    def tally(conn, cursor, statement, *rest):
        sent.append(statement)

    with rectify.unit_of_work(write=False) as uow:
        page = list(uow.session.scalars(select(Finding).where(Finding.id.in_(ids))
                                        .options(joinedload(Finding.unit)).order_by(Finding.id)))
        sa_event.listen(rectify.database.engine, "before_cursor_execute", tally)
        try:
            first = actions_on(uow, org.supervisor, page)
            after_first = len(sent)
            again = actions_on(uow, org.supervisor, page)
        finally:
            sa_event.remove(rectify.database.engine, "before_cursor_execute", tally)
        one_by_one = {f.id: [t for t in BULK_TRIGGERS
                             if (spec := uow.registry.get(f.lifecycle, f.lifecycle_version)
                                 .transition(f.state, t)) is not None
                             and refusal(org.supervisor, spec, f) is None] for f in page}
    assert (after_first, len(sent)) == (1, 1)  # two bodies (IB, GB): one query, then none
    assert first == again == one_by_one
    assert all("urge" in first[i] for i in ids)  # the supervisor is above both bodies
