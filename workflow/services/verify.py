"""Recompute every finding's hash chain and every evidence file's sha256; report each break."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy import ColumnElement, distinct, func, select
from sqlalchemy.orm import Session

from workflow.attachments import AttachmentStore
from workflow.chain import ChainProblem
from workflow.models import Attachment, Finding
from workflow.services.verify_chains import FindingRef, verify_range


def verify_all(session: Session) -> Iterator[tuple[FindingRef, list[ChainProblem]]]:
    """(finding, problems) for every finding whose chain does not verify, or whose parties
    index disagrees with its audited column, in finding id order, in this process."""
    conn = session.connection()
    first, last = conn.execute(select(func.min(Finding.id), func.max(Finding.id))).one()
    if first is not None:
        yield from verify_range(conn, first, last)


def count_digests(session: Session, since: datetime | None = None) -> int:
    """How many distinct files the attachment rows refer to (uploaded after `since`)."""
    return session.scalar(select(func.count(distinct(Attachment.sha256)))
                          .where(*_uploaded_after(since))) or 0


def stored_digests(session: Session, batch: int = 1000,
                   since: datetime | None = None) -> Iterator[str]:
    """Every distinct sha256 the attachment rows refer to (uploaded after `since`), streamed
    in keyset batches."""
    last = ""
    while True:
        page = list(session.scalars(select(Attachment.sha256).distinct()
                                    .where(Attachment.sha256 > last, *_uploaded_after(since))
                                    .order_by(Attachment.sha256).limit(batch)))
        yield from page
        if len(page) < batch:
            return
        last = page[-1]


def _uploaded_after(since: datetime | None) -> list[ColumnElement[bool]]:
    return [] if since is None else [Attachment.created_at > since]


def verify_files(store: AttachmentStore, digests: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(sha256, problem) for each stored file that is missing or whose bytes changed."""
    for digest in digests:
        problem = store.problem(digest)
        if problem is not None:
            yield digest, problem
