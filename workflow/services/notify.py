"""Notifications: who an audience is on the unit tree, and writing each message once — in the
bell, and in the outbox for the channels a user takes immediately — in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from workflow.messages import render
from workflow.models import (
    Event,
    Finding,
    Notification,
    OutboxMessage,
    User,
    WebhookEndpoint,
)
from workflow.services.audience import Person, resolve
from workflow.services.audience import people as transaction_people

IMMEDIATE = "immediate"


class Recipient(Protocol):
    """A user as telling them needs: a User, or a Person read with an audience."""

    @property
    def id(self) -> int: ...
    @property
    def username(self) -> str: ...
    @property
    def display_name(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def notify_email(self) -> str: ...
    @property
    def notify_webhook(self) -> str: ...


def recipients(session: Session, finding: Finding, audience: str) -> list[Person]:
    """The active users an audience means for this finding, nearest unit first."""
    return resolve(session, finding, [audience])[0]


def notify(session: Session, finding: Finding, event: Event, audiences: Iterable[str],
           kind: str, params: Mapping[str, Any], now: datetime,
           exclude: User | None = None, into: list[dict[str, Any]] | None = None) -> int:
    """One notification per person the audiences reach (not `exclude`, who caused it), plus an
    outbox message per channel each takes immediately. Keys make a second write impossible.
    `into`: see notify_people."""
    return notify_people(session, finding, event, audience_people(session, finding, audiences,
                                                                   exclude), kind, params, now,
                         into=into)


def audience_people(session: Session, finding: Finding, audiences: Iterable[str],
                    exclude: User | None = None) -> list[Person]:
    """Everyone the audiences reach, each once, in the order met (not `exclude`): the people of
    every audience are read in one statement, once per transaction (audience.resolve)."""
    people: dict[int, Person] = {}
    for found in resolve(session, finding, audiences):
        for user in found:
            if exclude is None or user.id != exclude.id:
                people.setdefault(user.id, user)
    return list(people.values())


def notify_people(session: Session, finding: Finding, event: Event, people: Sequence[Recipient],
                  kind: str, params: Mapping[str, Any], now: datetime,
                  endpoints: Sequence[WebhookEndpoint] | None = None,
                  into: list[dict[str, Any]] | None = None) -> int:
    """notify() for people already chosen (the ladder names them in its event first); a caller
    writing many may pass the active webhook endpoints it looked up once. The notifications go
    in one INSERT now (no ORM object each: nothing reads them back in the transaction; the
    finding must have its id, raising flushes first), or, given `into`, are added to it as
    that INSERT's rows for the caller to write (fire(): with the transition's own statement);
    how many there are."""
    if not people:
        return 0
    if endpoints is None:
        endpoints = _endpoints(session, people)
    rows = []
    for user in people:
        key = f"{finding.code}:{event.seq}:{user.id}"
        rows.append({"key": key, "user_id": user.id, "finding_id": finding.id, "kind": kind,
                     "params": dict(params), "created_at": now})
        queue_immediate(session, key, kind, params, user, endpoints, now)
    if into is not None:
        into.extend(rows)
    else:
        session.connection().execute(NOTIFICATIONS_INSERT, rows)
    return len(rows)


NOTIFICATIONS = Notification.metadata.tables[Notification.__tablename__]
NOTIFICATIONS_INSERT = insert(NOTIFICATIONS)


def _endpoints(session: Session, people: Iterable[Recipient]) -> Sequence[WebhookEndpoint]:
    if not any(user.notify_webhook == IMMEDIATE for user in people):
        return ()
    return transaction_people(session).active_endpoints(session)


def active_endpoints(session: Session) -> Sequence[WebhookEndpoint]:
    return session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))
                           .order_by(WebhookEndpoint.id)).all()


def queue_immediate(session: Session, key: str, kind: str, params: Mapping[str, Any],
                    user: Recipient, endpoints: Sequence[WebhookEndpoint], now: datetime) -> None:
    """Outbox messages for the channels the user takes one by one, for the notification `key`."""
    if user.notify_email == IMMEDIATE and user.email:
        queue(session, f"{key}:email", "email", user, None, message(kind, params, user), now)
    if user.notify_webhook == IMMEDIATE:
        for endpoint in endpoints:
            queue(session, f"{key}:webhook:{endpoint.id}", "webhook", user, endpoint,
                  message(kind, params, user), now)


def queue(session: Session, key: str, channel: str, user: Recipient | None,
          endpoint: WebhookEndpoint | None, payload: dict[str, Any],
          now: datetime) -> OutboxMessage:
    """An outbox message, due now (the worker delivers it after the commit)."""
    row = OutboxMessage(idempotency_key=key, channel=channel,
                        user_id=user.id if user is not None else None, endpoint=endpoint,
                        payload=payload, status="pending", attempts=0, next_attempt_at=now,
                        last_error="", created_at=now)
    session.add(row)
    return row


def message(kind: str, params: Mapping[str, Any], user: Recipient) -> dict[str, Any]:
    """What leaves the process: subject and text in the recipient's language, and the data."""
    subject, text = render(kind, params, user.language)
    return {"type": f"rectify.{kind}", "to": user.email, "lang": user.language,
            "subject": subject, "text": text,
            "recipient": {"username": user.username, "display_name": user.display_name},
            "data": dict(params)}


def params_for(finding: Finding, label: Mapping[str, str], actor: User | None,
               note: str = "", **extra: Any) -> dict[str, Any]:
    """The facts a message about a finding carries, fixed when it is written."""
    return {"finding_id": finding.id, "code": finding.code, "title": finding.title,
            "label": dict(label), "actor": actor.display_name if actor else "",
            "note": note[:500], "due_date": finding.due_date.isoformat()
            if finding.due_date else None, "unit": {"zh": finding.unit.name_zh,
                                                    "en": finding.unit.name_en}, **extra}


def first_text(record: Mapping[str, Any], names: Sequence[str]) -> str:
    """The message, reason or comment a person typed on the step, for the notification."""
    return next((str(record[n]) for n in names if isinstance(record.get(n), str) and record[n]),
                "")

