"""Who may read an evidence file: its uploader, or anyone who may see a finding it belongs to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.errors import UnknownFinding
from workflow.models import Attachment, Finding, FindingAttachment, User
from workflow.services.scope import findings_clause


def readable_attachment(session: Session, actor: User, sha256: str) -> Attachment:
    """The attachment if the actor may read it; UnknownFinding (a 404) otherwise."""
    attachment = session.scalar(select(Attachment).where(Attachment.sha256 == sha256))
    if attachment is None:
        raise UnknownFinding(sha256)
    if attachment.uploaded_by_id == actor.id:
        return attachment
    visible = session.scalar(
        select(FindingAttachment.finding_id)
        .join(Finding, Finding.id == FindingAttachment.finding_id)
        .where(FindingAttachment.attachment_id == attachment.id, findings_clause(actor))
        .limit(1)
    )
    if visible is None:
        raise UnknownFinding(sha256)
    return attachment
