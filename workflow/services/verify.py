"""Recompute every finding's hash chain from the stored rows and report each break."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.chain import ChainProblem, row_digest, verify_chain
from workflow.models import Event, Finding
from workflow.services.events import audited_columns


def verify_all(session: Session, batch: int = 500) -> Iterator[tuple[Finding, list[ChainProblem]]]:
    """(finding, problems) for every finding whose chain does not verify."""
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
        for finding in findings:
            problems = verify_chain(finding.id, finding.code, events[finding.id], finding.last_seq,
                                    finding.last_hash, finding.state,
                                    row_digest(audited_columns(finding)))
            if problems:
                yield finding, problems
        last_id = ids[-1]
        session.expunge_all()
