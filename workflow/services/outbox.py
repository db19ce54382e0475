"""The outbox for admins: messages by status (dead letters first, with their last error), and
putting a dead message back in line (pending, attempts 0, due now)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, joinedload

from workflow.delivery.outbox import DEAD, PENDING, STATUSES
from workflow.errors import InvalidInput
from workflow.models import OutboxMessage, User
from workflow.services.permissions import require
from workflow.text import as_id

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

_NOT_DEAD = {"zh": "该消息不存在或不是投递失败状态，无需重试。",
             "en": "No such message, or it is not a dead letter: nothing to retry."}
_BAD_STATUS = {"zh": "状态只能是 dead、pending 或 sent。", "en": "Choose the status dead, pending or sent."}


def counts(session: Session, statuses: tuple[str, ...] = STATUSES) -> dict[str, int]:
    """How many messages are in each of these statuses (each present, zero when none); by the
    status index, so the sent ones, the bulk of the table, cost nothing when not asked for."""
    found = {str(status): int(number) for status, number in session.execute(
        select(OutboxMessage.status, func.count()).where(OutboxMessage.status.in_(statuses))
        .group_by(OutboxMessage.status))}
    return {status: found.get(status, 0) for status in statuses}


BACKLOG = (PENDING, DEAD)  # what waits for delivery, and what gave up


def list_outbox(uow: UnitOfWork, actor: User, status: str | None = None,
                limit: int = 200) -> list[OutboxMessage]:
    """Messages (of one status, or all): dead letters first, then pending by when they are due,
    then sent, newest first."""
    require(actor, "manage_notifications")
    if status not in (None, "", *STATUSES):
        raise InvalidInput({"status": _BAD_STATUS})
    order = case({DEAD: 0, PENDING: 1}, value=OutboxMessage.status, else_=2)
    due = case((OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at), else_=None)
    query = (select(OutboxMessage).options(joinedload(OutboxMessage.user),
                                           joinedload(OutboxMessage.endpoint))
             .order_by(order, due, OutboxMessage.id.desc()).limit(limit))
    if status:
        query = query.where(OutboxMessage.status == status)
    return list(uow.session.scalars(query))


def retry(uow: UnitOfWork, actor: User, message_id: Any) -> OutboxMessage:
    """A dead message back in line: pending, attempts 0, due now (its last error kept until the
    next attempt); commits. Anything but a dead message is a field error, nothing changes."""
    require(actor, "manage_notifications")
    number = as_id(message_id)
    row = uow.session.get(OutboxMessage, number, with_for_update=True) if number else None
    if row is None or row.status != DEAD:
        raise InvalidInput({"message_id": _NOT_DEAD})
    row.status, row.attempts, row.next_attempt_at = PENDING, 0, uow.now()
    uow.commit()
    return row
