"""The engine's services on a real database (SQLite and PostgreSQL): the lifecycle, each error
leaving nothing changed, the ledger, extensions and reassignment, definition pinning, the
append-only audit trail, and the Alembic head matching the models."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from alembic.migration import MigrationContext
from db_support import schema_differences
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from workflow.errors import (
    DefinitionError,
    Forbidden,
    GuardFailed,
    InvalidInput,
    InvalidPayload,
    StaleFinding,
    TransitionNotAllowed,
    UnknownFinding,
)
from workflow.guards import GUARDS, Context
from workflow.models import Attachment, Event, Finding, FindingAttachment, User
from workflow.runtime import Rectify
from workflow.services import available_transitions, fire, get_finding, history, verify_all

TOMORROW, IN_TWO_WEEKS = timedelta(days=1), timedelta(days=14)


def assert_bilingual(errors: dict[str, dict[str, str]], fields: set[str]) -> None:
    assert set(errors) == fields
    for message in errors.values():
        assert set(message) == {"zh", "en"}
        assert message["zh"].strip() and message["en"].strip()


# --- the standard lifecycle end to end --------------------------------------------------------


def test_standard_finding_runs_from_raise_to_close(rectify, org, flow, clock, png):
    today = flow.today()
    finding = flow.raise_(title="Fire exit blocked by boxes", severity="high")
    assert (finding.state, finding.is_open, finding.version) == ("raised", True, 1)
    assert finding.code == "2026-0001"
    fid = finding.id

    finding = flow.fire(fid, "assign", org.inspector, {
        "requirement": "Clear the exits, name a fire warden",
        "due_date": (today + IN_TWO_WEEKS).isoformat()})
    assert (finding.state, finding.version) == ("assigned", 2)
    assert finding.due_date == today + IN_TWO_WEEKS
    assert finding.requirement == "Clear the exits, name a fire warden"

    with rectify.unit_of_work() as uow:  # the handler uploads a photo first
        photo = uow.store.put(uow.session, png(7), "after.png", org.handler_a)
        uow.commit()
    assert photo.media_type == "image/png"
    clock.advance(days=3)
    finding = flow.fire(fid, "report_rectification", org.handler_a, {
        "measures": "Boxes moved to the store room", "evidence": [photo.sha256]})
    assert finding.state == "rectified"
    assert finding.rectified_at == clock()
    with rectify.unit_of_work(write=False) as uow:
        link = uow.session.get(FindingAttachment, (fid, photo.id))
        assert link is not None
        assert uow.store.read(uow.session.get(Attachment, photo.id)) == png(7)

    flow.fire(fid, "revisit", org.reviewer)
    with flow.refused(fid, InvalidPayload) as refused:  # a reason is required to send it back
        flow.fire(fid, "reject", org.reviewer, {"reason": "  "})
    assert_bilingual(refused.value.errors, {"reason"})
    new_due = today + timedelta(days=20)
    finding = flow.fire(fid, "reject", org.reviewer,
                        {"reason": "Boxes are back at night", "due_date": new_due.isoformat()})
    assert (finding.state, finding.rework_rounds) == ("assigned", 1)
    assert finding.rectified_at is None and finding.due_date == new_due

    flow.fire(fid, "report_rectification", org.handler_a)
    flow.fire(fid, "revisit", org.reviewer)
    clock.advance(hours=2)
    finding = flow.fire(fid, "confirm", org.reviewer, {"conclusion": "In place"})
    assert (finding.state, finding.is_open, finding.closed_at) == ("closed", False, clock())
    assert finding.rework_rounds == 1 and finding.version == 8

    with rectify.unit_of_work(write=False) as uow:
        events = history(uow.session, finding)
        assert [e.trigger for e in events] == [
            "raise", "assign", "report_rectification", "revisit", "reject",
            "report_rectification", "revisit", "confirm"]
        assert [e.seq for e in events] == list(range(1, 9))
        assert [e.actor_id for e in events] == [
            org.inspector.id, org.inspector.id, org.handler_a.id, org.reviewer.id,
            org.reviewer.id, org.handler_a.id, org.reviewer.id, org.reviewer.id]
        assert events[0].from_state is None
        for before, after in zip(events, events[1:], strict=False):
            assert after.from_state == before.to_state and after.prev_hash == before.hash
        assert events[2].payload["evidence"] == [photo.sha256]
        assert events[-1].created_at == clock()
        closed = uow.session.get(Finding, fid)
        assert available_transitions(uow, closed, org.admin) == []
        assert list(verify_all(uow.session)) == []


@pytest.mark.parametrize("lifecycle, path, final", [
    ("immediate", ["fix_on_spot", "verify_on_spot"], "closed"),
    ("escalation", ["assign", "escalate", "accept_escalation", "complete_coordination",
                    "report_rectification", "confirm"], "closed"),
    ("suggestion", ["adopt", "report_implementation"], "implemented"),
    ("standard", ["assign", "request_extension", "deny_extension", "waive"], "waived"),
])
def test_every_lifecycle_reaches_a_final_state(flow, lifecycle, path, final):
    finding = flow.raise_(lifecycle)
    finding = flow.drive(finding.id, *path)
    assert (finding.state, finding.is_open) == (final, False)
    assert finding.closed_at is not None
    assert [e.trigger for e in flow.events(finding.id)] == ["raise", *path]


@pytest.mark.parametrize("outcome", ["held", "recurred"])
def test_a_look_back_keeps_the_finding_closed_and_a_recurrence_is_raised_once(
        rectify, org, flow, clock, outcome):
    """standard v2: the look-back (回头看) on a closed finding stays in 'closed' with its closing
    moment; 'recurred' raises one linked finding, and the original's row is written once."""
    closed = flow.drive(flow.raise_().id, "assign", "report_rectification", "revisit", "confirm")
    assert closed.lookback_due_date is not None and closed.closed_at == clock()
    clock.advance(days=30)
    after = flow.fire(closed.id, "look_back", payload={
        "visited_on": flow.today().isoformat(), "outcome": outcome, "observations": "Checked"})
    after = flow.finding(closed.id)
    assert (after.state, after.is_open, after.closed_at) == ("closed", False, closed.closed_at)
    assert after.lookback_due_date is None and after.version == closed.version + 1
    assert after.recurrences == (outcome == "recurred")
    with rectify.unit_of_work(write=False) as uow:
        linked = list(uow.session.scalars(select(Finding).where(
            Finding.recurrence_of_id == closed.id)))
        newest = max(lc.version for lc in uow.registry.all() if lc.name == "standard")
        assert [(f.state, f.is_open, f.unit_id, f.raised_by_unit_id, f.lifecycle_version)
                for f in linked] == ([("raised", True, org.group_a.id, org.inspection_body.id,
                                       newest)]
                                     if outcome == "recurred" else [])
        assert list(verify_all(uow.session)) == []
    with flow.refused(closed.id, GuardFailed) as refused:  # looked back once: nothing pending
        flow.fire(closed.id, "look_back")
    assert refused.value.guard == "lookback_due"


