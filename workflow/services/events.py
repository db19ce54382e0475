"""Appending a finding's next event to its hash chain; the only way events are written."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.chain import GENESIS, canonical, event_hash, row_digest
from workflow.models import Attachment, Event, Finding, FindingAttachment, User

AUDITED = ("code", "title", "description", "category", "severity", "unit_id", "inspection_id",
           "campaign_id", "requirement", "due_date", "pending_due_date", "lifecycle",
           "lifecycle_version", "definition_hash", "state", "is_open", "rework_rounds",
           "raised_by_id", "rectified_at", "rectified_on", "closed_at", "created_at")


def audited_columns(finding: Finding) -> dict[str, Any]:
    """The columns only the engine may change; their digest goes into every event."""
    return {name: getattr(finding, name) for name in AUDITED}


def append_event(session: Session, finding: Finding, trigger: str, from_state: str | None,
                 to_state: str, actor: User, record: dict[str, Any], now: datetime,
                 attachments: Sequence[Attachment] = ()) -> Event:
    """Chain a new event onto the finding and link the evidence it carries to the finding."""
    seq = finding.last_seq + 1
    prev = finding.last_hash or GENESIS
    digest = row_digest(audited_columns(finding))
    body = canonical(finding.code, seq, trigger, from_state, to_state, actor.id, record, now,
                     digest)
    event = Event(finding=finding, seq=seq, trigger=trigger, from_state=from_state,
                  to_state=to_state, actor_id=actor.id, payload=record, created_at=now,
                  prev_hash=prev, hash=event_hash(prev, body), finding_digest=digest)
    finding.last_seq, finding.last_hash = seq, event.hash
    session.add(event)
    if attachments:
        linked: set[int] = set()
        if finding.id is not None:
            linked = set(session.scalars(select(FindingAttachment.attachment_id)
                                         .where(FindingAttachment.finding_id == finding.id)))
        for attachment in attachments:
            if attachment.id not in linked:
                session.add(FindingAttachment(finding=finding, attachment=attachment))
                linked.add(attachment.id)
    return event
