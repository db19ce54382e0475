"""What official documents say about a finding or a campaign: the closing event and its
conclusion, the evidence list, the rows of a campaign's findings list, paragraphs, file names."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from workflow.catalog import SEVERITIES
from workflow.errors import DocumentUnavailable
from workflow.models import Event, Finding, Unit
from workflow.services.evidence import evidence_of
from workflow.services.scope import findings_clause

if TYPE_CHECKING:
    from workflow.models import User
    from workflow.runtime import UnitOfWork

NOT_CLOSED = {"zh": "该问题尚未销号：销号确认单只对已确认整改到位并销号的问题出具。",
              "en": "This finding is not closed: a closure confirmation is issued only for a "
                    "finding confirmed and closed."}
MAX_LIST_ROWS = 1000  # a findings list of more rows takes seconds to fill: the ledger exports
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def paragraphs(text: str) -> list[str]:
    """The non-blank lines of a text, each a paragraph of the document."""
    return [part.strip() for part in text.splitlines() if part.strip()]


def safe_filename(stem: str, extension: str = ".docx") -> str:
    """A file name every system accepts: no path separators, quotes or control characters."""
    return _UNSAFE_IN_NAME.sub("_", stem).strip(" .")[:150] + extension


def local_date_time(uow: UnitOfWork, moment: datetime) -> str:
    return moment.astimezone(uow.zone).strftime("%Y-%m-%d %H:%M")


def local_date(uow: UnitOfWork, moment: datetime) -> date:
    """The date of a moment in the organisation's time zone."""
    return moment.astimezone(uow.zone).date()


def confirmed_closed(uow: UnitOfWork, finding: Finding) -> bool:
    """Whether the finding is in a final state whose outcome is "confirmed" (销号): the only
    findings with a closure confirmation (withdrawn, waived and open ones have none)."""
    state = uow.registry.get(finding.lifecycle, finding.lifecycle_version).state(finding.state)
    return state.final and state.outcome == "confirmed"


def closing_event(uow: UnitOfWork, finding: Finding, events: list[Event]) -> Event:
    """The event that confirmed and closed the finding; DocumentUnavailable before it is."""
    entering = [e for e in events if e.to_state == finding.state and e.from_state != e.to_state]
    if not confirmed_closed(uow, finding) or not entering:
        raise DocumentUnavailable(NOT_CLOSED)
    return entering[-1]


def conclusion_of(uow: UnitOfWork, finding: Finding, event: Event, lang: str) -> list[str]:
    """The review conclusion the closing event recorded, else the name of that step."""
    text = event.payload.get("conclusion")
    if isinstance(text, str) and paragraphs(text):
        return paragraphs(text)
    lifecycle = uow.registry.get(finding.lifecycle, finding.lifecycle_version)
    step = next((t for t in lifecycle.transitions if t.trigger == event.trigger), None)
    return [step.label(lang)] if step else [event.trigger]


def evidence_rows(uow: UnitOfWork, finding: Finding, events: list[Event]) -> list[dict[str, Any]]:
    """Every file the finding's events carry, once, in the order given: name, size, the first
    12 hex digits of its sha256, who gave it and when."""
    given = [(digest, event) for event in events for value in event.payload.values()
             if isinstance(value, list) for digest in value if isinstance(digest, str)]
    files = evidence_of(uow.session, finding.id, {digest for digest, _ in given})
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for digest, event in given:
        if digest in files and digest not in seen:
            seen.add(digest)
            rows.append({"index": len(rows) + 1, "name": files[digest].original_name,
                         "size": human_size(files[digest].size), "sha256": digest[:12],
                         "by": event.actor.display_name,
                         "at": local_date_time(uow, event.created_at)})
    return rows


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    return f"{size / 1024:.1f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def campaign_rows(uow: UnitOfWork, actor: User, campaign_id: int,
                  lang: str) -> list[dict[str, Any]]:
    """The campaign's findings the actor may see, by code: one table row each; more than
    MAX_LIST_ROWS is DocumentUnavailable (the ledger, filtered by campaign, exports them)."""
    name = Unit.name_zh if lang == "zh" else Unit.name_en
    query = (select(Finding, name).join(Unit, Unit.id == Finding.unit_id)
             .where(Finding.campaign_id == campaign_id, findings_clause(actor))
             .order_by(Finding.code).limit(MAX_LIST_ROWS + 1))
    found = list(uow.session.execute(query))
    if len(found) > MAX_LIST_ROWS:
        raise DocumentUnavailable(_too_long(MAX_LIST_ROWS))
    rows = []
    for index, (finding, unit_name) in enumerate(found, start=1):
        lifecycle = uow.registry.get(finding.lifecycle, finding.lifecycle_version)
        severity = SEVERITIES.get(finding.severity, (finding.severity, finding.severity))
        rows.append({"index": index, "code": finding.code, "unit": unit_name,
                     "title": finding.title, "severity": severity[0 if lang == "zh" else 1],
                     "due_date": finding.due_date.isoformat() if finding.due_date else "",
                     "state": lifecycle.state(finding.state).label(lang),
                     "closed_at": local_date(uow, finding.closed_at).isoformat()
                     if finding.closed_at else ""})
    return rows


def _too_long(limit: int) -> dict[str, str]:
    return {"zh": f"本次检查的问题超过 {limit} 个，问题清单文书列不下："
                  "请在台账中按本次检查筛选后导出 Excel。",
            "en": f"The campaign has more than {limit} findings, too many for the list document: "
                  "filter the ledger by campaign and export it to Excel."}
