"""Login sessions: a row per browser login (device, address, started, last seen), listed to
their user, who may end any of them; nobody ends another user's session.

`start_session`, `record_seen` and `end_own_session` take the unit of work first and commit;
`mark_seen` leaves the commit to the request's use case."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from workflow.errors import Forbidden
from workflow.models import LoginSession, User
from workflow.services.tokens import NOT_YOURS

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

SEEN_RESOLUTION = timedelta(minutes=1)  # last_seen_at is written at most once a minute
KEPT_FOR = timedelta(days=30)  # an ended or idle session row is deleted this long after
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # headers may carry them; PostgreSQL refuses NUL


@dataclass(frozen=True)
class Lifetimes:
    """How long a session lives: idle since the last request, and at most since login."""

    idle: timedelta
    longest: timedelta


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _clean(text: str, limit: int) -> str:
    return _CONTROL.sub("", text)[:limit]


def start_session(uow: UnitOfWork, user: User, user_agent: str, ip: str) -> str:
    """A new session for the user's browser; commits. The key (for the signed cookie) is
    returned once; only its digest is stored."""
    key, now = secrets.token_urlsafe(32), uow.now()
    uow.session.add(LoginSession(user_id=user.id, key_hash=_digest(key),
                                 version=user.session_version or 0,
                                 user_agent=_clean(user_agent, 300), ip=_clean(ip, 64),
                                 started_at=now, last_seen_at=now))
    uow.commit()
    return key


def live_session(session: Session, user: User, key: object) -> LoginSession | None:
    """The user's session that the key names, if it was not ended (lifetimes and the version
    are checked by the caller on the cookie)."""
    if not isinstance(key, str) or len(key) > 100:
        return None
    row = session.scalar(select(LoginSession).where(LoginSession.key_hash == _digest(key)))
    if row is None or row.user_id != user.id or row.ended_at is not None:
        return None
    return row


def seen_recently(row: LoginSession, now: datetime) -> bool:
    """Its last request, as loaded, is within SEEN_RESOLUTION: mark_seen would write nothing
    (the same rule as mark_seen's WHERE)."""
    return row.last_seen_at > now - SEEN_RESOLUTION


def mark_seen(session: Session, row_id: int, now: datetime) -> bool:
    """Record a request, at most once a minute per session, in the caller's transaction."""
    result = session.execute(
        update(LoginSession).where(LoginSession.id == row_id,
                                   LoginSession.last_seen_at <= now - SEEN_RESOLUTION)
        .values(last_seen_at=now).execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))


def record_seen(uow: UnitOfWork, row_id: int, now: datetime) -> bool:
    """mark_seen in a unit of work of its own (a request that writes nothing); commits."""
    if not mark_seen(uow.session, row_id, now):
        return False
    uow.commit()
    return True


def active_sessions(session: Session, user: User, now: datetime,
                    lifetimes: Lifetimes) -> list[LoginSession]:
    """The user's sessions that still let a browser in, the most recently seen first: not
    ended, under the current session version, within both lifetimes."""
    return list(session.scalars(select(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None),
        LoginSession.version == (user.session_version or 0),
        LoginSession.last_seen_at > now - lifetimes.idle - SEEN_RESOLUTION,
        LoginSession.started_at > now - lifetimes.longest)
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())))


def end_own_session(uow: UnitOfWork, user: User, session_id: int) -> bool:
    """The user ends one of their sessions (its browser is logged out at its next request);
    commits. Forbidden for another user's session; False if there is no such live session."""
    row = uow.session.get(LoginSession, session_id)
    if row is None or row.ended_at is not None:
        return False
    if row.user_id != user.id:
        raise Forbidden("This session is another user's.", NOT_YOURS)
    row.ended_at = uow.now()
    uow.commit()
    return True


def end_this_session(uow: UnitOfWork, user: User, key: object) -> bool:
    """Logout: the browser session the cookie's key names ends, the user's others live on;
    commits. False if the key names no live session of the user."""
    row = live_session(uow.session, user, key)
    if row is None:
        return False
    row.ended_at = uow.now()
    uow.commit()
    return True


def purge_sessions(uow: UnitOfWork, now: datetime) -> int:
    """Delete the session rows ended or unused for KEPT_FOR (no lifetime is that long: they
    let nobody in and the account page no longer lists them); commits. Returns how many."""
    cutoff = now - KEPT_FOR
    result = uow.session.execute(
        delete(LoginSession).where(or_(LoginSession.ended_at < cutoff,
                                       LoginSession.last_seen_at < cutoff))
        .execution_options(synchronize_session=False))
    uow.commit()
    return int(getattr(result, "rowcount", 0) or 0)