# --- each refusal, and that it changed nothing ------------------------------------------------


def test_missing_and_out_of_scope_findings_are_the_same_unknown(rectify, org, flow):
    fid = flow.raise_().id  # at group_a
    flow.fire(fid, "assign")
    with flow.refused(fid, UnknownFinding) as missing, rectify.unit_of_work() as uow:
        fire(uow, 999_999, "report_rectification", org.handler_b, {})
    for outsider in (org.handler_b, org.handler_a1):  # another group; a subsidiary below
        with flow.refused(fid, UnknownFinding) as hidden:
            flow.fire(fid, "report_rectification", outsider,
                      {"measures": "Done it all", "evidence": [flow.evidence(outsider)]})
        assert type(hidden.value) is type(missing.value)
        assert str(hidden.value) == f"unknown finding {fid!r}"
        assert str(missing.value) == "unknown finding 999999"
        with rectify.unit_of_work(write=False) as uow:
            with pytest.raises(UnknownFinding):
                get_finding(uow.session, outsider, fid)
            assert available_transitions(uow, uow.session.get(Finding, fid), outsider) == []


def test_a_trigger_not_allowed_names_the_triggers_that_are(org, flow):
    fid = flow.raise_().id
    with flow.refused(fid, TransitionNotAllowed) as refused:
        flow.fire(fid, "confirm", org.inspector, {})
    err = refused.value
    assert (err.trigger, err.state) == ("confirm", "raised")
    assert err.allowed == ["assign", "reassign", "withdraw", "split_off"]
    assert "allowed now: assign, reassign, withdraw, split_off" in str(err)
    with flow.refused(fid, TransitionNotAllowed) as refused:  # the handler may do nothing yet
        flow.fire(fid, "no_such_trigger", org.handler_a, {})
    assert refused.value.allowed == [] and "allowed now: none" in str(refused.value)


