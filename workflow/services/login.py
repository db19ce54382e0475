"""Login: password check with a constant-cost answer for unknown users, lockout kept in the
database with backoff; the engine's system account never logs in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from workflow.models import User
from workflow.services.system import USERNAME as SYSTEM_USERNAME

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

LOCK_AFTER = 5  # failures in a row before the first lock
LOCK_FIRST, LOCK_CAP = timedelta(minutes=1), timedelta(hours=1)  # doubling from first to cap


def password_matches(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


@dataclass(frozen=True)
class Login:
    """The outcome of a login: the user, or why not ('wrong', 'locked', 'disabled')."""

    user: User | None
    refusal: str | None = None
    locked_until: datetime | None = None


@cache
def _dummy_hash() -> str:
    return generate_password_hash("not-anyone's-password")


def login(uow: UnitOfWork, username: str, password: str) -> Login:
    """Check a login; the page and the token endpoint both call this. Commits whatever the
    outcome: failures are recorded (lockout) even though the login is refused, and reset on
    success."""
    result = _check_login(uow.session, username, password, uow.now())
    uow.commit()
    return result


def _check_login(session: Session, username: str, password: str, now: datetime) -> Login:
    """An unknown username costs one hash check like a wrong password; a locked or disabled
    account says so only to the right password, so neither tells an outsider that it exists."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or user.username == SYSTEM_USERNAME:  # the engine's account never logs in
        check_password_hash(_dummy_hash(), password)
        return Login(None, "wrong")
    locked = user.locked_until is not None and user.locked_until > now
    if not password_matches(user, password):
        if user.active and not locked:
            _record_failure(session, user, now)
        return Login(None, "wrong")
    if not user.active:
        return Login(None, "disabled")
    if locked:
        return Login(None, "locked", user.locked_until)
    if user.failed_logins or user.locked_until is not None:
        user.failed_logins, user.locked_until = 0, None
        session.flush()
    return Login(user)


def _record_failure(session: Session, user: User, now: datetime) -> None:
    """One more failure, counted in the database (so every worker sees it); lock from the 5th."""
    failures = session.execute(
        update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins).execution_options(synchronize_session=False)).scalar_one()
    user.failed_logins = failures
    if failures >= LOCK_AFTER:
        user.locked_until = now + min(LOCK_FIRST * 2 ** min(failures - LOCK_AFTER, 12), LOCK_CAP)
    session.flush()
