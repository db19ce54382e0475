"""Delivering the outbox for real: mail to a local SMTP server, signed webhooks to a local HTTP
server that verifies them, retries with growing waits, dead letters an admin puts back, a worker
killed mid-send, the .eml files backend, mail switched off, a deactivated endpoint."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.policy import default

import pytest
from delivery_support import (
    BASE_URL,
    add_endpoint,
    body_of,
    configure,
    outbox_row,
    smtp_server,
    webhook_server,
    write_message,
)

from workflow.delivery import claim_due, deliver_due
from workflow.delivery.mail import message_id
from workflow.delivery.worker import Transport
from workflow.services import outbox as outbox_admin
from workflow.services.webhooks import new_secret

SECRET = new_secret()


@pytest.fixture(autouse=True)
def _absolute_links(rectify):
    configure(rectify)  # links on BASE_URL, mail written to files unless a test says otherwise


def test_a_mail_reaches_a_real_smtp_server_with_its_subject_message_id_and_absolute_links(
        rectify, org, clock):
    with smtp_server() as (port, mails):
        configure(rectify, mail="smtp", smtp_host="127.0.0.1", smtp_port=port)
        mid = write_message(rectify, "handler_a", "email", "F-2026-0007:2:5:email",
                            email="handler.a@example.org", language="en")
        clock.advance(minutes=1)
        report = deliver_due(rectify)
        assert (report.claimed, report.sent) == (1, 1)
        assert len(mails) == 1
    rcpts, mail = mails[0]
    assert rcpts == ["handler.a@example.org"]
    assert mail["To"] == "handler.a@example.org"
    assert mail["Subject"] == "[Assign] F-2026-0007 Fire exit blocked"
    assert mail["Message-ID"] == message_id("F-2026-0007:2:5:email", rectify.settings.delivery)
    text = mail.get_content()
    assert f"{BASE_URL}/findings/7" in text.splitlines()
    assert "Due date: 2026-03-16" in text
    row = outbox_row(rectify, mid)
    assert (row.status, row.attempts, row.sent_at, row.last_error) == ("sent", 1, clock(), "")
    assert deliver_due(rectify).claimed == 0  # sent once, never again


def test_a_mail_in_chinese_for_a_chinese_reader(rectify, org):
    with smtp_server() as (port, mails):
        configure(rectify, mail="smtp", smtp_host="127.0.0.1", smtp_port=port)
        write_message(rectify, "handler_a", "email", "k:zh:email", email="a@example.org",
                      language="zh_CN")
        deliver_due(rectify)
    mail = mails[0][1]
    assert mail["Subject"] == "【交办】F-2026-0007 Fire exit blocked"
    assert "责任单位：甲集团" in mail.get_content()


def test_a_webhook_is_signed_and_verifies_with_the_standardwebhooks_library(rectify, org, clock):
    with webhook_server() as receiver:
        receiver.secret = SECRET
        endpoint = add_endpoint(rectify, receiver.url(), SECRET)
        mid = write_message(rectify, "handler_a", "webhook", "F-2026-0007:2:5:webhook:1",
                            endpoint)
        assert deliver_due(rectify).sent == 1
    [request] = receiver.requests
    assert request.headers["webhook-id"] == "F-2026-0007:2:5:webhook:1"
    assert request.verified == body_of(request), request.verified
    body = body_of(request)
    assert body["type"] == "rectify.transition"
    assert body["timestamp"] == "2026-03-02T01:00:00Z"  # when the message was written
    assert body["data"]["recipient"]["username"] == "handler_a"
    assert body["data"]["code"] == "F-2026-0007"
    assert body["data"]["url"] == f"{BASE_URL}/findings/7"
    assert outbox_row(rectify, mid).status == "sent"


def test_a_wrong_secret_does_not_verify(rectify, org):
    """The receiver's check is real: signed with another secret, it refuses."""
    with webhook_server() as receiver:
        receiver.secret = new_secret()
        write_message(rectify, "handler_a", "webhook", "k:1",
                      add_endpoint(rectify, receiver.url(), SECRET))
        deliver_due(rectify)
    assert not isinstance(receiver.requests[0].verified, dict)


