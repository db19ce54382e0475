"""Effects on time in standard@2, on SQLite and PostgreSQL: default due dates by severity, 签收,
复查时限, the reviewer's wait not counted, the due-date history, urging, the waiver request and the
look-back (test_lookback.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.conftest import FakeClock, Flow, Org
from tests.integration.time_support import D, assign, at, changes, notified, report, revisit
from workflow.errors import GuardFailed
from workflow.models import Notification, Unit
from workflow.runtime import Rectify
from workflow.services.accounts import create_user
from workflow.services.light import light


@pytest.mark.parametrize(("severity", "due"), [
    ("high", "2026-10-13"),  # 7: Sep 29, 30, Oct 8, 9, 10 (Saturday worked), 12, 13
    ("medium", "2026-10-16"),  # 10
    ("low", "2026-10-23"),  # 15
])
def test_default_due_date_by_severity_spans_national_day(
        flow: Flow, clock: FakeClock, severity: str, due: str) -> None:
    at(clock, "2026-09-28")
    fid = flow.raise_(severity=severity).id
    finding = assign(flow, fid)
    assert finding.due_date == D(due)
    assert changes(flow, fid) == [("assign", [None, due])]


def test_an_explicit_due_date_wins(flow: Flow, clock: FakeClock) -> None:
    at(clock, "2026-09-28")
    fid = flow.raise_(severity="high").id
    assert assign(flow, fid, "2026-11-30").due_date == D("2026-11-30")
    assert changes(flow, fid) == [("assign", [None, "2026-11-30"])]


def test_acknowledge_once(flow: Flow, clock: FakeClock, org: Org) -> None:
    at(clock, "2026-09-28")
    fid = flow.raise_().id
    finding = assign(flow, fid)
    assert finding.acknowledged_at is None
    assert finding.acknowledge_due_date == D("2026-09-29")
    assert finding.next_ladder_on == D("2026-09-30")  # not_acknowledged, a working day later
    signed = clock.advance(hours=2)
    finding = flow.fire(fid, "acknowledge", actor=org.handler_a, payload={"comment": "Received"})
    assert (finding.state, finding.acknowledged_at) == ("assigned", signed)
    assert finding.next_ladder_on == D("2026-10-13")  # due_soon of Oct 16 (medium)
    with flow.refused(fid, GuardFailed) as refusal:
        flow.fire(fid, "acknowledge", actor=org.handler_a, payload={})
    assert refusal.value.guard == "not_acknowledged"


def test_a_report_implies_acknowledgement(flow: Flow, clock: FakeClock, org: Org) -> None:
    at(clock, "2026-09-28")
    fid = flow.raise_().id
    assign(flow, fid)
    reported = clock.advance(days=1)
    finding = report(flow, org, fid)
    assert finding.acknowledged_at == reported


def test_reassigning_asks_for_acknowledgement_again(
        flow: Flow, clock: FakeClock, org: Org) -> None:
    at(clock, "2026-09-28")
    fid = flow.raise_().id
    assign(flow, fid)
    flow.fire(fid, "acknowledge", actor=org.handler_a, payload={})
    at(clock, "2026-09-30")
    finding = flow.fire(fid, "reassign", payload={"unit": org.group_b.id, "reason": "Wrong unit"})
    assert finding.acknowledged_at is None
    assert finding.acknowledge_due_date == D("2026-10-08")
    with flow.refused(fid, Exception):  # group_a no longer sees it
        flow.fire(fid, "acknowledge", actor=org.handler_a, payload={})
    assert flow.fire(fid, "acknowledge", actor=org.handler_b, payload={}).acknowledged_at


def test_the_report_sets_the_follow_up_deadline(flow: Flow, clock: FakeClock, org: Org) -> None:
    at(clock, "2026-09-28")
    fid = flow.raise_().id
    assign(flow, fid)
    finding = report(flow, org, fid)
    assert finding.review_due_date == D("2026-10-10")  # 5: Sep 29, 30, Oct 8, 9, 10 (Sat)
    assert finding.next_ladder_on == D("2026-10-09")  # review_due_soon, a day before


def test_the_reviewers_wait_does_not_count(
        flow: Flow, clock: FakeClock, org: Org, rectify: Rectify) -> None:
    at(clock, "2026-03-02")  # Monday
    fid = flow.raise_().id
    assign(flow, fid, "2026-03-06")
    report(flow, org, fid)
    at(clock, "2026-03-11")  # 7 working days waiting; the due date passed meanwhile
    waiting = flow.finding(fid)
    assert light(waiting, D("2026-03-11"), rectify.calendar).colour is None
    assert waiting.overdue_level == 0
    revisit(flow, fid)
    finding = flow.fire(fid, "reject", payload={"reason": "Still blocked at night"})
    assert finding.due_date == D("2026-03-17")  # Mar 6 + 7 working days
    assert light(finding, D("2026-03-11"), rectify.calendar).colour != "red"
    assert changes(flow, fid) == [("assign", [None, "2026-03-06"]),
                                  ("reject", ["2026-03-06", "2026-03-17"])]


def test_a_new_due_date_on_rejection_wins_over_the_resumed_clock(
        flow: Flow, clock: FakeClock, org: Org) -> None:
    at(clock, "2026-03-02")
    fid = flow.raise_().id
    assign(flow, fid, "2026-03-06")
    report(flow, org, fid)
    at(clock, "2026-03-04")
    revisit(flow, fid)
    finding = flow.fire(fid, "reject", payload={"reason": "Still blocked at night",
                                                "due_date": "2026-03-31"})
    assert finding.due_date == D("2026-03-31")
    assert changes(flow, fid)[-1] == ("reject", ["2026-03-06", "2026-03-31"])


def test_extensions_approved_and_denied_make_the_due_date_history(
        flow: Flow, clock: FakeClock) -> None:
    at(clock, "2026-03-02")
    fid = flow.raise_().id
    assign(flow, fid, "2026-03-06")
    flow.fire(fid, "request_extension", payload={"requested_due_date": "2026-03-20",
                                                 "reason": "Parts on order"})
    assert flow.finding(fid).due_date == D("2026-03-06")  # not before it is approved
    flow.fire(fid, "approve_extension", payload={"comment": "Agreed"})
    flow.fire(fid, "request_extension", payload={"requested_due_date": "2026-04-30",
                                                 "reason": "More parts on order"})
    finding = flow.fire(fid, "deny_extension", payload={"reason": "No reason to wait"})
    assert (finding.due_date, finding.pending_due_date) == (D("2026-03-20"), None)
    assert changes(flow, fid) == [("assign", [None, "2026-03-06"]),
                                  ("approve_extension", ["2026-03-06", "2026-03-20"])]
    events = {e.trigger: e.payload for e in flow.events(fid)}
    assert events["request_extension"]["requested_due_date"] == "2026-04-30"
    assert events["deny_extension"] == {"reason": "No reason to wait"}


def test_urging_records_an_event_and_notifies_the_unit(
        flow: Flow, clock: FakeClock, org: Org, rectify: Rectify) -> None:
    fid = flow.raise_().id
    assign(flow, fid, "2026-03-20")
    before = flow.snapshot(fid)["row"]
    clock.advance(hours=1)
    flow.fire(fid, "urge", actor=org.inspector, payload={"message": "Please report by Friday"})
    after = flow.snapshot(fid)["row"]
    moved = {"version", "updated_at", "last_seq", "last_hash",  # the chain, the derived facts:
             "last_action_trigger", "last_action_at", "state_since_us", "state_us"}
    assert after["last_action_trigger"] == "urge"
    assert {k: v for k, v in after.items() if k not in moved} == {
        k: v for k, v in before.items() if k not in moved}
    event = flow.events(fid)[-1]
    assert (event.trigger, event.from_state, event.to_state) == ("urge", "assigned", "assigned")
    assert event.payload == {"message": "Please report by Friday"}
    assert notified(rectify, fid, event.seq) == ["handler_a", "handler_reviewer_a", "supervisor"]
    flow.fire(fid, "urge", actor=org.supervisor, payload={"message": "Report today"})
    assert notified(rectify, fid, event.seq + 1) == ["handler_a", "handler_reviewer_a"]


def test_a_waiver_request_approved_and_denied_are_both_recorded(
        flow: Flow, org: Org, rectify: Rectify) -> None:
    fid = flow.raise_().id
    assign(flow, fid, "2026-03-20")
    ask = {"justification": "We followed the order we were given in good faith"}
    flow.fire(fid, "request_waiver", actor=org.handler_a, payload=ask)
    assert flow.finding(fid).state == "waiver_requested"
    assert notified(rectify, fid, 3) == ["inspector", "supervisor"]
    assert flow.fire(fid, "deny_waiver", payload={"reason": "Not covered"}).state == "assigned"
    flow.fire(fid, "request_waiver", actor=org.handler_a, payload=ask)
    finding = flow.fire(fid, "approve_waiver", payload={"comment": "Covered by 容错"})
    assert (finding.state, finding.is_open) == ("waived", False)
    trail = [(e.trigger, e.actor_id, e.payload) for e in flow.events(fid)][2:]
    assert trail == [("request_waiver", org.handler_a.id, ask),
                     ("deny_waiver", org.supervisor.id, {"reason": "Not covered"}),
                     ("request_waiver", org.handler_a.id, ask),
                     ("approve_waiver", org.supervisor.id, {"comment": "Covered by 容错"})]


def test_someone_two_audiences_reach_is_told_once(
        flow: Flow, rectify: Rectify, org: Org) -> None:
    with rectify.unit_of_work() as uow:  # a handler who also leads group A
        create_user(uow.session, "both_a", "both_a", org.password, ["handler", "supervisor"],
                    uow.session.get(Unit, org.group_a.id))
        uow.commit()
    fid = flow.raise_().id
    assign(flow, fid, "2026-03-20")
    flow.fire(fid, "urge", actor=org.inspector, payload={"message": "Report soon please"})
    assert notified(rectify, fid, 3) == ["both_a", "handler_a", "handler_reviewer_a"]
    with rectify.unit_of_work(write=False) as uow:
        keys = uow.session.scalars(select(Notification.key).where(
            Notification.finding_id == fid).order_by(Notification.id)).all()
    code = flow.finding(fid).code
    assert [key.rsplit(":", 1)[0] for key in keys] == [f"{code}:2"] * 3 + [f"{code}:3"] * 3


def test_reassigning_tells_the_new_units_handlers(
        flow: Flow, clock: FakeClock, org: Org, rectify: Rectify) -> None:
    fid = flow.raise_().id
    assign(flow, fid, "2026-03-20")
    flow.fire(fid, "reassign", payload={"unit": org.group_b.id, "reason": "Wrong unit"})
    assert notified(rectify, fid, 3) == ["handler_b"]


def test_an_immediate_finding_raised_on_a_holiday_is_due_the_next_working_day(
        flow: Flow, clock: FakeClock) -> None:
    at(clock, "2026-10-02")
    finding = flow.raise_("immediate")
    assert finding.due_date == D("2026-10-08")
    assert finding.next_ladder_on == D("2026-10-08")  # due_today
    assert changes(flow, finding.id) == [("raise", [None, "2026-10-08"])]


def test_reassigning_before_assignment_asks_no_acknowledgement_yet(
        flow: Flow, clock: FakeClock, org: Org) -> None:
    at(clock, "2026-03-02")
    fid = flow.raise_().id
    finding = flow.fire(fid, "reassign", payload={"unit": org.group_b.id, "reason": "Wrong unit"})
    assert (finding.acknowledge_due_date, finding.next_ladder_on) == (None, None)
    at(clock, "2026-03-04")
    finding = assign(flow, fid, "2026-03-20")
    assert finding.acknowledge_due_date == D("2026-03-05")


def test_an_escalation_finding_owes_acknowledgement_on_assignment(
        flow: Flow, clock: FakeClock) -> None:
    at(clock, "2026-09-30")
    fid = flow.raise_("escalation", severity="high").id
    finding = assign(flow, fid)
    assert finding.acknowledge_due_date == D("2026-10-08")
    assert finding.due_date == D("2026-10-20")  # 10: Oct 8, 9, 10 (Sat), 12-16, 19, 20


def test_the_default_due_date_counts_from_the_local_day(flow: Flow, clock: FakeClock) -> None:
    clock.set(datetime(2026, 9, 27, 17, 0, tzinfo=UTC))  # Sunday in UTC, Monday 01:00 in Shanghai
    fid = flow.raise_(severity="high").id
    assert assign(flow, fid).due_date == D("2026-10-13")  # from Sep 28, not from Sep 27