def test_a_role_the_transition_does_not_name_is_forbidden(org, flow):
    fid = flow.raise_().id
    with flow.refused(fid, Forbidden) as refused:
        flow.fire(fid, "assign", org.handler_a,
                  {"requirement": "Do it", "due_date": flow.today().isoformat()})
    assert "inspector" in str(refused.value) and "supervisor" in str(refused.value)
    flow.drive(fid, "assign", "request_extension")
    with flow.refused(fid, Forbidden):
        flow.fire(fid, "approve_extension", org.reviewer, {})


def test_an_invalid_payload_names_every_bad_field_in_both_languages(org, flow, flow_v1):
    old = flow_v1.raise_().id  # v1: the due date is required
    with flow_v1.refused(old, InvalidPayload) as refused:
        flow_v1.fire(old, "assign", org.inspector, {})
    assert_bilingual(refused.value.errors, {"requirement", "due_date"})
    assert refused.value.errors["due_date"]["en"] == "This field is required."
    fid = flow.raise_().id  # v2: it may be left out (the default by severity)
    with flow.refused(fid, InvalidPayload) as refused:
        flow.fire(fid, "assign", org.inspector, {})
    assert_bilingual(refused.value.errors, {"requirement"})
    assert refused.value.errors["requirement"]["en"] == "This field is required."
    yesterday = (flow.today() - TOMORROW).isoformat()
    with flow.refused(fid, InvalidPayload) as refused:
        flow.fire(fid, "assign", org.inspector,
                  {"requirement": "Clear it", "due_date": yesterday, "colour": "red"})
    assert_bilingual(refused.value.errors, {"due_date", "colour"})
    assert "Enter a date on or after" in refused.value.errors["due_date"]["en"]

    flow.fire(fid, "assign")
    someone_elses = flow.evidence(org.handler_b)  # uploaded by another user, not linked here
    with flow.refused(fid, InvalidPayload) as refused:
        flow.fire(fid, "report_rectification", org.handler_a,
                  {"measures": "ok", "evidence": [someone_elses]})
    assert_bilingual(refused.value.errors, {"measures", "evidence"})


def test_guards_refuse_an_early_extension_and_confirming_your_own_report(org, flow, rectify):
    today = flow.today()
    # at sub_a1, so handler_reviewer_a (group_a) sits above it and only the guard can refuse
    fid = flow.raise_(unit=org.sub_a1.id).id
    flow.fire(fid, "assign", payload={"requirement": "Fix",
                                      "due_date": (today + timedelta(days=10)).isoformat()})
    for wanted in (today + timedelta(days=5), today + timedelta(days=10)):  # before, equal
        with flow.refused(fid, GuardFailed) as refused:
            flow.fire(fid, "request_extension", org.handler_a1,
                      {"requested_due_date": wanted.isoformat(), "reason": "Parts on order"})
        assert refused.value.guard == "date_after_due_date"
        assert set(refused.value.message) == {"zh", "en"}

    # handler_reviewer_a (handler + reviewer at group_a) reports; confirming it is refused by
    # the independence rule first (group A did not raise it) ...
    flow.fire(fid, "report_rectification", org.handler_reviewer_a)
    flow.fire(fid, "revisit", org.reviewer)
    with flow.refused(fid, Forbidden):
        flow.fire(fid, "confirm", org.handler_reviewer_a, {})
    # ... and the definition's guard refuses it too: a second line of defence
    with rectify.unit_of_work(write=False) as uow:
        finding = uow.session.get(Finding, fid)
        guard = GUARDS["actor_did_not_fire"]
        params = {"trigger": "report_rectification"}
        for user, refuses in ((org.handler_reviewer_a, True), (org.reviewer, False)):
            actor = uow.session.get(User, user.id)
            ctx = Context(uow.session, finding, actor, {}, uow.now(), uow.today())
            message = guard.check(ctx, params)
            assert (message is not None) is refuses
        assert guard.check(Context(uow.session, finding, uow.session.get(
            User, org.handler_reviewer_a.id), {}, uow.now(), uow.today()), params) == {
            "zh": "不能复核自己报送的整改。",
            "en": "You cannot confirm a rectification you reported yourself."}
    assert flow.fire(fid, "confirm", org.reviewer, {}).state == "closed"


