"""What a finding is linked to, both ways, as far as the actor may see: the finding it was split
from and its children, related links, the original it recurs of and its recurrences."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from workflow.models import Finding, FindingLink, User
from workflow.services.scope import findings_clause


@dataclass(frozen=True)
class Related:
    """A related link as seen from one finding: the other end, and who linked to whom."""

    link_id: int
    finding: Finding
    note: str
    outgoing: bool  # this finding was linked to the other (else the other to this one)


@dataclass
class Links:
    """A finding's links the actor may see; `hidden` counts those left out (out of scope)."""

    parent: Finding | None = None
    children: list[Finding] = field(default_factory=list)
    children_total: int = 0  # every child, seen or not: the parent closes after all of them
    children_closed: int = 0
    related: list[Related] = field(default_factory=list)
    original: Finding | None = None
    recurrences: list[Finding] = field(default_factory=list)
    hidden: int = 0


def recurrences_of(session: Session, actor: User, finding: Finding) -> list[Finding]:
    """The findings raised as recurrences of this one, oldest first."""
    return list(session.scalars(select(Finding).where(
        Finding.recurrence_of_id == finding.id, findings_clause(actor)).order_by(Finding.id)))


def original_of(session: Session, actor: User, finding: Finding) -> Finding | None:
    """The finding this one recurs of, if any and visible."""
    return _visible(session, actor, finding.recurrence_of_id)


def _visible(session: Session, actor: User, finding_id: int | None) -> Finding | None:
    if finding_id is None:
        return None
    return session.scalar(select(Finding).where(Finding.id == finding_id, findings_clause(actor)))


def _count(session: Session, *where: ColumnElement[bool]) -> int:
    return session.scalar(select(func.count()).select_from(Finding).where(*where)) or 0


def links_of(session: Session, actor: User, finding: Finding) -> Links:
    """Everything `finding` is linked to, both ways, that the actor may see."""
    out = Links(parent=_visible(session, actor, finding.parent_id),
                original=original_of(session, actor, finding),
                recurrences=recurrences_of(session, actor, finding))
    out.children = list(session.scalars(select(Finding).where(
        Finding.parent_id == finding.id, findings_clause(actor)).order_by(Finding.id)))
    out.children_total = _count(session, Finding.parent_id == finding.id)
    out.children_closed = _count(session, Finding.parent_id == finding.id, ~Finding.is_open)
    out.related = _related(session, actor, finding)
    links = session.scalar(select(func.count()).select_from(FindingLink).where(
        or_(FindingLink.from_id == finding.id, FindingLink.to_id == finding.id))) or 0
    out.hidden = (
        (finding.parent_id is not None and out.parent is None)
        + (finding.recurrence_of_id is not None and out.original is None)
        + out.children_total - len(out.children) + links - len(out.related)
        + _count(session, Finding.recurrence_of_id == finding.id) - len(out.recurrences))
    return out


def _related(session: Session, actor: User, finding: Finding) -> list[Related]:
    rows = list(session.scalars(select(FindingLink).where(
        or_(FindingLink.from_id == finding.id, FindingLink.to_id == finding.id))
        .order_by(FindingLink.id)))
    others = {row.to_id if row.from_id == finding.id else row.from_id for row in rows}
    seen = {f.id: f for f in session.scalars(select(Finding).where(
        Finding.id.in_(others), findings_clause(actor)))} if others else {}
    out = []
    for row in rows:
        outgoing = row.from_id == finding.id
        other = seen.get(row.to_id if outgoing else row.from_id)
        if other is not None:
            out.append(Related(row.id, other, row.note, outgoing))
    return out
