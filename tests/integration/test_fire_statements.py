"""fire()'s statements and audience on SQLite and PostgreSQL: the statements one fire sends are
pinned (a new read per fire fails here), the people of every audience are read in one statement
once per transaction, and a change of people, roles or preferences is seen by the next fire."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select

from tests.conftest import Flow, Org
from workflow.models import Notification, OutboxMessage, User, WebhookEndpoint
from workflow.runtime import Rectify
from workflow.services import fire

URGE = {"message": "Please hurry"}


@contextmanager
def statements(rectify: Rectify) -> Iterator[list[str]]:
    """The statements sent meanwhile, as "VERB table" (a SELECT named by its first column's
    table, "SELECT findings + users" when it reads people too; a WITH as its writes joined by
    " + "; BEGIN and SAVEPOINTs left out)."""
    sent: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        words = " ".join(statement.split())
        if words.startswith("WITH "):
            sent.append(" + ".join(f"{verb} {table}" for verb, table in re.findall(
                r"\b(UPDATE|INSERT) (?:INTO )?(\w+)", words)))
            return
        match = re.match(r"(SELECT) (\w+)\.|(UPDATE) (\w+)|(INSERT) INTO (\w+)", words)
        if match:
            verb, table = (g for g in match.groups() if g)
            with_people = table == "findings" and "FROM users" in words  # fire()'s read
            sent.append(f"{verb} {table}" + (" + users" if with_people else ""))

    event.listen(rectify.database.engine, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(rectify.database.engine, "before_cursor_execute", seen)


def reads_then_writes(sent: list[str]) -> tuple[list[str], list[str]]:
    """The reads in order, all before any write; the kinds of writes (SQLite sends one INSERT
    per notification, PostgreSQL one for all; the flush orders the tables)."""
    reads = [s for s in sent if s.startswith("SELECT")]
    assert sent[:len(reads)] == reads, sent
    return reads, sorted(set(sent[len(reads):]))


def set_user(rectify: Rectify, user_id: int, **columns: Any) -> None:
    with rectify.unit_of_work() as uow:
        row = uow.session.get(User, user_id)
        assert row is not None
        for name, value in columns.items():
            setattr(row, name, value)
        uow.commit()


def add_endpoint(rectify: Rectify) -> int:
    with rectify.unit_of_work() as uow:
        endpoint = WebhookEndpoint(url="https://hooks.example", description="", active=True,
                                   secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                   created_at=datetime(2026, 1, 1, tzinfo=UTC))
        uow.session.add(endpoint)
        uow.commit()
        return endpoint.id


def told(rectify: Rectify, code: str, seq: int) -> list[str]:
    """Who the event's notifications went to."""
    with rectify.unit_of_work(write=False) as uow:
        return sorted(uow.session.scalars(
            select(User.username).join(Notification, Notification.user_id == User.id)
            .where(Notification.key.like(f"{code}:{seq}:%"))))


def mailed(rectify: Rectify, code: str, seq: int) -> list[tuple[str, str]]:
    """(username, channel) of the event's outbox messages."""
    with rectify.unit_of_work(write=False) as uow:
        return sorted((m.user.username, m.channel) for m in uow.session.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.like(f"{code}:{seq}:%"))))


@pytest.fixture
def urge(flow: Flow, org: Org, rectify: Rectify) -> Callable[[], tuple[str, int]]:
    """A finding at sub_a1, assigned; each call urges it (the inspector tells the unit's
    handlers and supervisors) in a unit of work of its own: its code and the event's seq."""
    finding = flow.raise_(unit=org.sub_a1.id)
    flow.fire(finding.id, "assign")

    def once() -> tuple[str, int]:
        with rectify.unit_of_work() as uow:
            fired = fire(uow, finding.id, "urge", org.inspector, URGE)
            return fired.code, fired.last_seq

    return once


def the_transitions_writes(backend: str) -> list[str]:
    """PostgreSQL: the UPDATE (version checked), the notifications' INSERT and the event's in
    one statement; SQLite: three (no UPDATE inside a WITH)."""
    if backend == "postgres":
        return ["UPDATE findings + INSERT notifications + INSERT events"]
    return ["INSERT events", "INSERT notifications", "UPDATE findings"]


