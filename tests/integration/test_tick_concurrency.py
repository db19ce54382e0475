"""Two ticks at once, each with its own engine and connections, started together at a barrier,
over many findings with steps due and users waiting for their digest: every step fires once
(one event, one notification per person), every digest goes out once, the chains verify."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update

from workflow.models import Event, Finding, Notification, OutboxMessage, User
from workflow.runtime import Rectify
from workflow.services import verify_all
from workflow.services.clocks import due_steps
from workflow.services.firing import lifecycle_of
from workflow.services.tick import TickReport, tick

Flow = Any  # the `flow` fixture from tests/conftest.py
FINDINGS = 40
TIMEOUT = 120
DIGEST_USERS = ("handler_a", "handler_b", "supervisor", "inspector")


def due_now(app: Rectify, today: date) -> int:
    """How many ladder steps fall due by today over all findings."""
    with app.unit_of_work(write=False) as uow:
        return sum(len(due_steps(lifecycle_of(uow, f), f, today, uow.calendar))
                   for f in uow.session.scalars(select(Finding)))


def race(app: Rectify, now: datetime) -> list[TickReport]:
    """Two threads, each on a Rectify (engine, pool) of its own, tick at the same moment."""
    barrier, reports, errors = threading.Barrier(2), [], []

    def run() -> None:
        own = Rectify(app.settings, clock=app.clock, registry=app.registry,
                      calendar=app.calendar)
        try:
            barrier.wait(timeout=TIMEOUT)
            reports.append(tick(own, now))
        except BaseException as exc:  # handed to the test rather than lost in the thread
            errors.append(exc)
        finally:
            own.database.dispose()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not errors, errors
    assert len(reports) == 2
    return reports


def test_two_ticks_at_once_fire_each_step_and_send_each_digest_once(flow: Flow) -> None:
    org = flow.org
    units = [org.group_a, org.group_b, org.sub_a1, org.sub_b1]
    for n in range(FINDINGS):
        flow.drive(flow.raise_(unit=units[n % 4].id, title=f"Finding {n}").id, "assign")
    with flow.app.unit_of_work() as uow:
        uow.session.execute(update(User).where(User.username.in_(DIGEST_USERS))
                            .values(notify_email="digest", email="someone@example.org"))
        uow.commit()
    day = flow.today() + timedelta(days=40)
    expected = due_now(flow.app, day)
    assert expected >= FINDINGS * 4  # every finding deep in its ladder
    now = datetime.combine(day, time(9), flow.app.zone).astimezone(UTC)

    reports = race(flow.app, now)

    assert sum(r.fired for r in reports) == expected
    assert sum(r.touched for r in reports) == FINDINGS
    with flow.app.unit_of_work(write=False) as uow:
        session = uow.session
        events = session.scalars(select(Event).where(Event.trigger == "ladder")).all()
        assert len(events) == expected
        marks = Counter((e.finding_id, e.payload["step"], e.payload["anchor"]) for e in events)
        assert marks.most_common(1)[0][1] == 1
        told = sum(len(e.payload["notified"]) for e in events)
        notes = session.scalars(select(Notification).where(Notification.kind == "ladder")).all()
        assert len(notes) == told
        assert len({(n.finding_id, n.key.split(":")[1], n.user_id) for n in notes}) == told
        keys = session.scalars(select(OutboxMessage.idempotency_key)).all()
        assert len(keys) == len(set(keys))
        digests = [k for k in keys if k.startswith("digest:")]
        assert sum(r.digests for r in reports) == len(digests) == len(DIGEST_USERS)
        assert {k.split(":")[1] for k in digests} == {str(org.users[u].id) for u in DIGEST_USERS}
        assert list(verify_all(session)) == []
    assert [tick(flow.app, now + timedelta(hours=1)) for _ in range(2)] == [TickReport()] * 2
