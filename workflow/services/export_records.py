"""The 整改台账 export's rows as plain records, no ORM objects: one Core SELECT of the finding's
columns and the names joined to it, streamed; or the same record made from a loaded Finding (the
ledger as of a moment, whose findings are rebuilt from their events). Their labels, looked up
once per key."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Select
from sqlalchemy.orm import aliased

from workflow.catalog import label
from workflow.models import Campaign, Finding, Inspection, Unit, User
from workflow.spec import Registry

FINDING_FIELDS = (
    "id", "code", "title", "description", "lifecycle", "lifecycle_version", "category",
    "severity", "state", "is_open", "due_date", "rectified_at", "overdue_level",
    "acknowledge_due_date", "acknowledged_at", "requirement", "rework_rounds", "created_at",
    "closed_at", "measures_reported", "due_changes", "last_action_trigger", "last_action_at",
)


class ExportRecord(NamedTuple):
    """What an export row is made of: the finding's own columns (FINDING_FIELDS, the names
    services.light and services.ledger read), then its unit's path, raiser, campaign, inspection."""

    id: int
    code: str
    title: str
    description: str
    lifecycle: str
    lifecycle_version: int
    category: str
    severity: str
    state: str
    is_open: bool
    due_date: date | None
    rectified_at: datetime | None
    overdue_level: int
    acknowledge_due_date: date | None
    acknowledged_at: datetime | None
    requirement: str
    rework_rounds: int
    created_at: datetime
    closed_at: datetime | None
    measures_reported: str  # the facts of its history (services.ledger_facts)
    due_changes: str
    last_action_trigger: str
    last_action_at: datetime | None
    unit_path: str
    raised_by: str
    campaign: str | None  # None: no campaign, nor an inspection below (their names are NOT NULL)
    inspected_on: date | None
    inspection_team: str | None
    inspection_method: str | None
    last_action_by: str | None  # the display name of who took the last action


def record_select(query: Select[Any]) -> Select[Any]:
    """The filtered ledger query (services.ledger.filtered, not as of a moment) selecting an
    ExportRecord's columns. The joined tables are aliases, so that the filter's own subqueries
    over units and users stay uncorrelated."""
    unit, user, actor = aliased(Unit), aliased(User), aliased(User)
    campaign, inspection = aliased(Campaign), aliased(Inspection)
    joined = (Finding.__table__.join(unit, unit.id == Finding.unit_id)
              .join(user, user.id == Finding.raised_by_id)
              .outerjoin(campaign, campaign.id == Finding.campaign_id)
              .outerjoin(inspection, inspection.id == Finding.inspection_id)
              .outerjoin(actor, actor.id == Finding.last_action_by_id))
    return query.with_only_columns(
        *(getattr(Finding, name) for name in FINDING_FIELDS), unit.path, user.display_name,
        campaign.name, inspection.inspected_on, inspection.team, inspection.method,
        actor.display_name,
    ).select_from(joined)


def record_of(finding: Finding) -> ExportRecord:
    """The record of a loaded finding (its unit, raiser, campaign and inspection loaded on use),
    without who took the last action (the ledger as of a moment rebuilds the facts of the
    history from the events: FactsLoader.as_of)."""
    inspection, campaign = finding.inspection, finding.campaign
    return ExportRecord._make((
        *(getattr(finding, name) for name in FINDING_FIELDS), finding.unit.path,
        finding.raised_by.display_name, campaign.name if campaign else None,
        inspection.inspected_on if inspection else None, inspection.team if inspection else None,
        inspection.method if inspection else None, None))


@dataclass
class RecordLabels:
    """Labels in one language, each looked up once: a lifecycle's name and its states', and the
    words of the catalogue's vocabularies."""

    registry: Registry
    lang: str
    _states: dict[tuple[str, int, str], tuple[str, str]] = field(default_factory=dict)
    _words: dict[tuple[int, str], str] = field(default_factory=dict)

    def lifecycle(self, name: str, version: int, state: str) -> tuple[str, str]:
        """(the lifecycle's label, the state's label)."""
        key = (name, version, state)
        found = self._states.get(key)
        if found is None:
            lifecycle = self.registry.get(name, version)
            found = self._states[key] = (lifecycle.label(self.lang),
                                         lifecycle.state(state).label(self.lang))
        return found

    def word(self, vocabulary: dict[str, tuple[str, str]], key: str) -> str:
        """catalog.label of the key."""
        found = self._words.get((id(vocabulary), key))
        if found is None:
            found = self._words[(id(vocabulary), key)] = label(vocabulary, key, self.lang)
        return found
