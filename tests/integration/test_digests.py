"""Daily digests: one outbox message per user, channel and local day from the digest hour, listing
what reached the bell; never two; everyone else's notifications are settled without a digest.
And the system user the ladder acts as: created once, at the root unit, never able to log in."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from workflow.errors import InvalidInput
from workflow.models import Notification, OutboxMessage, User, WebhookEndpoint
from workflow.services.accounts import create_user, hash_password, login
from workflow.services.system import system_user
from workflow.services.tick import TickReport, tick

Flow = Any  # the `flow` fixture from tests/conftest.py
DAY = date(2026, 3, 3)


def local(day: date, hour: int, flow: Flow) -> datetime:
    return datetime.combine(day, time(hour), flow.app.zone).astimezone(UTC)


def settings(flow: Flow, username: str, **values: Any) -> None:
    with flow.app.unit_of_work() as uow:
        uow.session.execute(update(User).where(User.username == username).values(**values))
        uow.commit()


def bell(flow: Flow, username: str, count: int, start: int = 0) -> None:
    """`count` notifications for the user, as fire() or the ladder would have written them."""
    fid = flow.raise_().id
    with flow.app.unit_of_work() as uow:
        user = uow.session.scalars(select(User).where(User.username == username)).one()
        for n in range(start, start + count):
            uow.session.add(Notification(
                key=f"test:{n}:{user.id}", user=user, finding_id=fid, kind="ladder",
                params={"code": f"C-{n}", "title": f"Finding {n}", "label": {"zh": "提醒",
                                                                              "en": "Reminder"}},
                created_at=uow.now()))
        uow.commit()


def outbox(flow: Flow) -> list[OutboxMessage]:
    with flow.app.unit_of_work(write=False) as uow:
        rows = list(uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        uow.session.expunge_all()
        return rows


def undigested(flow: Flow) -> int:
    with flow.app.unit_of_work(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(Notification)
                                  .where(Notification.digested_at.is_(None))) or 0


def test_one_digest_per_user_and_day_from_the_digest_hour_listing_the_items(flow: Flow) -> None:
    settings(flow, "handler_a", email="a@example.org", notify_email="digest")
    bell(flow, "handler_a", 3)
    bell(flow, "handler_b", 2)  # e-mail as a digest but no address: nothing to send it to
    assert tick(flow.app, local(DAY, 7, flow)).digests == 0  # before 08:00 local
    assert outbox(flow) == [] and undigested(flow) == 3  # handler_b's settled at once
    report = tick(flow.app, local(DAY, 8, flow))
    assert report.digests == 1
    [mail] = outbox(flow)
    handler = flow.org.handler_a
    assert (mail.idempotency_key, mail.channel, mail.user_id) == (
        f"digest:{handler.id}:{DAY.isoformat()}:email", "email", handler.id)
    assert mail.payload["type"] == "rectify.digest" and mail.payload["to"] == "a@example.org"
    assert mail.payload["data"]["count"] == 3
    assert [i["params"]["code"] for i in mail.payload["data"]["items"]] == ["C-0", "C-1", "C-2"]
    assert "C-2 Finding 2" in mail.payload["text"] and "3" in mail.payload["subject"]
    assert undigested(flow) == 0
    bell(flow, "handler_a", 1, start=3)  # later the same day: waits for tomorrow
    assert tick(flow.app, local(DAY, 20, flow)) == TickReport() and len(outbox(flow)) == 1
    assert tick(flow.app, local(DAY + timedelta(days=1), 9, flow)).digests == 1
    assert tick(flow.app, local(DAY + timedelta(days=1), 10, flow)).digests == 0
    second = outbox(flow)[-1]
    assert second.idempotency_key.endswith(f"{(DAY + timedelta(days=1)).isoformat()}:email")
    assert [i["params"]["code"] for i in second.payload["data"]["items"]] == ["C-3"]


def test_a_digest_lists_the_newest_fifty_and_counts_them_all(flow: Flow) -> None:
    settings(flow, "handler_a", email="a@example.org", notify_email="digest")
    bell(flow, "handler_a", 60)
    assert tick(flow.app, local(DAY, 9, flow)).digests == 1
    data = outbox(flow)[0].payload["data"]
    assert data["count"] == 60 and len(data["items"]) == 50
    assert data["items"][0]["params"]["code"] == "C-10"


def test_webhook_digests_go_to_each_active_endpoint(flow: Flow) -> None:
    with flow.app.unit_of_work() as uow:
        for n, active in enumerate([True, False, True]):
            uow.session.add(WebhookEndpoint(url=f"http://127.0.0.1:9/{n}", secret="whsec_eA==",
                                            active=active))
        uow.commit()
    settings(flow, "handler_b", notify_email="off", notify_webhook="digest")
    settings(flow, "handler_a", notify_email="off", notify_webhook="immediate")
    bell(flow, "handler_b", 2)
    bell(flow, "handler_a", 2)
    assert tick(flow.app, local(DAY, 9, flow)).digests == 2
    keys = [row.idempotency_key for row in outbox(flow)]
    user = flow.org.handler_b.id
    assert keys == [f"digest:{user}:{DAY.isoformat()}:webhook:1",
                    f"digest:{user}:{DAY.isoformat()}:webhook:3"]
    assert undigested(flow) == 0  # handler_a takes webhooks one by one: no digest, settled


def test_the_system_user_is_created_once_at_the_root_and_can_never_log_in(flow: Flow) -> None:
    with flow.app.unit_of_work() as uow:
        first = system_user(uow.session)
        uow.commit()
    with flow.app.unit_of_work() as uow:
        again = system_user(uow.session)
        assert again.id == first.id
        assert (again.username, again.active, again.roles) == ("system", False, "")
        assert again.unit_id == flow.org.commission.id
        assert uow.session.scalar(select(func.count()).select_from(User)
                                  .where(User.username == "system")) == 1
    for password in ("", "!unusable", flow.org.password):
        with flow.app.unit_of_work() as uow:
            assert login(uow, "system", password).user is None
    settings(flow, "system", password_hash=hash_password(flow.org.password), active=True,
             roles="admin")
    with flow.app.unit_of_work() as uow:  # even active with a password: it never logs in
        refused = login(uow, "system", flow.org.password)
        assert (refused.user, refused.refusal) == (None, "wrong")
    with flow.app.unit_of_work() as uow, pytest.raises(InvalidInput) as taken:
        create_user(uow.session, "system", "Sys", "a-long-passphrase", ["admin"],
                    flow.org.commission)
    assert taken.value.errors["username"]["en"] == "This username is taken."