def test_a_failing_endpoint_is_retried_with_growing_waits_then_dead_then_retried_by_an_admin(
        rectify, org, clock):
    configure(rectify, max_attempts=4, backoff_seconds=30)
    with webhook_server() as receiver:
        receiver.secret, receiver.status["/hook"] = SECRET, 500
        mid = write_message(rectify, "handler_a", "webhook", "k:retry",
                            add_endpoint(rectify, receiver.url(), SECRET))
        waits = []
        for attempt in range(1, 4):
            assert deliver_due(rectify).retrying == 1
            row = outbox_row(rectify, mid)
            assert (row.status, row.attempts) == ("pending", attempt)
            assert row.last_error.startswith("HTTP 500")
            waits.append(row.next_attempt_at - clock())
            assert deliver_due(rectify).claimed == 0  # not due before its time
            clock.set(row.next_attempt_at)
        assert waits[0] >= timedelta(seconds=24)
        assert waits[0] < waits[1] < waits[2]
        assert deliver_due(rectify).dead == 1
        row = outbox_row(rectify, mid)
        assert (row.status, row.attempts) == ("dead", 4)
        clock.advance(days=30)
        assert deliver_due(rectify).claimed == 0  # dead letters wait for an admin
        assert len(receiver.requests) == 4

        with rectify.unit_of_work() as uow:
            listed = outbox_admin.list_outbox(uow, org.admin)
            assert [m.id for m in listed][:1] == [mid]  # dead letters first
            outbox_admin.retry(uow, org.admin, mid)
        row = outbox_row(rectify, mid)
        assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 0, clock())
        receiver.status["/hook"] = 200
        assert deliver_due(rectify).sent == 1
    assert set(receiver.ids()) == {"k:retry"}  # one message, one id, every attempt
    assert outbox_row(rectify, mid).status == "sent"


def test_a_worker_killed_between_sending_and_marking_sent_delivers_again_with_the_same_ids(
        rectify, org, clock):
    with smtp_server() as (port, mails), webhook_server() as receiver:
        receiver.secret = SECRET
        configure(rectify, mail="smtp", smtp_host="127.0.0.1", smtp_port=port, lease_seconds=300)
        mail_id = write_message(rectify, "handler_a", "email", "k:kill:email",
                                email="a@example.org")
        hook_id = write_message(rectify, "handler_a", "webhook", "k:kill:webhook",
                                add_endpoint(rectify, receiver.url(), SECRET))
        claimed = claim_due(rectify)
        with Transport(rectify) as transport:
            for message in claimed:
                transport.send(message)
        # ... and the worker dies here: nothing is marked sent.
        assert {outbox_row(rectify, i).status for i in (mail_id, hook_id)} == {"pending"}
        clock.advance(seconds=299)
        assert deliver_due(rectify).claimed == 0  # another worker leaves the lease alone
        clock.advance(seconds=2)
        assert deliver_due(rectify).sent == 2
        assert deliver_due(rectify).claimed == 0
    assert receiver.ids() == ["k:kill:webhook", "k:kill:webhook"]
    assert all(isinstance(r.verified, dict) for r in receiver.requests)
    assert receiver.requests[0].body == receiver.requests[1].body
    first, second = (mail for _rcpts, mail in mails)
    assert first["Message-ID"] == second["Message-ID"]
    assert {outbox_row(rectify, i).status for i in (mail_id, hook_id)} == {"sent"}


def test_a_message_whose_last_attempt_never_came_back_is_dead_lettered_not_lost(
        rectify, org, clock):
    configure(rectify, max_attempts=1, lease_seconds=60)
    mid = write_message(rectify, "handler_a", "email", "k:last", email="a@example.org")
    assert len(claim_due(rectify)) == 1  # the worker dies with its only attempt
    clock.advance(minutes=2)
    assert deliver_due(rectify).claimed == 0
    row = outbox_row(rectify, mid)
    assert row.status == "dead" and "lease expired" in row.last_error


def test_the_files_backend_writes_each_mail_as_an_eml_file(rectify, org):
    configure(rectify, mail="files")
    write_message(rectify, "handler_a", "email", "F-1:2:3:email", email="a@example.org")
    assert deliver_due(rectify).sent == 1
    folder = rectify.settings.mail_path
    assert sorted(p.name for p in folder.iterdir()) == ["F-1_2_3_email.eml"]
    mail = message_from_bytes((folder / "F-1_2_3_email.eml").read_bytes(), policy=default)
    assert mail["To"] == "a@example.org"
    assert mail["Subject"] == "[Assign] F-2026-0007 Fire exit blocked"
    assert mail["Message-ID"] == message_id("F-1:2:3:email", rectify.settings.delivery)
    assert f"{BASE_URL}/findings/7" in mail.get_content()


def test_with_mail_off_mails_wait_and_webhooks_still_go(rectify, org):
    configure(rectify, mail="off")
    with webhook_server() as receiver:
        receiver.secret = SECRET
        mail_id = write_message(rectify, "handler_a", "email", "k:off:email",
                                email="a@example.org")
        write_message(rectify, "handler_a", "webhook", "k:off:webhook",
                      add_endpoint(rectify, receiver.url(), SECRET))
        assert deliver_due(rectify).sent == 1
    assert receiver.ids() == ["k:off:webhook"]
    row = outbox_row(rectify, mail_id)
    assert (row.status, row.attempts) == ("pending", 0)
    assert not rectify.settings.mail_path.exists()


