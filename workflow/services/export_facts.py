"""What a 整改台账 row shows beyond the finding's own columns, in one language: the unit path by
name, and the facts of the history kept on the row (services.ledger_facts: the measures reported,
the due-date history, the last action), or as of a moment rebuilt from the events up to it."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from workflow.models import Event, Unit, User
from workflow.services.due_history import kind_of
from workflow.services.export_records import ExportRecord
from workflow.services.ledger_facts import EMPTY_FACTS, facts_after, read_payload
from workflow.spec import Registry
from workflow.spec.model import Lifecycle

# Steps the engine records itself, not transitions of a definition (zh, en).
ENGINE_STEPS = {
    "raise": ("登记问题", "Raised"), "migrate": ("迁移到新版流程", "Moved to a new lifecycle version"),
    "ladder": ("催办升级", "Escalation step"), "letter": ("发出函件", "Letter sent"),
    "letter_reply": ("函件回复", "Letter replied"), "link": ("关联问题", "Linked"),
    "unlink": ("取消关联", "Link removed"),
}
DUE_KINDS = {  # services.due_history.KINDS
    "set": ("设定", "set"), "default": ("按严重程度默认", "default"), "extended": ("延期", "extended"),
    "rework": ("返工重计", "rework"), "cleared": ("取消期限", "cleared"),
}


@dataclass(frozen=True)
class RowFacts:
    measures: str = ""
    due_history: str = ""
    last_action: str = ""


@dataclass
class FactsLoader:
    """The words of a row's facts; names and labels cached across batches."""

    session: Session
    registry: Registry
    lang: str
    zone: tzinfo
    _unit_names: dict[int, str] = field(default_factory=dict)
    _paths: dict[str, str] = field(default_factory=dict)  # a unit path -> its names
    _user_names: dict[int, str] = field(default_factory=dict)
    _steps: dict[tuple[str, int, str], str] = field(default_factory=dict)
    _kinds: dict[tuple[str, int, str, bool | None, bool], str] = field(default_factory=dict)

    def _pick(self, pair: tuple[str, str]) -> str:
        return pair[0] if self.lang == "zh" else pair[1]

    def unit_path(self, path: str) -> str:
        """Names from the root down to the unit at `path`: "省纪委监委 / 市纪委监委 / 甲集团"
        (once per unit: its names are cached before its findings' rows are made)."""
        found = self._paths.get(path)
        if found is None:
            ids = [int(part) for part in path.strip("/").split("/") if part]
            found = self._paths[path] = " / ".join(self._unit_names.get(i, "?") for i in ids)
        return found

    def cache_units(self, findings: Sequence[ExportRecord]) -> None:
        """Load the names of the units on the findings' paths (one query for those not known)."""
        paths = {f.unit_path for f in findings if f.unit_path not in self._paths}
        wanted = {int(part) for path in paths for part in path.strip("/").split("/") if part}
        missing = wanted - set(self._unit_names)
        if missing:
            rows = self.session.execute(select(Unit.id, Unit.name_zh, Unit.name_en)
                                        .where(Unit.id.in_(missing)))
            self._unit_names.update({uid: self._pick((zh, en)) for uid, zh, en in rows})

    def as_of(self, findings: Sequence[ExportRecord], until: datetime) -> list[ExportRecord]:
        """The records with the facts of their history as they stood at `until`, folded from
        their events up to it by services.ledger_facts' rule (one query of the events' columns)."""
        facts: dict[int, dict[str, Any]] = defaultdict(lambda: dict(EMPTY_FACTS))
        query = (select(Event.finding_id, Event.trigger, Event.actor_id,
                        cast(Event.payload, Text).label("payload"), Event.created_at)
                 .where(Event.finding_id.in_([f.id for f in findings]),
                        Event.created_at <= until)
                 .order_by(Event.finding_id, Event.seq))
        for row in self.session.connection().execute(query):  # Core: no ORM result handling
            known = facts[row.finding_id]
            known.update(facts_after(known["due_changes"], row.trigger, row.actor_id,
                                     read_payload(row.payload), row.created_at))
        self._cache_users({f["last_action_by_id"] for f in facts.values()} - {None})
        out = []
        for record in findings:
            known = facts[record.id]
            actor = known.pop("last_action_by_id")
            out.append(record._replace(**known, last_action_by=self._user_names.get(actor)
                                       if actor is not None else None))
        return out

    def _cache_users(self, ids: set[int]) -> None:
        missing = ids - set(self._user_names)
        if missing:
            rows = self.session.execute(select(User.id, User.display_name)
                                        .where(User.id.in_(missing)))
            self._user_names.update({uid: name for uid, name in rows})

    def facts(self, finding: ExportRecord) -> RowFacts:
        """The row's measures, due-date history and last action, in words."""
        if not (finding.due_changes or finding.last_action_trigger):
            return RowFacts(finding.measures_reported)
        lifecycle = self.registry.get(finding.lifecycle, finding.lifecycle_version)
        return RowFacts(finding.measures_reported,
                        self._due_history(lifecycle, finding.due_changes),
                        self._action(lifecycle, finding) if finding.last_action_trigger else "")

    def _due_history(self, lifecycle: Lifecycle, due_changes: str) -> str:
        """"2026-03-10 → 2026-03-24（延期）": each date the finding was due by, and why it moved."""
        if not due_changes:
            return ""
        parts: list[str] = []
        for new, trigger, given in json.loads(due_changes):
            day = new or "—"
            parts.append(day if not parts else f"{day}（{self._kind(lifecycle, trigger, given, new)}）"
                         if self.lang == "zh" else
                         f"{day} ({self._kind(lifecycle, trigger, given, new)})")
        return " → ".join(parts)

    def _kind(self, lifecycle: Lifecycle, trigger: str, given: bool | None, new: str | None) -> str:
        """The kind of a due-date change (services.due_history.kind_of) in words."""
        key = (lifecycle.name, lifecycle.version, trigger, given, new is None)
        found = self._kinds.get(key)
        if found is None:
            kind = kind_of(lifecycle, trigger, given, None if new is None else _ANY_DAY)
            found = self._kinds[key] = self._pick(DUE_KINDS.get(kind, (kind, kind)))
        return found

    def _action(self, lifecycle: Lifecycle, finding: ExportRecord) -> str:
        """"审核通过 · 张三 · 2026-03-10 14:20": the step, who took it, when (local time)."""
        step = self._step(lifecycle, finding.last_action_trigger)
        at = local_minute(finding.last_action_at, self.zone) if finding.last_action_at else ""
        return " · ".join(p for p in (step, finding.last_action_by or "", at) if p)

    def _step(self, lifecycle: Lifecycle, trigger: str) -> str:
        """A trigger's label: the definition's transition, or a step the engine records."""
        key = (lifecycle.name, lifecycle.version, trigger)
        found = self._steps.get(key)
        if found is None:
            spec = next((t for t in lifecycle.transitions if t.trigger == trigger), None)
            found = self._steps[key] = spec.label(self.lang) if spec else self._pick(
                ENGINE_STEPS.get(trigger, (trigger, trigger)))
        return found


_ANY_DAY = date(2000, 1, 1)  # kind_of reads only whether a change left a date


def local_minute(moment: datetime, zone: tzinfo) -> str:
    """"2026-03-10 14:20" in the zone (isoformat: several times cheaper than strftime)."""
    return moment.astimezone(zone).replace(tzinfo=None).isoformat(" ", "minutes")
