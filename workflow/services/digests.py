"""Daily digests: once per local day, from the digest hour, one outbox message per channel a user
takes as a digest, listing what reached the bell since the last one. Everyone else's
notifications are marked as past the digest at once, so the query for waiting ones stays small."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, not_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflow.models import Notification, User, WebhookEndpoint
from workflow.services.notify import message, queue

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

DIGEST = "digest"
ITEMS = 50  # listed in one digest (the newest); its count says how many there were
CHUNK = 500  # notification ids per UPDATE


def takes_digest() -> ColumnElement[bool]:
    """Users a digest can reach: active, with e-mail as a digest and an address, or webhooks."""
    return and_(User.active.is_(True),
                or_(and_(User.notify_email == DIGEST, User.email != ""),
                    User.notify_webhook == DIGEST))


def run_digests(uow: UnitOfWork, now: datetime, hour: int) -> tuple[int, int]:
    """Queue today's digests if the local hour has come: (messages queued, users skipped as
    busy or already done by another tick)."""
    session = uow.session
    settle_others(session, now)
    uow.commit()
    local = now.astimezone(uow.zone)
    if local.hour < hour:
        return 0, 0
    queued = skipped = 0
    for user_id in waiting(session, local.date()):
        sent = digest_one(uow, user_id, local.date(), now)
        if sent is None:
            skipped += 1
        else:
            queued += sent
    return queued, skipped


def settle_others(session: Session, now: datetime) -> None:
    """Notifications of users no digest reaches are past the digest now (rows another tick is
    settling are skipped, never waited for)."""
    others = select(User.id).where(not_(takes_digest()))
    rows = (select(Notification.id).where(Notification.digested_at.is_(None),
                                          Notification.user_id.in_(others))
            .with_for_update(skip_locked=True))
    session.execute(update(Notification).where(Notification.id.in_(rows))
                    .values(digested_at=now).execution_options(synchronize_session=False))


def waiting(session: Session, today: date) -> list[int]:
    """Users with undigested notifications whose digest for today has not gone out."""
    ids = session.scalars(
        select(User.id).where(takes_digest(),
                              or_(User.last_digest_on.is_(None), User.last_digest_on < today),
                              User.id.in_(select(Notification.user_id)
                                          .where(Notification.digested_at.is_(None))))
        .order_by(User.id)).all()
    session.rollback()
    return list(ids)


def digest_one(uow: UnitOfWork, user_id: int, today: date, now: datetime) -> int | None:
    """Claim the user, queue one message per digest channel, mark what it lists, remember the
    day; one commit. The number of messages, or None if another tick has (or had) the user."""
    session = uow.session
    user = session.scalar(select(User).where(User.id == user_id)
                          .with_for_update(skip_locked=True)
                          .execution_options(populate_existing=True))
    if user is None or (user.last_digest_on is not None and user.last_digest_on >= today):
        session.rollback()
        return None
    try:
        queued = _queue_digest(session, user, today, now)
        session.flush()
        uow.commit()
    except IntegrityError:  # another tick queued it first
        session.rollback()
        return None
    return queued


def _queue_digest(session: Session, user: User, today: date, now: datetime) -> int:
    """The messages for what waits in the user's bell, marked as digested; the day remembered."""
    rows = session.execute(select(Notification.id, Notification.kind, Notification.params)
                           .where(Notification.user_id == user.id,
                                  Notification.digested_at.is_(None))
                           .order_by(Notification.id)).all()
    channels = _channels(session, user) if rows else []
    params = {"count": len(rows), "items": [{"kind": kind, "params": p}
                                            for _, kind, p in rows[-ITEMS:]]}
    for suffix, endpoint in channels:
        queue(session, f"digest:{user.id}:{today.isoformat()}:{suffix}",
              "webhook" if endpoint else "email", user, endpoint, message(DIGEST, params, user), now)
    _mark(session, [row[0] for row in rows], now)
    user.last_digest_on = today
    return len(channels)


def _channels(session: Session, user: User) -> list[tuple[str, WebhookEndpoint | None]]:
    """(key suffix, endpoint or None for e-mail) of each channel the user takes as a digest."""
    out: list[tuple[str, Any]] = []
    if user.notify_email == DIGEST and user.email:
        out.append(("email", None))
    if user.notify_webhook == DIGEST:
        endpoints = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))
                                    .order_by(WebhookEndpoint.id))
        out += [(f"webhook:{endpoint.id}", endpoint) for endpoint in endpoints]
    return out


def _mark(session: Session, ids: Sequence[int], now: datetime) -> None:
    for start in range(0, len(ids), CHUNK):
        session.execute(update(Notification).where(Notification.id.in_(ids[start:start + CHUNK]))
                        .values(digested_at=now).execution_options(synchronize_session=False))
