"""My work's letters: the replies the actor's unit owes (its handlers and supervisors answer),
soonest reply date first, each with its traffic light (green, yellow within two working days of
the reply date, red overdue)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from workflow.calendar import WorkingCalendar
from workflow.models import Letter, LetterAddressee, User
from workflow.services.ledger import Colour
from workflow.services.letter_scope import pending_clause
from workflow.services.letters import REPLIER_ROLES

YELLOW_WORKING_DAYS = 2


@dataclass(frozen=True)
class PendingReply:
    addressee: LetterAddressee
    letter: Letter
    colour: Colour | None  # None: no reply date
    working_days: int | None = None  # left (green, yellow) or overdue (red)


@dataclass
class PendingReplies:
    items: list[PendingReply]
    total: int


def reply_light(due: date | None, today: date,
                calendar: WorkingCalendar) -> tuple[Colour | None, int | None]:
    """The light of a pending reply due on `due` today, and the working days left or overdue."""
    if due is None:
        return None, None
    if due < today:
        return "red", max(1, calendar.working_days_between(due, today).days)
    cutoff = calendar.add_working_days(today, YELLOW_WORKING_DAYS).date
    left = calendar.working_days_between(today, due).days
    return ("yellow" if due <= cutoff else "green"), left


def pending_replies(session: Session, actor: User, today: date, calendar: WorkingCalendar,
                    limit: int = 100) -> PendingReplies:
    """The letters awaiting a reply from the actor's own unit (none for other roles)."""
    if not actor.has_role(*REPLIER_ROLES):
        return PendingReplies([], 0)
    where = [LetterAddressee.unit_id == actor.unit_id, pending_clause()]
    total = int(session.scalar(select(func.count()).select_from(LetterAddressee)
                               .where(*where)) or 0)
    rows = session.scalars(
        select(LetterAddressee).join(Letter, Letter.id == LetterAddressee.letter_id)
        .where(*where).options(joinedload(LetterAddressee.letter).joinedload(Letter.body))
        .order_by(Letter.reply_due_date.is_(None), Letter.reply_due_date, Letter.id)
        .limit(limit)).all()
    items = [PendingReply(a, a.letter, *reply_light(a.letter.reply_due_date, today, calendar))
             for a in rows]
    return PendingReplies(items, total)
