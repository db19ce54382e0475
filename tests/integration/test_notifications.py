"""Notifications written with the event, on SQLite and PostgreSQL: one per recipient per event
(unique keys), outbox rows only for the channels a user takes immediately, and who each audience
means on the unit tree."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import FakeClock, Flow, Org
from workflow.models import Finding, Notification, OutboxMessage, User, WebhookEndpoint
from workflow.runtime import Rectify
from workflow.services.accounts import create_user
from workflow.services.notify import recipients

REQUIREMENT = "Clear the exits and name a fire warden"


def assign(flow: Flow, fid: int) -> Finding:
    return flow.fire(fid, "assign", payload={"requirement": REQUIREMENT, "due_date": "2026-03-20"})


def set_user(rectify: Rectify, user: User, **columns: Any) -> None:
    with rectify.unit_of_work() as uow:
        row = uow.session.get(User, user.id)
        assert row is not None
        for name, value in columns.items():
            setattr(row, name, value)
        uow.commit()


def add_user(rectify: Rectify, org: Org, name: str, role: str, unit: str) -> User:
    with rectify.unit_of_work() as uow:
        user = create_user(uow.session, name, name, org.password, [role],
                           uow.session.get(type(org.units[unit]), org.units[unit].id))
        uow.commit()
        return user


def add_endpoint(rectify: Rectify, url: str, active: bool = True) -> int:
    with rectify.unit_of_work() as uow:
        endpoint = WebhookEndpoint(url=url, secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                   description="", active=active,
                                   created_at=datetime(2026, 1, 1, tzinfo=UTC))
        uow.session.add(endpoint)
        uow.commit()
        return endpoint.id


def notes(rectify: Rectify) -> list[tuple[str, str, str, dict[str, Any]]]:
    with rectify.unit_of_work(write=False) as uow:
        rows = uow.session.scalars(select(Notification).order_by(Notification.key)).all()
        return [(n.key, n.user.username, n.kind, n.params) for n in rows]


def outbox(rectify: Rectify) -> list[tuple[str, str, str | None, int | None, dict[str, Any]]]:
    with rectify.unit_of_work(write=False) as uow:
        rows = uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.idempotency_key))
        return [(m.idempotency_key, m.channel, m.user.username if m.user else None,
                 m.endpoint_id, m.payload) for m in rows]


def test_one_notification_per_recipient_per_event(
        flow: Flow, org: Org, rectify: Rectify, clock: FakeClock) -> None:
    finding = flow.raise_()
    assign(flow, finding.id)
    code, a, ra = finding.code, org.handler_a.id, org.handler_reviewer_a.id
    params = {"finding_id": finding.id, "code": code, "title": finding.title,
              "label": {"zh": "交办", "en": "Assign"}, "actor": "检查员", "note": REQUIREMENT,
              "due_date": "2026-03-20", "unit": {"zh": "甲集团", "en": "Group A"}}
    assert notes(rectify) == [(f"{code}:2:{a}", "handler_a", "transition", params),
                              (f"{code}:2:{ra}", "handler_reviewer_a", "transition", params)]
    with rectify.unit_of_work(write=False) as uow:
        rows = uow.session.scalars(select(Notification)).all()
        assert {(n.finding_id, n.created_at, n.read_at, n.digested_at) for n in rows} == {
            (finding.id, clock.current, None, None)}
    assert outbox(rectify) == []  # e-mail by digest (the default), no webhook endpoint


def test_outbox_rows_only_for_channels_taken_immediately(
        flow: Flow, org: Org, rectify: Rectify, clock: FakeClock) -> None:
    set_user(rectify, org.handler_a, email="a@example.org", notify_email="immediate",
             notify_webhook="off", language="en")
    set_user(rectify, org.handler_reviewer_a, email="", notify_email="immediate",
             notify_webhook="immediate")
    set_user(rectify, org.supervisor, email="s@example.org", notify_email="immediate")
    first, second = add_endpoint(rectify, "https://a.example"), add_endpoint(rectify,
                                                                             "https://b.example")
    add_endpoint(rectify, "https://off.example", active=False)
    finding = flow.raise_()
    assign(flow, finding.id)
    a_key = f"{finding.code}:2:{org.handler_a.id}"
    ra_key = f"{finding.code}:2:{org.handler_reviewer_a.id}"
    rows = outbox(rectify)
    assert [row[:4] for row in rows] == [
        (f"{a_key}:email", "email", "handler_a", None),  # no address: no mail for ra
        (f"{ra_key}:webhook:{first}", "webhook", "handler_reviewer_a", first),
        (f"{ra_key}:webhook:{second}", "webhook", "handler_reviewer_a", second),
    ]  # nothing for the supervisor: not told of an assignment
    mail = rows[0][4]
    assert mail["type"] == "rectify.transition"
    assert (mail["to"], mail["lang"]) == ("a@example.org", "en")
    assert mail["subject"] == f"[Assign] {finding.code} Fire exit blocked by boxes"
    assert mail["recipient"] == {"username": "handler_a", "display_name": "甲集团整改联络人"}
    assert mail["data"]["finding_id"] == finding.id
    assert rows[1][4]["subject"] == f"【交办】{finding.code} Fire exit blocked by boxes"
    with rectify.unit_of_work(write=False) as uow:
        states = uow.session.execute(select(OutboxMessage.status, OutboxMessage.attempts,
                                            OutboxMessage.next_attempt_at)).all()
    assert set(states) == {("pending", 0, clock.current)}


def test_raise_effects_notify_with_the_new_findings_id(
        flow: Flow, org: Org, rectify: Rectify) -> None:
    finding = flow.raise_("immediate")  # immediate@2 tells the unit's handlers on raising
    rows = notes(rectify)
    assert [(key, user) for key, user, _, _ in rows] == [
        (f"{finding.code}:1:{org.handler_a.id}", "handler_a"),
        (f"{finding.code}:1:{org.handler_reviewer_a.id}", "handler_reviewer_a")]
    assert rows[0][3]["finding_id"] == finding.id
    assert rows[0][3]["label"] == {"zh": "登记问题", "en": "Finding raised"}


def who(rectify: Rectify, fid: int, audience: str) -> list[str]:
    with rectify.unit_of_work(write=False) as uow:
        finding = uow.session.get(Finding, fid)
        assert finding is not None
        return [user.username for user in recipients(uow.session, finding, audience)]


@pytest.fixture
def at_sub_a1(flow: Flow, org: Org) -> int:
    return flow.raise_(unit=org.sub_a1.id).id


def test_unit_handlers_nearest_unit_first(
        rectify: Rectify, org: Org, at_sub_a1: int) -> None:
    assert who(rectify, at_sub_a1, "unit_handlers") == ["handler_a1"]
    set_user(rectify, org.handler_a1, active=False)
    assert who(rectify, at_sub_a1, "unit_handlers") == ["handler_a", "handler_reviewer_a"]


def test_supervisors_of_the_unit_and_of_its_parent(
        flow: Flow, rectify: Rectify, org: Org, at_sub_a1: int) -> None:
    at_group_a = flow.raise_().id
    assert who(rectify, at_sub_a1, "unit_supervisors") == ["supervisor"]  # up at the commission
    assert who(rectify, at_sub_a1, "parent_supervisors") == ["supervisor"]
    add_user(rectify, org, "lead_a", "supervisor", "group_a")
    assert who(rectify, at_sub_a1, "unit_supervisors") == ["lead_a"]
    assert who(rectify, at_sub_a1, "parent_supervisors") == ["lead_a"]
    assert who(rectify, at_group_a, "unit_supervisors") == ["lead_a"]
    assert who(rectify, at_group_a, "parent_supervisors") == ["supervisor"]


def test_the_raising_body_its_reviewers_and_the_raiser(
        rectify: Rectify, org: Org, at_sub_a1: int) -> None:
    assert who(rectify, at_sub_a1, "raising_body") == ["inspector"]
    assert who(rectify, at_sub_a1, "reviewers") == ["reviewer"]  # not the unit's own reviewer
    assert who(rectify, at_sub_a1, "raiser") == ["inspector"]
    set_user(rectify, org.inspector, active=False)
    assert who(rectify, at_sub_a1, "raising_body") == ["supervisor"]  # up at the commission
    set_user(rectify, org.inspector, active=True)
    add_user(rectify, org, "lead_ib", "supervisor", "inspection_body")
    assert who(rectify, at_sub_a1, "raising_body") == ["inspector", "lead_ib"]
    set_user(rectify, org.inspector, active=False)
    assert who(rectify, at_sub_a1, "raiser") == []
    assert who(rectify, at_sub_a1, "raising_body") == ["lead_ib"]
    set_user(rectify, org.reviewer, active=False)
    assert who(rectify, at_sub_a1, "reviewers") == []  # nobody up the tree reviews
