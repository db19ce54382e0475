"""API bearer tokens: issued once in clear, stored only as sha256, expiring, revocable.

`issue_token`, `revoke_token`, `revoke_own_token` and `record_use` take the unit of work first and
commit; `mark_used` and `revoke_all_tokens` are steps that leave the commit to the use case."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from workflow.errors import Forbidden, InvalidInput
from workflow.models import ApiToken, User, utcnow

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

DEFAULT_LIFETIME = timedelta(days=90)
USE_RESOLUTION = timedelta(minutes=1)  # last_used_at is written at most once a minute
NOT_YOURS = {"zh": "只能结束自己的会话或令牌。", "en": "You may end only your own sessions and tokens."}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(uow: UnitOfWork, user: User, label: str, lifetime: timedelta = DEFAULT_LIFETIME,
                longest: timedelta | None = None) -> str:
    """A new token for the user, valid for `lifetime` (never longer than `longest`, the
    configured maximum); commits. The clear text is returned once and never stored."""
    longest = longest or DEFAULT_LIFETIME
    if not timedelta(0) < lifetime <= longest:
        raise InvalidInput({"expires_in_days": {
            "zh": f"有效期应为 1–{longest.days} 天。",
            "en": f"The lifetime must be between 1 and {longest.days} days."}})
    token, now = "rct_" + secrets.token_urlsafe(32), uow.now()
    uow.session.add(ApiToken(user_id=user.id, token_hash=_digest(token), label=label[:200],
                             created_at=now, expires_at=now + lifetime))
    uow.commit()
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


def used_recently(token: ApiToken, now: datetime) -> bool:
    """Its last use, as loaded, is within USE_RESOLUTION: mark_used would write nothing, so a
    read request need not open a transaction to ask (the same rule as mark_used's WHERE)."""
    return token.last_used_at is not None and token.last_used_at > now - USE_RESOLUTION


def mark_used(session: Session, token_id: int, now: datetime) -> bool:
    """Record a use, at most once a minute per token (a write per request would be too many),
    in the caller's transaction: the request's use case commits it."""
    result = session.execute(
        update(ApiToken).where(ApiToken.id == token_id,
                               (ApiToken.last_used_at.is_(None))
                               | (ApiToken.last_used_at <= now - USE_RESOLUTION))
        .values(last_used_at=now).execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))


def record_use(uow: UnitOfWork, token_id: int, now: datetime) -> bool:
    """mark_used in a unit of work of its own (a request that writes nothing); commits.
    Whether it wrote."""
    if not mark_used(uow.session, token_id, now):
        return False
    uow.commit()
    return True


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


def revoke_token(uow: UnitOfWork, token: str) -> bool:
    """Revoke the token given in clear (a client revoking the one it calls with); commits.
    False if no live token has that text."""
    row = uow.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token),
                                                    ApiToken.revoked_at.is_(None)))
    return row is not None and _revoke(uow, row)


def revoke_own_token(uow: UnitOfWork, user: User, token_id: int) -> bool:
    """Revoke one of the user's own tokens by id (the account page); commits. Forbidden for
    another user's token; False if the id names no live token."""
    row = uow.session.get(ApiToken, token_id)
    if row is None or row.revoked_at is not None:
        return False
    if row.user_id != user.id:
        raise Forbidden("This token is another user's.", NOT_YOURS)
    return _revoke(uow, row)


def _revoke(uow: UnitOfWork, row: ApiToken) -> bool:
    row.revoked_at = uow.now()
    uow.commit()
    return True
