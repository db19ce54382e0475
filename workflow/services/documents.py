"""Official documents of a finding, a letter or a campaign, for those who may see it: 整改通知书,
提醒函, 销号确认单, 问题清单. Each `prepare_*` gives the content (pages print it as HTML); each
`*_document` gives (file name, DOCX bytes) from the organisation's template or the shipped one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from workflow.catalog import CATEGORIES, SEVERITIES
from workflow.documents import document_date, render_document
from workflow.errors import UnknownFinding, UnknownLetter
from workflow.models import Letter, LetterAddressee, User
from workflow.services.directory import campaign_in_view
from workflow.services.document_facts import (
    campaign_rows,
    closing_event,
    conclusion_of,
    evidence_rows,
    local_date,
    paragraphs,
    safe_filename,
)
from workflow.services.firing import get_finding, history
from workflow.services.letter_scope import sees_letter

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

# The file name of each kind of document, by language, before its record's number.
TITLES = {"notice": ("整改通知书", "rectification-notice"), "closure": ("销号确认单", "closure"),
          "letter": ("提醒函", "reminder-letter"), "campaign_list": ("问题清单", "findings-list")}


@dataclass(frozen=True)
class Prepared:
    """One document's content: its kind, language, file name and template context."""

    kind: str
    lang: str
    filename: str
    context: dict[str, Any]


def language(lang: str) -> str:
    """'zh' or 'en' from a locale such as zh_CN."""
    return "zh" if lang.lower().startswith("zh") else "en"


def rendered(uow: UnitOfWork, prepared: Prepared) -> tuple[str, bytes]:
    """(file name, DOCX bytes) of prepared content, from the organisation's template if any."""
    data = render_document(prepared.kind, prepared.context, prepared.lang, uow.document_templates)
    return prepared.filename, data


def _filename(kind: str, lang: str, number: str) -> str:
    zh, en = TITLES[kind]
    return safe_filename(f"{zh if lang == 'zh' else en}-{number}")


def _label(vocabulary: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    labels = vocabulary.get(key, (key, key))
    return labels[0] if lang == "zh" else labels[1]


def prepare_notice(uow: UnitOfWork, actor: User, finding_id: int, lang: str) -> Prepared:
    """The rectification notice to the unit: the finding, the requirement and the due date, from
    the body that raised it, dated the day the requirement was given (else the day raised)."""
    lang = language(lang)
    finding = get_finding(uow.session, actor, finding_id)
    assigned = [e for e in history(uow.session, finding) if "requirement" in e.payload]
    issued = assigned[-1].created_at if assigned else finding.created_at
    context = {"issuer": finding.raised_by_unit.name(lang), "code": finding.code,
               "title": finding.title, "description": paragraphs(finding.description),
               "unit": finding.unit.name(lang),
               "requirement": paragraphs(finding.requirement) or ["—"],
               "due_date": document_date(finding.due_date, lang),
               "severity": _label(SEVERITIES, finding.severity, lang),
               "category": _label(CATEGORIES, finding.category, lang),
               "date": document_date(local_date(uow, issued), lang)}
    return Prepared("notice", lang, _filename("notice", lang, finding.code), context)


def notice_document(uow: UnitOfWork, actor: User, finding_id: int, lang: str) -> tuple[str, bytes]:
    return rendered(uow, prepare_notice(uow, actor, finding_id, lang))


def prepare_closure(uow: UnitOfWork, actor: User, finding_id: int, lang: str) -> Prepared:
    """The closure confirmation of a confirmed and closed finding: the review conclusion of the
    closing event, who closed it and when, and the evidence list; DocumentUnavailable before."""
    lang = language(lang)
    finding = get_finding(uow.session, actor, finding_id)
    events = history(uow.session, finding)
    closing = closing_event(uow, finding, events)
    closed_on = document_date(local_date(uow, closing.created_at), lang)
    context = {"issuer": finding.raised_by_unit.name(lang), "code": finding.code,
               "title": finding.title, "unit": finding.unit.name(lang),
               "requirement": paragraphs(finding.requirement) or ["—"],
               "due_date": document_date(finding.due_date, lang),
               "conclusion": conclusion_of(uow, finding, closing, lang),
               "closed_by": closing.actor.display_name, "closed_on": closed_on,
               "evidence": evidence_rows(uow, finding, events), "date": closed_on}
    return Prepared("closure", lang, _filename("closure", lang, finding.code), context)


def closure_document(uow: UnitOfWork, actor: User, finding_id: int,
                     lang: str) -> tuple[str, bytes]:
    return rendered(uow, prepare_closure(uow, actor, finding_id, lang))


def visible_letter(uow: UnitOfWork, actor: User, letter_id: int) -> Letter:
    """The letter if it exists and the actor may read it (letter_scope.sees_letter, the one
    rule); UnknownLetter (a 404) otherwise."""
    letter = uow.session.scalar(
        select(Letter).where(Letter.id == letter_id).options(
            joinedload(Letter.body), joinedload(Letter.finding),
            selectinload(Letter.addressees).joinedload(LetterAddressee.unit)))
    if letter is None or not sees_letter(actor, letter):
        raise UnknownLetter(letter_id)
    return letter


def prepare_letter(uow: UnitOfWork, actor: User, letter_id: int, lang: str) -> Prepared:
    """The letter as sent: number, issuing body, addressees, subject, text, reply due date."""
    lang = language(lang)
    letter = visible_letter(uow, actor, letter_id)
    names = [a.unit.name(lang) for a in letter.addressees]
    context = {"issuer": letter.body.name(lang), "number": letter.number,
               "subject": letter.subject, "addressees": ("、" if lang == "zh" else ", ").join(names),
               "addressee_list": names, "text": paragraphs(letter.text),
               "reply_due_date": document_date(letter.reply_due_date, lang),
               "finding_code": letter.finding.code if letter.finding else "",
               "date": document_date(letter.issued_on, lang)}
    return Prepared("letter", lang, _filename("letter", lang, letter.number), context)


def letter_document(uow: UnitOfWork, actor: User, letter_id: int, lang: str) -> tuple[str, bytes]:
    return rendered(uow, prepare_letter(uow, actor, letter_id, lang))


def prepare_campaign_list(uow: UnitOfWork, actor: User, campaign_id: int,
                          lang: str) -> Prepared:
    """A campaign's findings list (问题清单) as of today: the findings of the campaign the actor
    may see, one row each; UnknownFinding (a 404) for a campaign out of its view."""
    lang = language(lang)
    campaign = campaign_in_view(uow.session, actor, campaign_id)
    if campaign is None:
        raise UnknownFinding(f"campaign {campaign_id}")
    rows = campaign_rows(uow, actor, campaign.id, lang)
    ends = document_date(campaign.ends_on, lang)
    period = document_date(campaign.starts_on, lang) + (f" — {ends}" if ends else "")
    context = {"issuer": campaign.organiser.name(lang), "period": period,
               "campaign": campaign.name, "rows": rows, "total": len(rows),
               "date": document_date(uow.today(), lang)}
    return Prepared("campaign_list", lang,
                    _filename("campaign_list", lang, f"{campaign.name}-{uow.today()}"), context)


def campaign_list_document(uow: UnitOfWork, actor: User, campaign_id: int,
                           lang: str) -> tuple[str, bytes]:
    return rendered(uow, prepare_campaign_list(uow, actor, campaign_id, lang))
