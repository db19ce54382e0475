"""Who sees which letter — the issuing body or one of its addressees lies in the user's subtree
(admins: all) — as a WHERE clause and as a check on one letter; a letter's state; the list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, not_, or_, select, true
from sqlalchemy.orm import Session, aliased, selectinload

from workflow.errors import InvalidInput, UnknownLetter
from workflow.models import Attachment, Letter, LetterAddressee, LetterAttachment, Unit, User
from workflow.services.paging import page_count, page_number
from workflow.services.scope import sees_everything
from workflow.text import as_id

STATES = ("pending", "replied", "overdue")
PAGE_SIZE = 50


def _subtree(actor: User) -> Any:
    return select(Unit.id).where(Unit.under(actor.unit.path))


def letters_clause(actor: User) -> ColumnElement[bool]:
    """WHERE clause on Letter: the letters the actor may see."""
    if sees_everything(actor):
        return true()
    units = _subtree(actor)
    other = aliased(LetterAddressee)  # correlated to Letter only, even in a query joining these
    addressed = exists().where(other.letter_id == Letter.id, other.unit_id.in_(units))
    return or_(Letter.body_id.in_(units), addressed)


def sees_letter(actor: User, letter: Letter) -> bool:
    """letters_clause for one loaded letter."""
    if sees_everything(actor):
        return True
    path = actor.unit.path
    return letter.body.path.startswith(path) or any(
        a.unit.path.startswith(path) for a in letter.addressees)


def get_letter(session: Session, actor: User, letter_id: object) -> Letter:
    """The letter if it exists and the actor may see it; UnknownLetter otherwise (same answer)."""
    lid = as_id(letter_id)
    letter = session.get(Letter, lid) if lid else None
    if letter is None or not sees_letter(actor, letter):
        raise UnknownLetter(letter_id)
    return letter


def pending_clause() -> ColumnElement[bool]:
    """WHERE clause on LetterAddressee: the reply has not come."""
    return LetterAddressee.replied_at.is_(None)


def overdue_clause(today: date) -> ColumnElement[bool]:
    """WHERE clause on LetterAddressee (joined to Letter): pending past its reply date."""
    return and_(pending_clause(), Letter.reply_due_date < today)


def state_clause(state: str, today: date) -> ColumnElement[bool]:
    """WHERE clause on Letter: replied (every addressee answered), overdue (one answer is late),
    pending (waiting, none late)."""
    other = aliased(LetterAddressee)
    waiting = exists().where(other.letter_id == Letter.id, other.replied_at.is_(None))
    if state == "replied":
        return not_(waiting)
    late = and_(waiting, Letter.reply_due_date < today)
    return late if state == "overdue" else and_(waiting, not_(late))


def state_of(letter: Letter, today: date) -> str:
    """state_clause for one loaded letter."""
    if all(a.replied_at is not None for a in letter.addressees):
        return "replied"
    due = letter.reply_due_date
    return "overdue" if due is not None and due < today else "pending"


@dataclass
class LetterPage:
    items: list[Letter] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1


def letters(session: Session, actor: User, filters: Mapping[str, Any], today: date,
            page: object = 1, size: int = PAGE_SIZE) -> LetterPage:
    """The letters the actor sees, newest first, filtered by state, issuing body (its subtree),
    campaign and finding; a field error for a filter that is not one."""
    where = [letters_clause(actor), *_filters(session, filters, today)]
    number = page_number(page)
    total = int(session.scalar(select(func.count()).select_from(Letter).where(*where)) or 0)
    items = list(session.scalars(
        select(Letter).where(*where).options(selectinload(Letter.addressees)
                                             .selectinload(LetterAddressee.unit))
        .order_by(Letter.issued_on.desc(), Letter.id.desc())
        .offset((number - 1) * size).limit(size)))
    return LetterPage(items, total, number, page_count(total, size))


def _filters(session: Session, filters: Mapping[str, Any], today: date) -> list[Any]:
    out: list[Any] = []
    errors: dict[str, dict[str, str]] = {}
    state = filters.get("state")
    if state not in (None, ""):
        if state not in STATES:
            errors["state"] = {"zh": f"应为以下之一：{'、'.join(STATES)}。",
                               "en": f"Choose one of: {', '.join(STATES)}."}
        else:
            out.append(state_clause(str(state), today))
    for name, column in (("campaign", Letter.campaign_id), ("finding", Letter.finding_id)):
        if filters.get(name) not in (None, ""):
            value = as_id(filters[name])
            if value is None:
                errors[name] = {"zh": "应为编号。", "en": "Enter an id."}
            else:
                out.append(column == value)
    body = filters.get("body")
    if body not in (None, ""):
        unit = session.get(Unit, as_id(body)) if as_id(body) else None
        if unit is None:
            errors["body"] = {"zh": "单位不存在。", "en": "There is no such unit."}
        else:
            out.append(Letter.body_id.in_(select(Unit.id).where(
                Unit.under(unit.path))))
    if errors:
        raise InvalidInput(errors)
    return out


def of_finding(session: Session, actor: User, finding_id: int) -> list[Letter]:
    """The letters sent from a finding that the actor sees, oldest first (the finding's card)."""
    return list(session.scalars(
        select(Letter).where(Letter.finding_id == finding_id, letters_clause(actor))
        .options(selectinload(Letter.addressees).selectinload(LetterAddressee.unit))
        .order_by(Letter.id)))


def reply_files(session: Session, addressee: LetterAddressee) -> list[Attachment]:
    """The files of an addressee's reply, in the order they were attached."""
    return list(session.scalars(
        select(Attachment).join(LetterAttachment, LetterAttachment.attachment_id == Attachment.id)
        .where(LetterAttachment.addressee_id == addressee.id).order_by(Attachment.id)))


def reply_attachment(session: Session, actor: User, sha256: str) -> Attachment | None:
    """An upload of these bytes attached to a reply on a letter the actor sees (the sender
    body's and the addressees' users), else None."""
    return session.scalar(
        select(Attachment)
        .join(LetterAttachment, LetterAttachment.attachment_id == Attachment.id)
        .join(LetterAddressee, LetterAddressee.id == LetterAttachment.addressee_id)
        .join(Letter, Letter.id == LetterAddressee.letter_id)
        .where(Attachment.sha256 == sha256, letters_clause(actor))
        .order_by(Attachment.id).limit(1))


def sees_letter_id(session: Session, actor: User, letter_id: object) -> bool:
    """Whether the letter exists and the actor may see it (a notification's link)."""
    try:
        get_letter(session, actor, letter_id)
    except UnknownLetter:
        return False
    return True