def test_a_message_to_a_deactivated_endpoint_is_dead_lettered_unsent(rectify, org):
    with webhook_server() as receiver:
        receiver.secret = SECRET
        endpoint = add_endpoint(rectify, receiver.url(), SECRET)
        mid = write_message(rectify, "handler_a", "webhook", "k:gone", endpoint)
        from workflow.services.webhooks import deactivate_endpoint

        with rectify.unit_of_work() as uow:
            deactivate_endpoint(uow, org.admin, endpoint)
        assert deliver_due(rectify).dead == 1
    assert receiver.requests == []
    assert "deactivated" in outbox_row(rectify, mid).last_error


def test_a_mail_without_an_address_is_dead_lettered_at_once(rectify, org):
    mid = write_message(rectify, "handler_a", "email", "k:noaddr", email="")
    assert deliver_due(rectify).dead == 1
    row = outbox_row(rectify, mid)
    assert (row.status, row.attempts) == ("dead", 1)


def test_an_smtp_server_that_is_down_means_a_retry(rectify, org):
    from delivery_support import free_port

    configure(rectify, mail="smtp", smtp_host="127.0.0.1", smtp_port=free_port())
    mid = write_message(rectify, "handler_a", "email", "k:down", email="a@example.org")
    assert deliver_due(rectify).retrying == 1
    row = outbox_row(rectify, mid)
    assert row.status == "pending" and row.last_error


def test_a_transition_s_notifications_reach_the_smtp_and_webhook_servers(rectify, org, clock):
    """End to end: fire() writes the outbox rows with its event; the worker delivers them."""
    from conftest import Flow
    from sqlalchemy import select, update

    from workflow.models import Event, OutboxMessage, User

    with rectify.unit_of_work() as uow:
        uow.session.execute(update(User).where(User.id == org.handler_a.id).values(
            email="handler.a@example.org", notify_email="immediate", language="en"))
        uow.commit()
    flow = Flow(rectify, org)
    with smtp_server() as (port, mails), webhook_server() as receiver:
        receiver.secret = SECRET
        configure(rectify, mail="smtp", smtp_host="127.0.0.1", smtp_port=port)
        add_endpoint(rectify, receiver.url(), SECRET)
        finding = flow.raise_()
        flow.fire(finding.id, "assign")
        with rectify.unit_of_work(write=False) as uow:
            rows = uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
            event = uow.session.scalars(select(Event).where(Event.finding_id == finding.id)
                                        .order_by(Event.seq.desc())).first()
            # the unit's handlers: handler_a by mail and webhook, handler_reviewer_a by webhook
            assert sorted((row.user_id, row.channel) for row in rows) == sorted([
                (org.handler_a.id, "email"), (org.handler_a.id, "webhook"),
                (org.handler_reviewer_a.id, "webhook")])
            assert {row.created_at for row in rows} == {event.created_at}
        clock.advance(minutes=1)
        assert deliver_due(rectify).sent == 3
    [(rcpts, mail)] = mails
    assert rcpts == ["handler.a@example.org"] and finding.code in mail["Subject"]
    assert f"{BASE_URL}/findings/{finding.id}" in mail.get_content()
    assert all(isinstance(request.verified, dict) for request in receiver.requests)
    assert {body_of(r)["data"]["code"] for r in receiver.requests} == {finding.code}
    assert sorted(body_of(r)["data"]["recipient"]["username"] for r in receiver.requests) == [
        "handler_a", "handler_reviewer_a"]


# A local test server only: aiosmtpd warns that AUTH without TLS is unsafe on a real network.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_the_worker_logs_in_to_an_smtp_server_that_requires_it(rectify, org):
    with smtp_server(user="rectify", password="s3cret") as (port, mails):
        configure(rectify, mail="smtp", smtp_host="127.0.0.1", smtp_port=port,
                  smtp_user="rectify", smtp_password="wrong")
        mid = write_message(rectify, "handler_a", "email", "k:auth", email="a@example.org")
        assert deliver_due(rectify).retrying == 1
        assert "535" in outbox_row(rectify, mid).last_error  # authentication failed
        configure(rectify, mail="smtp", smtp_host="127.0.0.1", smtp_port=port,
                  smtp_user="rectify", smtp_password="s3cret")
        assert deliver_due(rectify, now=outbox_row(rectify, mid).next_attempt_at).sent == 1
    assert [rcpts for rcpts, _mail in mails] == [["a@example.org"]]
