"""Findings linked by recurrence (回头看 found the problem back): the original a finding recurs
of, and the findings raised again from it, those the actor may see."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.models import Finding, User
from workflow.services.scope import findings_clause


def recurrences_of(session: Session, actor: User, finding: Finding) -> list[Finding]:
    """The findings raised as recurrences of this one, oldest first."""
    return list(session.scalars(select(Finding).where(
        Finding.recurrence_of_id == finding.id, findings_clause(actor)).order_by(Finding.id)))


def original_of(session: Session, actor: User, finding: Finding) -> Finding | None:
    """The finding this one recurs of, if any and visible."""
    if finding.recurrence_of_id is None:
        return None
    return session.scalar(select(Finding).where(Finding.id == finding.recurrence_of_id,
                                                findings_clause(actor)))
