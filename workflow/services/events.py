"""Appending a finding's next event to its hash chain; the only way events are written."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.chain import GENESIS, canonical, event_hash
from workflow.models import Attachment, Event, Finding, FindingAttachment, User


def append_event(session: Session, finding: Finding, trigger: str, from_state: str | None,
                 to_state: str, actor: User, record: dict[str, Any], now: datetime,
                 attachments: Sequence[Attachment] = ()) -> Event:
    """Chain a new event onto the finding and link the evidence it carries to the finding."""
    seq = finding.last_seq + 1
    prev = finding.last_hash or GENESIS
    body = canonical(finding.code, seq, trigger, from_state, to_state, actor.id, record, now)
    event = Event(finding=finding, seq=seq, trigger=trigger, from_state=from_state,
                  to_state=to_state, actor_id=actor.id, payload=record, created_at=now,
                  prev_hash=prev, hash=event_hash(prev, body))
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
