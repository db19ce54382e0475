"""Recompute every finding's hash chain and every evidence file's sha256; report each break."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from workflow.attachments import AttachmentStore
from workflow.chain import ChainProblem, verify_chain
from workflow.models import Attachment, Event, Finding
from workflow.services.events import finding_digest, scheme_of
from workflow.services.parties import index_disagrees

PARTIES_DISAGREE = ("the finding_parties index disagrees with the finding's audited parties "
                    "column (one of them was edited outside the engine)")


def verify_all(session: Session, batch: int = 500) -> Iterator[tuple[Finding, list[ChainProblem]]]:
    """(finding, problems) for every finding whose chain does not verify, or whose parties
    index disagrees with its audited column."""
    last_id = 0
    while True:
        findings = list(session.scalars(
            select(Finding).where(Finding.id > last_id).order_by(Finding.id).limit(batch)))
        if not findings:
            return
        ids = [f.id for f in findings]
        events: dict[int, list[Event]] = {i: [] for i in ids}
        for event in session.scalars(select(Event).where(Event.finding_id.in_(ids))
                                     .order_by(Event.finding_id, Event.id)):
            events[event.finding_id].append(event)
        disagreeing = index_disagrees(session, findings)
        for finding in findings:
            chain = events[finding.id]
            if not chain:  # every finding is raised with an event: none left means removed
                yield finding, [ChainProblem(finding.id, None, None,
                                             "the finding has no events (its history was removed)")]
                continue
            current = finding_digest(finding, scheme_of(chain[-1].finding_digest))
            problems = verify_chain(finding.id, finding.code, chain, finding.last_seq,
                                    finding.last_hash, finding.state, current)
            if finding.id in disagreeing:
                problems.append(ChainProblem(finding.id, None, None, PARTIES_DISAGREE))
            if problems:
                yield finding, problems
        last_id = ids[-1]
        session.expunge_all()


def count_digests(session: Session) -> int:
    """How many distinct files the attachment rows refer to."""
    return session.scalar(select(func.count(distinct(Attachment.sha256)))) or 0


def stored_digests(session: Session, batch: int = 1000) -> Iterator[str]:
    """Every distinct sha256 the attachment rows refer to, streamed in keyset batches."""
    last = ""
    while True:
        page = list(session.scalars(select(Attachment.sha256).distinct()
                                    .where(Attachment.sha256 > last)
                                    .order_by(Attachment.sha256).limit(batch)))
        yield from page
        if len(page) < batch:
            return
        last = page[-1]


def verify_files(store: AttachmentStore, digests: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(sha256, problem) for each stored file that is missing or whose bytes changed."""
    for digest in digests:
        problem = store.problem(digest)
        if problem is not None:
            yield digest, problem
