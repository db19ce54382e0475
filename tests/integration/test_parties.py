"""Parties to a finding (v3, SQLite and PostgreSQL): the body an escalation is addressed to, the
lead body and co-responsible units — who sees the finding, who may act on which part, when it
may close, and the audited column and its index agreeing after every step."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from workflow.errors import Forbidden, GuardFailed, TransitionNotAllowed, UnknownFinding
from workflow.models import Finding, FindingParty, User
from workflow.services import available_transitions, get_finding, ledger, verify_all
from workflow.services.ledger import LedgerFilter
from workflow.services.parties import index_agrees, parties_of
from workflow.services.work import my_work

FINDINGS = Finding.__table__


def add_user(rectify, username, roles, unit) -> User:
    with rectify.unit_of_work() as uow:
        user = User(username=username, display_name=username, password_hash="-", roles=roles,
                    unit_id=unit.id)
        uow.session.add(user)
        uow.commit()
        return load(rectify, user.id)


def load(rectify, user_id) -> User:
    with rectify.unit_of_work(write=False) as uow:
        user = uow.session.scalars(select(User).where(User.id == user_id)
                                   .options(joinedload(User.unit))).one()
        uow.session.expunge_all()
        return user


def agree(rectify, finding_id) -> bool:
    with rectify.unit_of_work(write=False) as uow:
        return index_agrees(uow.session, uow.session.get(Finding, finding_id))


def offered(rectify, finding_id, user) -> list[str]:
    with rectify.unit_of_work(write=False) as uow:
        finding = get_finding(uow.session, user, finding_id)
        return [t.trigger for t in available_transitions(uow, finding, user)]


@pytest.fixture
def shared(flow, org, rectify):
    """A standard v3 finding at group_a, assigned, with group_b co-responsible for a part; and
    a second group_b supervisor-less finding nobody shares (group_a's own)."""
    fid = flow.raise_().id
    flow.fire(fid, "assign")
    flow.fire(fid, "add_co_responsible", org.inspector,
              {"unit": org.group_b.id, "part": "Clear the shared corridor"})
    assert agree(rectify, fid)
    return fid


def test_a_co_responsible_unit_sees_the_finding_and_acts_on_its_part_only(
        shared, flow, org, rectify):
    other = flow.raise_().id  # group_a's, not shared: handler_b never sees it
    with rectify.unit_of_work(write=False) as uow:
        assert get_finding(uow.session, org.handler_b, shared).id == shared
        with pytest.raises(UnknownFinding):
            get_finding(uow.session, org.handler_b, other)
        listed = {f.id for f in ledger(uow.session, org.handler_b, LedgerFilter(),
                                       uow.today()).items}
        assert shared in listed and other not in listed
        assert [f.id for f in my_work(uow, org.handler_b).items] == [shared]
    assert offered(rectify, shared, org.handler_b) == ["report_part"]
    for trigger in ("report_rectification", "acknowledge"):
        with flow.refused(shared, Forbidden) as caught:
            flow.fire(shared, trigger, org.handler_b)
        assert caught.value.reason["en"].startswith("Your unit takes part in this finding only")
    flow.fire(shared, "report_part", org.handler_b, {"measures": "Corridor cleared our side"})
    finding = flow.finding(shared)
    assert [(p.role, p.unit_id, p.done) for p in parties_of(finding)] == [
        ("co_responsible", org.group_b.id, True)]
    assert agree(rectify, shared)
    with flow.refused(shared, GuardFailed) as caught:  # a part is reported once
        flow.fire(shared, "report_part", org.handler_b, {"measures": "Cleared again, twice"})
    assert caught.value.guard == "part_not_done"
    assert offered(rectify, shared, org.handler_b) == []
    with rectify.unit_of_work(write=False) as uow:
        assert my_work(uow, org.handler_b).items == []


def test_a_party_only_viewer_gets_nothing_from_inspecting_transitions(
        shared, flow, org, rectify):
    """A supervisor at group_b (a co-responsible unit, not above the finding's unit) sees it
    but may neither urge nor add parties: those belong to the bodies above group_a."""
    boss_b = add_user(rectify, "boss_b", "supervisor inspector", org.group_b)
    assert offered(rectify, shared, boss_b) == []
    with flow.refused(shared, Forbidden):
        flow.fire(shared, "urge", boss_b, {"message": "Hurry up please"})
    with flow.refused(shared, Forbidden):
        flow.fire(shared, "add_co_responsible", boss_b, {"unit": org.sub_b1.id, "part": "More"})


def test_confirm_waits_for_every_part(shared, flow, org, rectify):
    flow.drive(shared, "report_rectification", "revisit")
    assert "confirm" not in offered(rectify, shared, org.reviewer)
    with flow.refused(shared, GuardFailed) as caught:
        flow.fire(shared, "confirm", org.reviewer)
    assert caught.value.guard == "parts_done"
    flow.fire(shared, "report_part", org.handler_b, {"measures": "Corridor cleared our side"})
    assert "confirm" in offered(rectify, shared, org.reviewer)
    assert flow.fire(shared, "confirm", org.reviewer).state == "closed"
    assert agree(rectify, shared)


def test_not_a_party_yet(shared, flow, org):
    for unit, text in ((org.group_b, "already"), (org.group_a, "responsible unit")):
        with flow.refused(shared, GuardFailed) as caught:
            flow.fire(shared, "add_co_responsible", org.inspector,
                      {"unit": unit.id, "part": "Something"})
        assert text in caught.value.message["en"]


def escalated(flow, org, to_body):
    fid = flow.raise_("escalation", unit=org.sub_a1.id).id
    flow.fire(fid, "assign")
    return flow.fire(fid, "escalate", org.handler_a1,
                     {"obstacle": "Needs the landlord", "help_needed": "Talk to them",
                      "to_body": to_body.id})


def test_escalation_goes_to_a_body_above_the_unit(flow, org):
    fid = flow.raise_("escalation", unit=org.sub_a1.id).id
    flow.fire(fid, "assign")
    for body in (org.sub_a1, org.sub_a2, org.group_b):  # itself, a sister, elsewhere
        with flow.refused(fid, GuardFailed) as caught:
            flow.fire(fid, "escalate", org.handler_a1,
                      {"obstacle": "Needs the landlord", "help_needed": "Talk",
                       "to_body": body.id})
        assert caught.value.guard == "unit_above_finding"
    escalated_finding = flow.fire(fid, "escalate", org.handler_a1, {
        "obstacle": "Needs the landlord", "help_needed": "Talk", "to_body": org.group_a.id})
    assert [(p.role, p.unit_id) for p in parties_of(escalated_finding)] == [
        ("addressee", org.group_a.id)]
    assert escalated_finding.state == "escalated"


def test_only_the_addressed_body_decides(flow, org, rectify):
    finding = escalated(flow, org, org.group_a)
    boss_a = add_user(rectify, "boss_a", "supervisor", org.group_a)
    # the commission's supervisor is above the raiser, yet the escalation is not addressed to it
    assert "accept_escalation" not in offered(rectify, finding.id, org.supervisor)
    with flow.refused(finding.id, Forbidden) as caught:
        flow.fire(finding.id, "accept_escalation", org.supervisor, {"plan": "We do it"})
    assert caught.value.reason["en"] == ("This step is only for the body the escalation is "
                                         "addressed to.")
    with flow.refused(finding.id, Forbidden):
        flow.fire(finding.id, "decline_escalation", org.supervisor, {"reason": "Do it yourself"})
    assert offered(rectify, finding.id, boss_a) == ["accept_escalation", "decline_escalation"]
    flow.fire(finding.id, "accept_escalation", boss_a, {"plan": "Group A leads"})
    after = flow.finding(finding.id)
    assert [(p.role, p.unit_id) for p in parties_of(after)] == [
        ("addressee", org.group_a.id), ("lead", org.group_a.id)]  # empty lead: the addressee
    assert agree(rectify, finding.id)
    # the lead brings in a co-responsible unit, and closes the coordination
    flow.fire(finding.id, "add_co_responsible", boss_a, {"unit": org.sub_a2.id, "part": "Keys"})
    with flow.refused(finding.id, Forbidden):
        flow.fire(finding.id, "complete_coordination", org.supervisor,
                  {"outcome": "Landlord agreed", "due_date": flow.today().isoformat()})
    flow.fire(finding.id, "complete_coordination", boss_a,
              {"outcome": "Landlord agreed", "due_date": flow.today().isoformat()})
    assert agree(rectify, finding.id)


def test_a_named_lead_body_leads(flow, org, rectify):
    finding = escalated(flow, org, org.commission)
    flow.fire(finding.id, "accept_escalation", org.supervisor,
              {"plan": "Inspection body leads", "coordinator": org.inspection_body.id})
    assert [(p.role, p.unit_id) for p in parties_of(flow.finding(finding.id))] == [
        ("addressee", org.commission.id), ("lead", org.inspection_body.id)]
    with flow.refused(finding.id, Forbidden):  # the commission addressed, but does not lead
        flow.fire(finding.id, "complete_coordination", org.supervisor,
                  {"outcome": "Landlord agreed", "due_date": flow.today().isoformat()})


def test_verify_catches_the_column_and_the_index_disagreeing(shared, rectify, org):
    with rectify.unit_of_work() as uow:  # the column edited in SQL: the digest and the index
        uow.session.execute(update(FINDINGS).where(FINDINGS.c.id == shared)
                            .values(parties=f"co_responsible:{org.group_b.id}+"))
        uow.commit()
    with rectify.unit_of_work(write=False) as uow:
        problems = {f.id: [p.problem for p in ps] for f, ps in verify_all(uow.session)}
    assert any("finding_parties index disagrees" in p for p in problems[shared])


def test_verify_catches_a_deleted_index_row(shared, rectify):
    with rectify.unit_of_work() as uow:
        uow.session.execute(delete(FindingParty).where(FindingParty.finding_id == shared))
        uow.commit()
    with rectify.unit_of_work(write=False) as uow:
        problems = {f.id: [p.problem for p in ps] for f, ps in verify_all(uow.session)}
    assert [p for p in problems[shared] if "finding_parties" in p]


def test_an_unknown_trigger_lists_the_party_steps(shared, flow, org):
    with flow.refused(shared, TransitionNotAllowed) as caught:
        flow.fire(shared, "confirm", org.handler_b)
    assert caught.value.allowed == ["report_part"]
