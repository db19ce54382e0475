"""Related links between findings (相关问题): added and removed by the inspecting side, each time
with a 'link' / 'unlink' event on both findings; the FindingLink row is the current state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from workflow.errors import Forbidden, InvalidInput, UnknownLink
from workflow.models import Finding, FindingLink, User
from workflow.services.annotate import annotate, commit_annotation
from workflow.services.firing import get_finding
from workflow.services.scope import findings_clause
from workflow.text import TextRefused, clean_text

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

# Who links findings: the inspecting side. Handlers do not: a unit does not decide which
# problems are one (it could tie its open finding to a closed one to look done).
LINKERS = ("inspector", "reviewer", "supervisor")
NOTE_LIMIT = 500
RELATED = "related"


def may_link(actor: User) -> bool:
    """Whether the actor's roles allow adding and removing related links."""
    return bool(actor.role_set.intersection(LINKERS))


def _require_linker(actor: User) -> None:
    if not may_link(actor):
        raise Forbidden(f"Linking findings needs one of the roles: {', '.join(LINKERS)}.",
                        {"zh": "只有检查、复查人员和领导可以关联问题。",
                         "en": "Only inspectors, reviewers and supervisors link findings."})


def resolve_code(session: Session, actor: User, code: object) -> int:
    """The id of the finding with this code, if the actor may see it; a field error on 'to'
    otherwise (the same for a finding that does not exist and one out of scope)."""
    text = code.strip() if isinstance(code, str) else ""
    found = session.scalar(select(Finding.id).where(Finding.code == text, findings_clause(actor)))
    if not text or found is None:
        raise InvalidInput({"to": {"zh": "没有这个编号的问题，或不在您的管辖范围内。",
                                   "en": "There is no finding with this code within your scope."}})
    return found


def _note(raw: object) -> str:
    try:
        note = clean_text(raw if isinstance(raw, str) else "", multiline=True).strip()
    except TextRefused as refused:
        raise InvalidInput({"note": refused.message}) from None
    if len(note) > NOTE_LIMIT:
        raise InvalidInput({"note": {"zh": f"最多 {NOTE_LIMIT} 个字。",
                                     "en": f"Enter at most {NOTE_LIMIT} characters."}})
    return note


def _existing(session: Session, one: int, other: int) -> FindingLink | None:
    return session.scalar(select(FindingLink).where(FindingLink.kind == RELATED, or_(
        and_(FindingLink.from_id == one, FindingLink.to_id == other),
        and_(FindingLink.from_id == other, FindingLink.to_id == one))))


def _both(session: Session, actor: User, one: int, other: int) -> tuple[Finding, Finding]:
    """Both findings, each visible to the actor (UnknownFinding otherwise); a retry reads them
    anew (the rollback before it expired every row)."""
    return get_finding(session, actor, one), get_finding(session, actor, other)


def link_findings(uow: UnitOfWork, actor: User, from_id: int, to_id: int,
                  note: object = "") -> FindingLink:
    """Link two findings the actor may see as related, recording it on both; commits."""
    _require_linker(actor)
    text = _note(note)
    if from_id == to_id:
        raise InvalidInput({"to": {"zh": "不能与问题本身关联。", "en": "A finding cannot be linked "
                                   "to itself."}})

    def write() -> FindingLink:
        source, target = _both(uow.session, actor, from_id, to_id)
        if _existing(uow.session, from_id, to_id) is not None:
            raise InvalidInput({"to": {"zh": f"已与 {target.code} 关联。",
                                       "en": f"This finding is already linked to {target.code}."}})
        link = FindingLink(from_id=from_id, to_id=to_id, kind=RELATED, note=text,
                           created_by_id=actor.id, created_at=uow.now())
        uow.session.add(link)
        uow.session.flush()  # its id, recorded in both events
        for here, there in sorted(((source, target), (target, source)), key=lambda p: p[0].id):
            annotate(here, "link", actor, {"link": link.id, "other": there.code, "note": text},
                     uow)
        return link

    link: FindingLink = commit_annotation(uow, from_id, write)
    return link


def link_by_code(uow: UnitOfWork, actor: User, from_id: int, code: object,
                 note: object = "") -> FindingLink:
    """link_findings to the finding with this code (what pages and the API are given)."""
    _require_linker(actor)  # a handler hears "not allowed", not whether the code exists
    return link_findings(uow, actor, from_id, resolve_code(uow.session, actor, code), note)


def unlink_findings(uow: UnitOfWork, actor: User, finding_id: int, link_id: int) -> None:
    """Remove a related link shown on a finding: the row goes, an 'unlink' event on both
    findings records it (their 'link' events stay); commits."""
    _require_linker(actor)

    def write() -> None:
        link = uow.session.get(FindingLink, link_id)
        if link is None or link.kind != RELATED or finding_id not in (link.from_id, link.to_id):
            raise UnknownLink(link_id)
        source, target = _both(uow.session, actor, link.from_id, link.to_id)
        for here, there in sorted(((source, target), (target, source)), key=lambda p: p[0].id):
            annotate(here, "unlink", actor, {"link": link.id, "other": there.code}, uow)
        uow.session.delete(link)

    commit_annotation(uow, finding_id, write)
