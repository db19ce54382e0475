"""Evidence rules: uploading, who may read a file, how many a field takes, removing unused
uploads."""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from workflow.attachments import unlinked_clause
from workflow.errors import InvalidInput, UnknownFinding
from workflow.models import Attachment, Finding, FindingAttachment, User
from workflow.services.letter_scope import reply_attachment
from workflow.services.scope import findings_clause
from workflow.spec.model import FieldSpec

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork


def upload(uow: UnitOfWork, uploader: User, data: bytes, name: str) -> Attachment:
    """Store a file the user uploads (checked on its bytes, within their quota) and commit, so
    the upload is kept even when the form it came with is refused; UploadRejected otherwise."""
    attachment = uow.store.put(uow.session, data, name, uploader)
    uow.commit()
    return attachment


def readable_attachment(session: Session, actor: User, sha256: str) -> Attachment:
    """The actor's own upload of these bytes, else an upload on a finding it may see, else one
    attached to a reply to a letter it may see; UnknownFinding (a 404) otherwise."""
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
        visible = reply_attachment(session, actor, sha256)
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


def check_file_count(fields: tuple[FieldSpec, ...], counts: dict[str, int]) -> None:
    """Refuse, before anything is stored, a files field given more than its max_count."""
    errors = {f.name: {"zh": f"最多上传 {f.max_count} 个文件。",
                       "en": f"Upload at most {f.max_count} file(s)."}
              for f in fields if f.type == "files" and f.max_count is not None
              and counts.get(f.name, 0) > f.max_count}
    if errors:
        raise InvalidInput(errors)


def remove_unlinked(uow: UnitOfWork, before: datetime, dry_run: bool = False) -> list[Attachment]:
    """Delete attachment rows no finding uses, uploaded before `before`, and commit; then their
    files, unless another row still holds the same bytes. dry_run only lists them.

    An upload of the same bytes while this runs touches the file (AttachmentStore._write): a
    file touched since the clean-up began is kept, and rows are checked again before each file
    goes, so a new upload never loses its file to the clean-up."""
    session = uow.session
    started = time.time()
    rows = list(session.scalars(select(Attachment).where(unlinked_clause(),
                                                         Attachment.created_at < before)
                                .order_by(Attachment.id)))
    if dry_run or not rows:
        return rows
    digests = {r.sha256 for r in rows}
    session.execute(delete(Attachment).where(Attachment.id.in_([r.id for r in rows])))
    kept = set(session.scalars(select(Attachment.sha256).where(Attachment.sha256.in_(digests))))
    uow.commit()
    for digest in digests - kept:
        taken = session.scalar(select(Attachment.id).where(Attachment.sha256 == digest).limit(1))
        session.rollback()  # end that read at once: uploads must not wait on the clean-up
        if taken is None:  # not uploaded again meanwhile
            uow.store.remove(digest, unless_touched_after=started)
    return rows
