"""Several workers on PostgreSQL at once never send one message twice within its lease: claims
skip rows another worker holds (FOR UPDATE SKIP LOCKED) and are leased before sending."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from delivery_support import add_endpoint, configure, outbox_row, webhook_server, write_message
from sqlalchemy import make_url

from workflow.delivery import deliver_due
from workflow.delivery.outbox import claim
from workflow.runtime import Rectify
from workflow.services.webhooks import new_secret

SECRET = new_secret()


@pytest.fixture
def backend() -> str:
    return "postgres"


def another_host(rectify: Rectify, clock, lock_timeout_ms: int | None = None) -> Rectify:
    """A second Rectify on the same database, as on another host (waiting on a row lock longer
    than lock_timeout_ms is an error, so a worker that would block fails the test instead)."""
    url = make_url(rectify.settings.database_url)
    if lock_timeout_ms is not None:
        options = url.query.get("options", "")
        url = url.update_query_dict({"options": f"{options} -clock_timeout={lock_timeout_ms}"})
    settings = replace(rectify.settings,
                       database_url=url.render_as_string(hide_password=False))
    return Rectify(settings, clock=clock, registry=rectify.registry)


@pytest.mark.postgres
def test_a_worker_skips_the_messages_another_worker_is_claiming(rectify, org, clock):
    configure(rectify, lease_seconds=300)
    other = another_host(rectify, clock, lock_timeout_ms=3000)
    try:
        with webhook_server() as receiver:
            receiver.secret = SECRET
            endpoint = add_endpoint(rectify, receiver.url(), SECRET)
            ids = [write_message(rectify, "handler_a", "webhook", f"k:{n}", endpoint)
                   for n in range(3)]
            with rectify.unit_of_work() as first:
                held = claim(first.session, clock(), 2, rectify.settings.delivery, ("webhook",))
                assert len(held) == 2
                # meanwhile, on another host: the two held rows are skipped, not waited for
                report = deliver_due(other)
                assert (report.claimed, report.sent) == (1, 1)
                first.commit()
            assert deliver_due(other).claimed == 0  # the first worker's lease holds
            assert receiver.ids() == ["k:2"]
            clock.advance(seconds=301)
            assert deliver_due(other).sent == 2
        assert sorted(receiver.ids()) == ["k:0", "k:1", "k:2"]
        assert {outbox_row(rectify, i).status for i in ids} == {"sent"}
    finally:
        other.database.dispose()


@pytest.mark.postgres
def test_two_workers_at_once_send_every_message_exactly_once(rectify, org, clock):
    configure(rectify)
    other = another_host(rectify, clock)
    try:
        with webhook_server() as receiver:
            receiver.secret = SECRET
            endpoint = add_endpoint(rectify, receiver.url(), SECRET)
            keys = [f"k:{n}" for n in range(40)]
            for key in keys:
                write_message(rectify, "handler_a", "webhook", key, endpoint)
            start = threading.Barrier(2)
            errors: list[BaseException] = []

            def work(host: Rectify) -> None:
                try:
                    start.wait()
                    while deliver_due(host, limit=3).claimed:
                        pass
                except BaseException as exc:  # reported below, in the test's thread
                    errors.append(exc)

            threads = [threading.Thread(target=work, args=(host,)) for host in (rectify, other)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert errors == []
        assert sorted(receiver.ids()) == sorted(keys)  # each once: none twice, none lost
        assert all(isinstance(r.verified, dict) for r in receiver.requests)
    finally:
        other.database.dispose()
