"""Reminder letters (提醒函) and other correspondence as records: who may send one, from a finding
or a campaign; its number per issuing body and year (苏纪提〔2026〕12号); each addressee's reply,
once. Sent from a finding, the letter and each reply are annotations on the finding's chain."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflow.errors import Forbidden, InvalidInput, UnknownFinding
from workflow.models import (
    Campaign,
    Finding,
    Letter,
    LetterAddressee,
    LetterAttachment,
    LetterCounter,
    Unit,
    User,
)
from workflow.services.annotate import annotate, commit_annotation
from workflow.services.firing import get_finding
from workflow.services.letter_input import LetterInput, clean_letter, clean_reply
from workflow.services.letter_notify import tell_addressees, tell_sender
from workflow.services.letter_scope import get_letter
from workflow.services.parties import is_party
from workflow.services.scope import independent
from workflow.text import as_id

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

SENDER_ROLES = ("supervisor", "inspector")
REPLIER_ROLES = ("handler", "supervisor")
_NO_FINDING = {"finding": {"zh": "问题不存在或不在您的管辖范围内。",
                           "en": "There is no such finding within your scope."}}
_NO_CAMPAIGN = {"campaign": {"zh": "专项检查不存在。", "en": "There is no such campaign."}}


def may_send(actor: User, finding: Finding | None = None,
             campaign: Campaign | None = None) -> bool:
    """Whether the actor may send a letter (from this finding or campaign, when given): a
    supervisor or inspector; from a finding, on its inspecting side or of its lead body; from
    a campaign, of its organising body or one above it."""
    if not actor.has_role(*SENDER_ROLES):
        return False
    if finding is not None and not (independent(actor, "inspecting", finding)
                                    or is_party(finding, "lead", actor.unit_id)):
        return False
    return campaign is None or campaign.organiser.path.startswith(actor.unit.path)


def send_letter(uow: UnitOfWork, actor: User, subject: object, text: object,
                addressee_ids: object, reply_due_date: object = None, finding_id: object = None,
                campaign_id: object = None, kind: object = "reminder") -> Letter:
    """Number, record and commit a letter from the actor's unit; from a finding, an annotation
    'letter' on it in the same commit. Forbidden / InvalidInput and nothing written otherwise."""
    if not may_send(actor):
        raise Forbidden(f"Sending a letter needs one of: {', '.join(SENDER_ROLES)}.")
    campaign = _campaign(uow.session, actor, campaign_id)
    fid = _finding_id(finding_id)
    data = clean_letter(uow, actor, subject, text, addressee_ids, reply_due_date, kind)

    def write() -> Letter:
        finding = _sending_finding(uow.session, actor, fid) if fid else None
        chosen = campaign or (finding.campaign if finding else None)
        letter = _issue(uow, actor, data, finding, chosen)
        if finding is not None:
            annotate(finding, "letter", actor, {
                "letter_id": letter.id, "number": letter.number, "subject": letter.subject,
                "addressees": [u.code for u in data.addressees],
                "reply_due_date": letter.reply_due_date.isoformat()
                if letter.reply_due_date else None}, uow)
        tell_addressees(uow.session, letter, "letter_sent", actor, uow.now())
        return letter

    if fid is None:
        letter = write()
        uow.session.flush()
        uow.commit()
        return letter
    result: Letter = commit_annotation(uow, fid, write)
    return result


def reply_to_letter(uow: UnitOfWork, actor: User, letter_id: object, text: object,
                    attachment_ids: Sequence[str] = ()) -> LetterAddressee:
    """The actor's unit answers a letter addressed to it, once (a reply is final); the files
    are the actor's uploads (sha256 as uploaded). From a finding: 'letter_reply' on it."""
    letter = get_letter(uow.session, actor, letter_id)
    addressee = _own_addressee(actor, letter)
    reply_text, files = clean_reply(uow, actor, text, attachment_ids)

    def write() -> LetterAddressee:
        now = uow.now()
        claimed = uow.session.execute(
            update(LetterAddressee).where(LetterAddressee.id == addressee.id,
                                          LetterAddressee.replied_at.is_(None))
            .values(replied_at=now, replied_on=uow.today(), reply_text=reply_text,
                    replied_by_id=actor.id).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            raise _already_replied()
        for attachment in files:
            uow.session.add(LetterAttachment(addressee_id=addressee.id,
                                             attachment_id=attachment.id))
        if letter.finding_id is not None:
            finding = uow.session.get_one(Finding, letter.finding_id)
            annotate(finding, "letter_reply", actor, {
                "letter_id": letter.id, "number": letter.number, "unit": actor.unit.code,
                "replied_on": uow.today().isoformat(), "text": reply_text,
                "attachments": [a.sha256 for a in files]}, uow)
        tell_sender(uow.session, letter, addressee, "letter_replied", actor, now)
        return addressee

    if letter.finding_id is None:
        result = write()
        uow.session.flush()
        uow.commit()
    else:
        result = commit_annotation(uow, letter.finding_id, write)
    uow.session.refresh(result)
    return result


def _own_addressee(actor: User, letter: Letter) -> LetterAddressee:
    if not actor.has_role(*REPLIER_ROLES):
        raise Forbidden(f"Replying to a letter needs one of: {', '.join(REPLIER_ROLES)}.")
    addressee = next((a for a in letter.addressees if a.unit_id == actor.unit_id), None)
    if addressee is None:
        raise Forbidden("Your unit is not an addressee of this letter.", {
            "zh": "本单位不是该函的收文单位，不能回复。",
            "en": "Your unit is not an addressee of this letter."})
    if addressee.replied_at is not None:
        raise _already_replied()
    return addressee


def _already_replied() -> Forbidden:
    return Forbidden("This addressee has replied already; a reply is final.", {
        "zh": "本单位已回复该函，回复不能修改。", "en": "Your unit has replied already; a reply is final."})


def _finding_id(raw: object) -> int | None:
    if raw is None or raw == "":
        return None
    fid = as_id(raw)
    if fid is None:
        raise InvalidInput(_NO_FINDING)
    return fid


def _sending_finding(session: Session, actor: User, finding_id: int) -> Finding:
    """The finding a letter is sent from: visible to the actor, who may send from it."""
    try:
        finding = get_finding(session, actor, finding_id)
    except UnknownFinding:
        raise InvalidInput(_NO_FINDING) from None
    if not may_send(actor, finding):
        raise Forbidden("Only the inspecting side or the lead body sends letters on a finding.", {
            "zh": "只有检查方或牵头单位可以就该问题发函。",
            "en": "Only the inspecting side or the lead body sends letters on this finding."})
    return finding


def _campaign(session: Session, actor: User, raw: object) -> Campaign | None:
    if raw is None or raw == "":
        return None
    campaign_id = as_id(raw)
    campaign = session.get(Campaign, campaign_id) if campaign_id else None
    if campaign is None:
        raise InvalidInput(_NO_CAMPAIGN)
    if not may_send(actor, campaign=campaign):
        raise Forbidden("Only the campaign's organiser or a body above it sends its letters.", {
            "zh": "只有专项检查的组织单位或其上级可以发函。",
            "en": "Only the campaign's organising body or one above it sends its letters."})
    return campaign


def _issue(uow: UnitOfWork, actor: User, data: LetterInput, finding: Finding | None,
           campaign: Campaign | None) -> Letter:
    """The letter and its addressees, with the body's next number of the year (flushed)."""
    session, today = uow.session, uow.today()
    body = session.get_one(Unit, actor.unit_id)  # this session's copy (the actor may not be)
    seq = next_seq(session, body.id, today.year)
    letter = Letter(kind=data.kind, number=f"{body.doc_prefix or ''}〔{today.year}〕{seq}号",
                    body=body, year=today.year, seq=seq, issued_on=today,
                    subject=data.subject, text=data.text, reply_due_date=data.reply_due_date,
                    finding_id=finding.id if finding else None,
                    campaign_id=campaign.id if campaign else None, created_by_id=actor.id,
                    created_at=uow.now())
    session.add(letter)
    for unit in data.addressees:
        session.add(LetterAddressee(letter=letter, unit_id=unit.id, reply_text="", reminded=""))
    session.flush()
    return letter


def next_seq(session: Session, body_id: int, year: int) -> int:
    """The body's next letter number of the year: one UPDATE ... RETURNING on its counter row
    (inserted on first use), so concurrent senders never get the same number."""
    for _ in range(3):
        last = session.scalar(
            update(LetterCounter).where(LetterCounter.body_id == body_id,
                                        LetterCounter.year == year)
            .values(last=LetterCounter.last + 1).returning(LetterCounter.last))
        if last is not None:
            return int(last)
        try:
            with session.begin_nested():
                session.add(LetterCounter(body_id=body_id, year=year, last=1))
            return 1
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a letter number")
