"""Recompute every finding's hash chain from the stored rows and report each break."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.chain import ChainProblem, verify_chain
from workflow.models import Event, Finding
from workflow.services.events import finding_digest, scheme_of


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
            chain = events[finding.id]
            if not chain:  # every finding is raised with an event: none left means removed
                yield finding, [ChainProblem(finding.id, None, None,
                                             "the finding has no events (its history was removed)")]
                continue
            current = finding_digest(finding, scheme_of(chain[-1].finding_digest))
            problems = verify_chain(finding.id, finding.code, chain, finding.last_seq,
                                    finding.last_hash, finding.state, current)
            if problems:
                yield finding, problems
        last_id = ids[-1]
        session.expunge_all()