def test_a_wrong_expected_version_is_stale(org, flow):
    finding = flow.raise_()
    finding = flow.fire(finding.id, "assign", expected_version=finding.version)
    assert finding.version == 2
    for wrong in (1, 3):
        with flow.refused(finding.id, StaleFinding) as refused:
            flow.fire(finding.id, "withdraw", org.inspector, {"reason": "Raised in error"},
                      expected_version=wrong)
        assert (refused.value.expected, refused.value.actual) == (wrong, 2)


def test_unit_differs_guard_and_bad_unit_on_reassign(org, flow):
    fid = flow.raise_().id
    with flow.refused(fid, GuardFailed) as refused:
        flow.fire(fid, "reassign", org.inspector, {"unit": org.group_a.id, "reason": "Same"})
    assert refused.value.guard == "unit_differs"
    with flow.refused(fid, InvalidPayload) as refused:  # the commission is above the inspector
        flow.fire(fid, "reassign", org.inspector, {"unit": org.commission.id, "reason": "Up"})
    assert_bilingual(refused.value.errors, {"unit"})


# --- extensions and reassignment --------------------------------------------------------------


@pytest.mark.parametrize("decision, extended", [("approve_extension", True),
                                                ("deny_extension", False)])
def test_an_extension_decision_sets_the_due_date_or_keeps_it(org, flow, decision, extended):
    today = flow.today()
    due, wanted = today + timedelta(days=10), today + timedelta(days=25)
    fid = flow.raise_().id
    flow.fire(fid, "assign", payload={"requirement": "Fix", "due_date": due.isoformat()})
    finding = flow.fire(fid, "request_extension", org.handler_a,
                        {"requested_due_date": wanted.isoformat(), "reason": "Parts on order"})
    assert (finding.state, finding.due_date, finding.pending_due_date) == (
        "extension_requested", due, wanted)
    finding = flow.fire(fid, decision, org.supervisor)
    assert finding.state == "assigned" and finding.pending_due_date is None
    assert finding.due_date == (wanted if extended else due)


def test_reassign_moves_the_finding_out_of_the_old_handlers_reach(rectify, org, flow):
    fid = flow.raise_(unit=org.sub_a1.id).id
    flow.fire(fid, "assign")
    finding = flow.fire(fid, "reassign", org.inspector, {"unit": org.sub_b1.id,
                                                         "reason": "It is B's warehouse"})
    assert (finding.state, finding.unit_id) == ("assigned", org.sub_b1.id)
    for old in (org.handler_a1, org.handler_a):
        with flow.refused(fid, UnknownFinding):
            flow.fire(fid, "report_rectification", old,
                      {"measures": "Done it all", "evidence": [flow.evidence(old)]})
    assert flow.fire(fid, "report_rectification", org.handler_b).state == "rectified"
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.get(Event, 3).payload["unit"]["code"] == "GB-1"


# --- definitions are pinned by hash ----------------------------------------------------------


