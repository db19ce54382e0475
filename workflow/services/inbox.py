"""The in-app inbox (the bell): a user's own notifications, newest first, the unread count, and
marking them read. Nobody reads or marks another user's notifications: ids that are not the
caller's answer exactly as ids that do not exist."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from workflow.errors import InvalidInput, UnknownNotification
from workflow.models import Finding, Notification, User
from workflow.services.scope import findings_clause
from workflow.text import as_id

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

MAX_LIMIT = 100
MAX_IDS = 500
_BAD_CURSOR = {"cursor": {"zh": "分页游标无效。",
                          "en": "This page cursor is not valid: start from the first page."}}
_BAD_IDS = {"ids": {"zh": "应为通知编号的列表。", "en": "Send a list of notification ids."}}


@dataclass
class Inbox:
    """One page of a user's notifications; `visible`: the findings among them the user may
    still open (a link is offered only to those)."""

    items: list[Notification] = field(default_factory=list)
    next_cursor: str | None = None
    visible: frozenset[int] = frozenset()
    unread: int = 0


def unread_count(session: Session, user: User) -> int:
    """How many of the user's notifications are unread (the index on user_id, read_at)."""
    return int(session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0)


def inbox(session: Session, user: User, cursor: object = None, limit: int = 20) -> Inbox:
    """A page of the user's notifications, newest first; `cursor` is the id to continue below
    (as handed out in next_cursor; anything else is a field error)."""
    limit = max(1, min(limit, MAX_LIMIT))
    query = select(Notification).where(Notification.user_id == user.id)
    if cursor not in (None, ""):
        below = as_id(cursor)
        if below is None:
            raise InvalidInput(_BAD_CURSOR)
        query = query.where(Notification.id < below)
    rows = list(session.scalars(query.order_by(Notification.id.desc()).limit(limit + 1)))
    page = Inbox(items=rows[:limit], unread=unread_count(session, user))
    if len(rows) > limit:
        page.next_cursor = str(rows[limit - 1].id)
    page.visible = visible_findings(session, user, {n.finding_id for n in page.items})
    return page


def visible_findings(session: Session, user: User, ids: Iterable[int | None]) -> frozenset[int]:
    """Which of these findings the user may open now (scope decides, as everywhere)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return frozenset()
    return frozenset(session.scalars(select(Finding.id).where(
        Finding.id.in_(wanted), findings_clause(user))))


def own_ids(raw: object) -> list[int]:
    """Notification ids as sent (a list of JSON integers or digit strings); a field error for
    anything else."""
    if not isinstance(raw, list | tuple) or len(raw) > MAX_IDS:
        raise InvalidInput(_BAD_IDS)
    ids = [as_id(value) for value in raw]
    if any(i is None for i in ids):
        raise InvalidInput(_BAD_IDS)
    return [i for i in ids if i is not None]


def mark_read(uow: UnitOfWork, user: User, ids: Iterable[int] | None) -> int:
    """Mark the user's own notifications read (`ids`, or all when None); commits; how many
    were unread. An id that is not one of the user's (another user's or none) changes nothing:
    UnknownNotification, the same answer for both."""
    query = update(Notification).where(Notification.user_id == user.id,
                                       Notification.read_at.is_(None))
    if ids is not None:
        wanted = list(dict.fromkeys(ids))
        owned = set(uow.session.scalars(select(Notification.id).where(
            Notification.id.in_(wanted), Notification.user_id == user.id)))
        if not wanted or owned != set(wanted):
            raise UnknownNotification(sorted(set(wanted) - owned))
        query = query.where(Notification.id.in_(wanted))
    result = uow.session.execute(query.values(read_at=uow.now())
                                 .execution_options(synchronize_session=False))
    uow.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def open_notification(uow: UnitOfWork, user: User, notification_id: int) -> Notification | None:
    """The user's own notification, marked read (commits); None when it is not theirs or does
    not exist."""
    note = uow.session.scalar(select(Notification).where(
        Notification.id == notification_id, Notification.user_id == user.id))
    if note is None:
        return None
    if note.read_at is None:
        note.read_at = uow.now()
        uow.commit()
    return note
