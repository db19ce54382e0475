"""The evidence viewer's data for a finding page: before/after files and the checking forms."""

from __future__ import annotations

from typing import Any

from web.uow import get_uow
from workflow.models import Attachment, Event
from workflow.services.before_after import before_after, check_triggers
from workflow.services.evidence import evidence_of
from workflow.spec.model import Lifecycle


def event_files(events: list[Event]) -> dict[str, Attachment]:
    """The attachment rows of every file the finding's events name, by sha256."""
    digests = {d for e in events for v in e.payload.values() if isinstance(v, list) for d in v
               if isinstance(d, str)}
    return evidence_of(get_uow().session, events[0].finding_id, digests) if events else {}


def evidence_view(lc: Lifecycle, events: list[Event],
                  files: dict[str, Attachment]) -> dict[str, Any]:
    """`pairs`: the files raised with beside those of the latest rectification report;
    `checks`: the triggers of the follow-up check, whose forms show them again."""
    return {"pairs": before_after(lc, events, files), "checks": check_triggers(lc)}
