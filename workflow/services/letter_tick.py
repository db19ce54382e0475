"""The tick's deadline rules for letters: each pending addressee is reminded one working day
before its reply is due ("due_soon") and once the reply is overdue ("overdue", and the issuing
body is told); each reminder once, however many ticks run at once.

Each addressee is claimed with a conditional UPDATE of its `reminded` tokens (only from the value
read) in a short transaction of its own: a concurrent tick's claim fails and it moves on; the
notifications' unique keys stop anything that gets past it."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from workflow.models import Letter, LetterAddressee
from workflow.services.letter_notify import ADDRESSEE_ROLES, people_of, tell_sender, write

if TYPE_CHECKING:
    from workflow.calendar import WorkingCalendar
    from workflow.runtime import UnitOfWork

DUE_SOON, OVERDUE = "due_soon", "overdue"
BATCH = 500


def reminders_due(due: date, today: date, reminded: str,
                  calendar: WorkingCalendar) -> list[str]:
    """The reminders an addressee whose reply is due on `due` should have had by today and has
    not: overdue after the due date; due_soon from one working day before it (not once late)."""
    sent = reminded.split()
    if today > due:
        return [] if OVERDUE in sent else [OVERDUE]
    if DUE_SOON not in sent and calendar.add_working_days(due, -1).date <= today:
        return [DUE_SOON]
    return []


def remind_letters(uow: UnitOfWork, now: datetime) -> tuple[int, int]:
    """Send the reminders that fell due; (reminders sent, addressees another tick had)."""
    session, today = uow.session, now.astimezone(uow.zone).date()
    cutoff = uow.calendar.add_working_days(today, 1).date
    sent = skipped = 0
    after = 0
    while True:
        rows = session.execute(
            select(LetterAddressee.id, Letter.reply_due_date, LetterAddressee.reminded)
            .join(Letter, Letter.id == LetterAddressee.letter_id)
            .where(LetterAddressee.replied_at.is_(None), Letter.reply_due_date <= cutoff,
                   LetterAddressee.reminded.not_like(f"%{OVERDUE}%"),
                   LetterAddressee.id > after)
            .order_by(LetterAddressee.id).limit(BATCH)).all()
        session.rollback()  # end the read: each addressee gets a transaction of its own
        for addressee_id, due, reminded in rows:
            kinds = reminders_due(due, today, reminded, uow.calendar) if due else []
            if kinds:
                done = _remind(uow, addressee_id, reminded, kinds, now)
                sent, skipped = sent + done, skipped + (not done)
        if len(rows) < BATCH:
            return sent, skipped
        after = rows[-1][0]


def _remind(uow: UnitOfWork, addressee_id: int, reminded: str, kinds: list[str],
            now: datetime) -> bool:
    """Claim the addressee (its tokens still as read) and write the reminders; commit."""
    session = uow.session
    tokens = " ".join([*reminded.split(), *kinds])
    try:
        claimed = session.execute(
            update(LetterAddressee).where(LetterAddressee.id == addressee_id,
                                          LetterAddressee.reminded == reminded,
                                          LetterAddressee.replied_at.is_(None))
            .values(reminded=tokens).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            return False
        addressee = session.get_one(LetterAddressee, addressee_id)
        letter = addressee.letter
        for kind in kinds:
            people = people_of(session, addressee.unit_id, ADDRESSEE_ROLES)
            write(session, letter, addressee, f"letter_{kind}", people, now)
            if kind == OVERDUE:
                tell_sender(session, letter, addressee, "letter_overdue_sender", None, now)
        session.commit()
        return True
    except IntegrityError:
        session.rollback()
        return False
