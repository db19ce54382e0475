"""The outbox on the database: claim due messages under a lease (FOR UPDATE SKIP LOCKED), mark
one sent, record a failure with exponential backoff, dead-letter it after the last attempt."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from workflow.config import DeliverySettings
from workflow.models import OutboxMessage

PENDING, SENT, DEAD = "pending", "sent", "dead"
STATUSES = (DEAD, PENDING, SENT)  # dead letters first wherever they are listed
_ERROR_MAX = 2000


@dataclass(frozen=True)
class Claimed:
    """What a worker needs to send one message, read while it held the row."""

    id: int
    key: str
    channel: str
    payload: dict[str, Any]
    attempts: int  # counting this one
    created_at: datetime
    url: str = ""
    secret: str = ""
    endpoint_active: bool = False


def claim(session: Session, now: datetime, limit: int, settings: DeliverySettings,
          channels: Sequence[str]) -> list[Claimed]:
    """Due pending messages, each counted as an attempt and leased (next_attempt_at pushed past
    the lease) so that no other worker takes it until the lease runs out; the caller commits.
    A row whose last attempt never came back (the worker died) is dead-lettered instead."""
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now,
               OutboxMessage.channel.in_(channels))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit).with_for_update(skip_locked=True)).all()
    claimed = []
    for row in rows:
        if row.attempts >= settings.max_attempts:
            row.status = DEAD
            row.last_error = "the worker stopped during the last attempt (lease expired)"
            continue
        row.attempts += 1
        row.next_attempt_at = now + timedelta(seconds=settings.lease_seconds)
        endpoint = row.endpoint
        claimed.append(Claimed(row.id, row.idempotency_key, row.channel, dict(row.payload),
                               row.attempts, row.created_at,
                               endpoint.url if endpoint else "", endpoint.secret if endpoint else "",
                               bool(endpoint and endpoint.active)))
    session.flush()
    return claimed


def mark_sent(session: Session, message_id: int, now: datetime) -> None:
    """The message left: sent (an admin's retry meanwhile does not undo that)."""
    session.execute(update(OutboxMessage)
                    .where(OutboxMessage.id == message_id, OutboxMessage.status == PENDING)
                    .values(status=SENT, sent_at=now, last_error=""))


def mark_failed(session: Session, message: Claimed, error: str, now: datetime,
                settings: DeliverySettings, permanent: bool = False) -> str:
    """Record why; retry after a backoff, or dead after the last attempt (or a permanent error).
    Returns the new status."""
    dead = permanent or message.attempts >= settings.max_attempts
    values: dict[str, Any] = {"last_error": error[:_ERROR_MAX]}
    if dead:
        values["status"] = DEAD
    else:
        values["next_attempt_at"] = now + backoff(message.attempts, settings)
    session.execute(update(OutboxMessage)
                    .where(OutboxMessage.id == message.id, OutboxMessage.status == PENDING)
                    .values(**values))
    return DEAD if dead else PENDING


def backoff(attempts: int, settings: DeliverySettings,
            jitter: Callable[[float, float], float] = random.uniform) -> timedelta:
    """The wait after the n-th failed attempt: base * 2^(n-1), capped, times a jitter in
    [0.8, 1], so that each wait is longer than the one before until the cap."""
    seconds = min(settings.backoff_cap_seconds,
                  settings.backoff_seconds * 2 ** min(max(attempts - 1, 0), 30))
    return timedelta(seconds=seconds * jitter(0.8, 1.0))
