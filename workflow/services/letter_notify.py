"""Telling people about letters: an addressee unit's handlers and supervisors (a letter came, its
reply is due soon or late), the issuing body's inspectors and supervisors (a reply came, a reply
is late). In the bell and the outbox per each user's preferences, each message once (its key)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.models import Letter, LetterAddressee, Notification, Unit, User
from workflow.services.notify import active_endpoints, queue_immediate

ADDRESSEE_ROLES = ("handler", "supervisor")
SENDER_ROLES = ("inspector", "supervisor")


def people_of(session: Session, unit_id: int, roles: Sequence[str]) -> list[User]:
    """The unit's own active users holding one of the roles, by id."""
    users = session.scalars(select(User).where(User.unit_id == unit_id, User.active.is_(True))
                            .order_by(User.id)).all()
    return [u for u in users if u.has_role(*roles)]


def letter_params(letter: Letter, actor: User | None = None,
                  addressee: LetterAddressee | None = None) -> dict[str, Any]:
    """The facts a message about a letter carries, fixed when it is written."""
    body = letter.body
    params: dict[str, Any] = {
        "letter_id": letter.id, "number": letter.number, "subject": letter.subject,
        "body": {"zh": body.name_zh, "en": body.name_en},
        "reply_due_date": letter.reply_due_date.isoformat() if letter.reply_due_date else None,
        "actor": actor.display_name if actor else "", "finding_id": letter.finding_id}
    if addressee is not None:
        unit = addressee.unit
        params["unit"] = {"zh": unit.name_zh, "en": unit.name_en}
    return params


def tell_addressees(session: Session, letter: Letter, kind: str, actor: User | None,
                    now: datetime) -> list[Notification]:
    """Every addressee unit's handlers and supervisors (a new letter)."""
    out = []
    for addressee in letter.addressees:
        people = people_of(session, addressee.unit_id, ADDRESSEE_ROLES)
        out += write(session, letter, addressee, kind, people, now, actor)
    return out


def tell_sender(session: Session, letter: Letter, addressee: LetterAddressee, kind: str,
                actor: User | None, now: datetime) -> list[Notification]:
    """The issuing body's inspectors and supervisors, about one addressee's reply."""
    people = [u for u in people_of(session, letter.body_id, SENDER_ROLES)
              if actor is None or u.id != actor.id]
    return write(session, letter, addressee, kind, people, now, actor)


def write(session: Session, letter: Letter, addressee: LetterAddressee, kind: str,
          people: Sequence[User], now: datetime, actor: User | None = None) -> list[Notification]:
    """One notification per person, keyed by letter, addressee, kind and user (never twice)."""
    if not people:
        return []
    if addressee.unit is None:  # a new addressee row, not flushed with its unit yet
        addressee.unit = session.get_one(Unit, addressee.unit_id)
    params = letter_params(letter, actor, addressee)
    endpoints = active_endpoints(session)
    out = []
    for user in people:
        note = Notification(key=f"letter:{letter.id}:{addressee.id}:{kind}:{user.id}", user=user,
                            finding_id=letter.finding_id, kind=kind, params=params,
                            created_at=now)
        session.add(note)
        queue_immediate(session, note.key, kind, params, user, endpoints, now)
        out.append(note)
    return out