def test_a_changed_definition_file_refuses_to_fire(database_url, tmp_path, org, flow, clock):
    fid = flow.raise_().id
    definitions = tmp_path / "definitions"
    shutil.copytree(flow.app.settings.definitions_path, definitions)
    standard = definitions / "standard.v3.yaml"  # the version the finding runs on
    standard.write_text(standard.read_text(encoding="utf-8").replace(
        "zh: 交办\n", "zh: 交办任务\n", 1), encoding="utf-8")
    settings = flow.app.settings.__class__(database_url=database_url,
                                           instance_path=tmp_path / "instance",
                                           definitions_path=definitions)
    changed = Rectify(settings, clock=clock)
    try:
        before = flow.snapshot(fid)
        with changed.unit_of_work() as uow, pytest.raises(DefinitionError) as refused:
            fire(uow, fid, "assign", org.inspector,
                 {"requirement": "Fix", "due_date": flow.today().isoformat()})
        assert "standard@3 changed after finding 2026-0001" in str(refused.value)
        assert flow.snapshot(fid) == before
        with changed.unit_of_work(write=False) as uow, pytest.raises(DefinitionError):
            available_transitions(uow, uow.session.get(Finding, fid), org.inspector)
    finally:
        changed.database.dispose()


# --- the audit trail is append-only ----------------------------------------------------------


def test_the_orm_refuses_to_update_or_delete_an_event(rectify, flow):
    fid = flow.raise_().id
    before = flow.snapshot(fid)
    with rectify.unit_of_work() as uow:
        event = uow.session.scalars(select(Event).where(Event.finding_id == fid)).one()
        event.payload = {"title": "something else"}
        with pytest.raises(PermissionError, match="append-only"):
            uow.session.flush()
    with rectify.unit_of_work() as uow:
        uow.session.delete(uow.session.scalars(select(Event)).one())
        with pytest.raises(PermissionError, match="append-only"):
            uow.session.flush()
    assert flow.snapshot(fid) == before


@pytest.mark.parametrize("statement", [
    "UPDATE events SET trigger = 'assign'",
    "UPDATE events SET hash = prev_hash",
    "DELETE FROM events",
])
def test_the_database_refuses_to_update_or_delete_events(rectify, flow, statement):
    fid = flow.drive(flow.raise_().id, "assign").id
    before = flow.snapshot(fid)
    with pytest.raises(DBAPIError, match="append-only"), rectify.database.engine.begin() as conn:
        conn.execute(text(statement))
    assert flow.snapshot(fid) == before
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Event)) == 2


# --- the schema -------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_the_alembic_head_matches_the_models(rectify):
    with rectify.database.engine.connect() as conn:
        assert schema_differences(conn) == []
        assert MigrationContext.configure(conn).get_current_revision() is not None


def test_a_body_never_checks_closes_or_waives_findings_against_itself(org, flow, rectify):
    """Independence: handler_reviewer_a is reviewer AND handler at group_a; on a group_a
    finding it may report (as the unit's handler) but never revisit or confirm it."""
    fid = flow.drive(flow.raise_().id, "assign").id  # at group_a
    flow.fire(fid, "report_rectification", org.handler_reviewer_a)
    with flow.refused(fid, Forbidden) as refused:
        flow.fire(fid, "revisit", org.handler_reviewer_a)
    assert "own unit" in str(refused.value)
    with rectify.unit_of_work(write=False) as uow:
        finding = get_finding(uow.session, org.handler_reviewer_a, fid)
        assert [t.trigger for t in available_transitions(uow, finding, org.handler_reviewer_a)] == []
        assert "revisit" in [t.trigger for t in available_transitions(uow, finding, org.reviewer)]
    # and an inspector cannot raise a finding against its own unit
    with pytest.raises(InvalidInput) as info:
        flow.raise_(unit=org.inspection_body.id)
    assert "own unit" in info.value.errors["unit"]["en"]


def test_reassign_never_hands_a_finding_to_the_inspecting_body_itself(org, flow, rectify):
    fid = flow.drive(flow.raise_().id, "assign").id
    with flow.refused(fid, GuardFailed) as refused:
        flow.fire(fid, "reassign", org.inspector,
                  {"unit": org.inspection_body.id, "reason": "Keep it ourselves"})
    assert refused.value.guard == "unit_below_raising_body"  # v2's name for the same check
    moved = flow.fire(fid, "reassign", org.inspector, {"unit": org.group_b.id, "reason": "Wrong"})
    assert moved.unit_id == org.group_b.id and moved.unit.code == "GB"  # the object, too
