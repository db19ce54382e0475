"""API bearer tokens: issued once in clear, stored only as sha256, expiring, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from workflow.errors import InvalidInput
from workflow.models import ApiToken, User, utcnow

DEFAULT_LIFETIME = timedelta(days=90)
USE_RESOLUTION = timedelta(minutes=1)  # last_used_at is written at most once a minute


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, label: str, now: datetime,
                lifetime: timedelta = DEFAULT_LIFETIME, longest: timedelta | None = None) -> str:
    """A new token for the user, valid for `lifetime` (never longer than `longest`, the
    configured maximum); the clear text is returned once and never stored."""
    longest = longest or DEFAULT_LIFETIME
    if not timedelta(0) < lifetime <= longest:
        raise InvalidInput({"expires_in_days": {
            "zh": f"有效期应为 1–{longest.days} 天", "en": f"between 1 and {longest.days} days"}})
    token = "rct_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_digest(token), label=label[:200],
                         created_at=now, expires_at=now + lifetime))
    session.flush()
    return token


def live_token(session: Session, token: str, now: datetime) -> ApiToken | None:
    """The token's row if it is neither revoked nor expired and its user is active."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token),
                                                ApiToken.revoked_at.is_(None)))
    if row is None or not row.user.active:
        return None
    if row.expires_at is None or row.expires_at <= now:
        return None
    return row


def user_for_token(session: Session, token: str, now: datetime) -> User | None:
    row = live_token(session, token, now)
    return row.user if row else None


def mark_used(session: Session, token_id: int, now: datetime) -> bool:
    """Record a use, at most once a minute per token (a write per request would be too many)."""
    result = session.execute(
        update(ApiToken).where(ApiToken.id == token_id,
                               (ApiToken.last_used_at.is_(None))
                               | (ApiToken.last_used_at <= now - USE_RESOLUTION))
        .values(last_used_at=now).execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens that are not revoked (expired ones too, marked by expires_at)."""
    return list(session.scalars(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_all_tokens(session: Session, user: User) -> None:
    """Revoke every live token of the user (a password reset or deactivation)."""
    session.execute(update(ApiToken).where(ApiToken.user_id == user.id,
                                           ApiToken.revoked_at.is_(None))
                    .values(revoked_at=utcnow()))


def revoke_token(session: Session, token: str, now: datetime) -> bool:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token),
                                                ApiToken.revoked_at.is_(None)))
    if row is None:
        return False
    row.revoked_at = now
    return True


def revoke_own_token(session: Session, user: User, token_id: int, now: datetime) -> bool:
    """Revoke one of the user's own tokens by id (the account page)."""
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        return False
    row.revoked_at = now
    return True
