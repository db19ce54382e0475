"""Who may read an evidence file: its uploader, or anyone who may see a finding it belongs to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.errors import UnknownFinding
from workflow.models import Attachment, Finding, FindingAttachment, User
from workflow.services.scope import findings_clause


def readable_attachment(session: Session, actor: User, sha256: str) -> Attachment:
    """The actor's own upload of these bytes, else an upload on a finding it may see;
    UnknownFinding (a 404) otherwise."""
    own = session.scalar(select(Attachment).where(Attachment.sha256 == sha256,
                                                  Attachment.uploaded_by_id == actor.id))
    if own is not None:
        return own
    visible = session.scalar(
        select(Attachment)
        .join(FindingAttachment, FindingAttachment.attachment_id == Attachment.id)
        .join(Finding, Finding.id == FindingAttachment.finding_id)
        .where(Attachment.sha256 == sha256, findings_clause(actor))
        .order_by(Attachment.id).limit(1)
    )
    if visible is None:
        raise UnknownFinding(sha256)
    return visible


def evidence_of(session: Session, finding_id: int, digests: set[str]) -> dict[str, Attachment]:
    """The finding's own attachment rows for these digests (their names, types), by sha256."""
    if not digests:
        return {}
    rows = session.scalars(
        select(Attachment).join(FindingAttachment, FindingAttachment.attachment_id == Attachment.id)
        .where(FindingAttachment.finding_id == finding_id, Attachment.sha256.in_(digests)))
    return {row.sha256: row for row in rows}
