"""Appending a finding's next event to its hash chain; the only way events are written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.chain import GENESIS, canonical, event_hash, row_digest
from workflow.metrics import note_transition
from workflow.models import Attachment, Event, Finding, FindingAttachment, User
from workflow.services import ledger_facts, stats_facts

# The columns only the engine may change, per digest scheme. A digest is written as
# "<scheme>:<hex>"; a bare hex digest is scheme v1 (written before schemes had a prefix).
# Add a column only in a new scheme, so every digest ever written stays verifiable.
AUDITED_BY_SCHEME: dict[str, tuple[str, ...]] = {
    "v1": ("code", "title", "description", "category", "severity", "unit_id", "inspection_id",
           "campaign_id", "requirement", "due_date", "pending_due_date", "lifecycle",
           "lifecycle_version", "definition_hash", "state", "is_open", "rework_rounds",
           "raised_by_id", "rectified_at", "rectified_on", "closed_at", "created_at"),
}
AUDITED_BY_SCHEME["v2"] = (*AUDITED_BY_SCHEME["v1"], "raised_by_unit_id")
AUDITED_BY_SCHEME["v3"] = (*AUDITED_BY_SCHEME["v2"], "due_basis", "acknowledged_at",
                           "acknowledge_due_date", "review_due_date", "lookback_due_date",
                           "ladder_fired", "overdue_level", "recurrences", "recurrence_of_id")
AUDITED_BY_SCHEME["v4"] = (*AUDITED_BY_SCHEME["v3"], "parent_id", "parties")
CURRENT_SCHEME = "v4"


def audited_columns(finding: Finding, scheme: str = CURRENT_SCHEME) -> dict[str, Any]:
    """The columns a digest of this scheme covers."""
    return {name: getattr(finding, name) for name in AUDITED_BY_SCHEME[scheme]}


def scheme_of(digest: str) -> str:
    """The scheme a stored digest was written in ("v1" for a bare one)."""
    scheme, sep, _ = digest.partition(":")
    return scheme if sep and scheme in AUDITED_BY_SCHEME else "v1"


def finding_digest(finding: Finding, scheme: str = CURRENT_SCHEME) -> str:
    """The finding's digest in a scheme, as stored in events (v1 bare, later ones prefixed)."""
    return digest_of_columns(audited_columns(finding, scheme), scheme)


def digest_of_columns(columns: Mapping[Any, Any], scheme: str = CURRENT_SCHEME) -> str:
    """finding_digest over column values as read (a row of the findings table holding at least
    the scheme's audited columns)."""
    digest = row_digest({name: columns[name] for name in AUDITED_BY_SCHEME[scheme]})
    return digest if scheme == "v1" else f"{scheme}:{digest}"


def append_event(session: Session, finding: Finding, trigger: str, from_state: str | None,
                 to_state: str, actor: User, record: dict[str, Any], now: datetime,
                 attachments: Sequence[Attachment] = ()) -> Event:
    """Chain a new event onto the finding and link the evidence it carries to the finding."""
    event = chain_event(session, finding, trigger, from_state, to_state, actor, record, now,
                        attachments)
    session.add(event)
    return event


def chain_event(session: Session, finding: Finding, trigger: str, from_state: str | None,
                to_state: str, actor: User, record: dict[str, Any], now: datetime,
                attachments: Sequence[Attachment] = ()) -> Event:
    """append_event without adding the event to the session: the finding's chain and facts move
    on, the evidence is linked; the caller writes the event (fire() by one Core INSERT)."""
    seq = finding.last_seq + 1
    prev = finding.last_hash or GENESIS
    digest = finding_digest(finding)
    body = canonical(finding.code, seq, trigger, from_state, to_state, actor.id, record, now,
                     digest)
    event = Event(finding=finding, seq=seq, trigger=trigger, from_state=from_state,
                  to_state=to_state, actor_id=actor.id, payload=record, created_at=now,
                  prev_hash=prev, hash=event_hash(prev, body), finding_digest=digest)
    finding.last_seq, finding.last_hash = seq, event.hash
    # the facts the statistics and the export read instead of events, by the same UPDATE
    stats_facts.note_event(session, finding, trigger, from_state, to_state, now)
    ledger_facts.note_event(finding, trigger, actor.id, record, now)
    note_transition(session, finding.lifecycle, trigger)
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