def test_one_fire_sends_these_statements_and_no_more(
        rectify: Rectify, backend: str, urge: Callable[[], tuple[str, int]]) -> None:
    urge()  # warm: nothing below depends on what an earlier fire left in the process
    with statements(rectify) as sent:
        urge()
    # The finding with its units, the people of both units' chains (every chain audience's)
    # and whether any webhook endpoint is active, in one SELECT; then the notifications, the
    # row and its event.
    assert reads_then_writes(sent) == (
        ["SELECT findings + users"], sorted(the_transitions_writes(backend)))
    # The two notifications in one INSERT (one executemany on SQLite): 2 statements on
    # PostgreSQL, 4 on SQLite (BEGIN IMMEDIATE not counted here).
    assert len(sent) == (2 if backend == "postgres" else 4)
    add_endpoint(rectify)
    with statements(rectify) as sent:
        urge()
    # Someone takes webhooks immediately and an endpoint is active: the endpoints are read.
    assert reads_then_writes(sent) == (
        ["SELECT findings + users", "SELECT webhook_endpoints"],
        sorted(["INSERT outbox", *the_transitions_writes(backend)]))


def test_people_roles_and_preferences_changed_between_fires_are_honoured(
        rectify: Rectify, org: Org, urge: Callable[[], tuple[str, int]]) -> None:
    code, seq = urge()
    assert told(rectify, code, seq) == ["handler_a1", "supervisor"]
    assert mailed(rectify, code, seq) == []  # e-mail by digest, no webhook endpoint
    set_user(rectify, org.handler_a1.id, unit_id=org.sub_a2.id)  # moved: group_a's handlers
    set_user(rectify, org.handler_a.id, roles="handler supervisor")  # and a supervisor there
    set_user(rectify, org.handler_reviewer_a.id, email="ra@example.org", notify_email="immediate")
    code, seq = urge()
    assert told(rectify, code, seq) == ["handler_a", "handler_reviewer_a"]
    assert mailed(rectify, code, seq) == [("handler_reviewer_a", "email")]
    set_user(rectify, org.handler_a.id, roles="handler")
    set_user(rectify, org.handler_reviewer_a.id, notify_email="off")
    add_endpoint(rectify)  # everyone takes webhooks immediately by default
    code, seq = urge()
    assert told(rectify, code, seq) == ["handler_a", "handler_reviewer_a", "supervisor"]
    assert mailed(rectify, code, seq) == [("handler_a", "webhook"), ("handler_reviewer_a",
                                                                     "webhook"),
                                          ("supervisor", "webhook")]


def test_people_are_read_once_per_transaction_until_one_of_them_changes(
        rectify: Rectify, org: Org, flow: Flow) -> None:
    finding = flow.raise_(unit=org.sub_a1.id)
    flow.fire(finding.id, "assign")
    with rectify.unit_of_work() as uow:
        fire(uow, finding.id, "urge", org.inspector, URGE, commit=False)
        with statements(rectify) as sent:
            fire(uow, finding.id, "urge", org.inspector, URGE, commit=False)
        assert not any("users" in s for s in sent)  # the same people, already read
        handler = uow.session.get(User, org.handler_a1.id)
        assert handler is not None
        handler.active = False
        uow.session.flush()  # a change to a user in this transaction: read them again
        with statements(rectify) as sent:
            third = fire(uow, finding.id, "urge", org.inspector, URGE, commit=False)
        assert any("users" in s for s in sent)
        code, seq = third.code, third.last_seq
        uow.commit()
    assert told(rectify, code, seq - 1) == ["handler_a1", "supervisor"]
    assert told(rectify, code, seq) == ["handler_a", "handler_reviewer_a", "supervisor"]


def test_a_unit_of_work_reads_people_again_after_its_commit(
        rectify: Rectify, org: Org, flow: Flow) -> None:
    finding = flow.raise_(unit=org.sub_a1.id)
    flow.fire(finding.id, "assign")
    with rectify.unit_of_work() as uow:
        first = fire(uow, finding.id, "urge", org.inspector, URGE)
        code, seq = first.code, first.last_seq
        set_user(rectify, org.handler_a1.id, active=False)  # another transaction, committed
        fire(uow, finding.id, "urge", org.inspector, URGE)
    assert told(rectify, code, seq) == ["handler_a1", "supervisor"]
    assert told(rectify, code, seq + 1) == ["handler_a", "handler_reviewer_a", "supervisor"]


def test_people_beyond_the_chains_read_with_the_finding_are_read_when_needed(
        rectify: Rectify, org: Org, flow: Flow) -> None:
    """fire() reads the people of the finding's unit chain and raising body's chain with the
    finding; a transition whose audience lies elsewhere (reassign tells the new unit's
    handlers) reads those people too: the new unit is told, the old one is not."""
    finding = flow.raise_(unit=org.sub_a1.id)
    flow.fire(finding.id, "assign")
    with statements(rectify) as sent, rectify.unit_of_work() as uow:
        moved = fire(uow, finding.id, "reassign", org.inspector,
                     {"unit": org.sub_b1.id, "reason": "Wrong unit"})
        code, seq = moved.code, moved.last_seq
    assert sent[0] == "SELECT findings + users" and "SELECT users" in sent, sent
    assert told(rectify, code, seq) == ["handler_b"]
