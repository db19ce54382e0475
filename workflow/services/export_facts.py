"""What a 整改台账 row shows beyond the finding's own columns, loaded for a batch of findings at
once: the unit path by name, the measures reported, the due-date history, the last action."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, NamedTuple

from sqlalchemy import Row, Text, cast, select
from sqlalchemy.orm import Session

from workflow.models import Event, Unit, User
from workflow.services.due_history import due_history
from workflow.services.export_records import ExportRecord
from workflow.spec import Registry
from workflow.spec.model import Lifecycle

# Steps the engine records itself, not transitions of a definition (zh, en).
ENGINE_STEPS = {
    "raise": ("登记问题", "Raised"), "migrate": ("迁移到新版流程", "Moved to a new lifecycle version"),
    "ladder": ("催办升级", "Escalation step"), "letter": ("发出函件", "Letter sent"),
    "letter_reply": ("函件回复", "Letter replied"), "link": ("关联问题", "Linked"),
    "unlink": ("取消关联", "Link removed"),
}
NOT_ACTIONS = ("comment", "comment_edit")  # remarks, not steps of the work
DUE_KINDS = {  # services.due_history.KINDS
    "set": ("设定", "set"), "default": ("按严重程度默认", "default"), "extended": ("延期", "extended"),
    "rework": ("返工重计", "rework"), "cleared": ("取消期限", "cleared"),
}


# Only payloads holding one of these keys say anything a row shows (the measures, a due date):
# the others are never decoded (their JSON text is searched for the quoted key, a superset).
MEASURES_KEY, DUE_KEY = '"measures"', '"due_date'


class StepEvent(NamedTuple):
    """An event whose payload holds MEASURES_KEY or DUE_KEY, decoded (the others never are)."""

    seq: int
    trigger: str
    actor_id: int
    payload: dict[str, Any]
    created_at: datetime


def decoded_steps(rows: list[Row[Any]]) -> list[StepEvent]:
    """The events (rows of FactsLoader.load's query) whose payloads say something a row shows."""
    return [StepEvent(row.seq, row.trigger, row.actor_id, json.loads(row.payload), row.created_at)
            for row in rows if MEASURES_KEY in row.payload or DUE_KEY in row.payload]


@dataclass(frozen=True)
class RowFacts:
    measures: str = ""
    due_history: str = ""
    last_action: str = ""


@dataclass
class FactsLoader:
    """Facts for batches of findings, a few queries per batch; names cached across batches."""

    session: Session
    registry: Registry
    lang: str
    zone: tzinfo
    until: datetime | None = None  # the ledger as of a moment: only the events up to it
    _unit_names: dict[int, str] = field(default_factory=dict)
    _user_names: dict[int, str] = field(default_factory=dict)
    _steps: dict[tuple[str, int, str], str] = field(default_factory=dict)

    def _pick(self, pair: tuple[str, str]) -> str:
        return pair[0] if self.lang == "zh" else pair[1]

    def unit_path(self, path: str) -> str:
        """Names from the root down to the unit at `path`: "省纪委监委 / 市纪委监委 / 甲集团"."""
        ids = [int(part) for part in path.strip("/").split("/") if part]
        return " / ".join(self._unit_names.get(i, "?") for i in ids)

    def load(self, findings: Sequence[ExportRecord]) -> dict[int, RowFacts]:
        """Each finding's facts, from one query of the columns of their events (no ORM objects)."""
        self._cache_units(findings)
        events: dict[int, list[Any]] = defaultdict(list)  # rows of the query
        query = (select(Event.finding_id, Event.seq, Event.trigger, Event.actor_id,
                        cast(Event.payload, Text).label("payload"), Event.created_at)
                 .where(Event.finding_id.in_([f.id for f in findings]))
                 .order_by(Event.finding_id, Event.seq))
        if self.until is not None:
            query = query.where(Event.created_at <= self.until)
        for row in self.session.connection().execute(query):  # Core: no ORM result handling
            events[row.finding_id].append(row)
        self._cache_users({e.actor_id for evs in events.values() for e in evs})
        return {f.id: self._facts(f, events[f.id]) for f in findings}

    def _cache_units(self, findings: Sequence[ExportRecord]) -> None:
        wanted = {int(part) for f in findings for part in f.unit_path.strip("/").split("/") if part}
        missing = wanted - set(self._unit_names)
        if missing:
            rows = self.session.execute(select(Unit.id, Unit.name_zh, Unit.name_en)
                                        .where(Unit.id.in_(missing)))
            self._unit_names.update({uid: self._pick((zh, en)) for uid, zh, en in rows})

    def _cache_users(self, ids: set[int]) -> None:
        missing = ids - set(self._user_names)
        if missing:
            rows = self.session.execute(select(User.id, User.display_name)
                                        .where(User.id.in_(missing)))
            self._user_names.update({uid: name for uid, name in rows})

    def _facts(self, finding: ExportRecord, events: list[Row[Any]]) -> RowFacts:
        lifecycle = self.registry.get(finding.lifecycle, finding.lifecycle_version)
        read = decoded_steps(events)
        measures = next((str(e.payload["measures"]) for e in reversed(read)
                         if isinstance(e.payload.get("measures"), str) and e.payload["measures"]),
                        "")
        last = next((e for e in reversed(events) if e.trigger not in NOT_ACTIONS), None)
        return RowFacts(measures, self._due_history(lifecycle, read),
                        self._action(lifecycle, last) if last else "")

    def _due_history(self, lifecycle: Lifecycle, events: list[StepEvent]) -> str:
        """"2026-03-10 → 2026-03-24（延期）": each date the finding was due by, and why it moved."""
        parts: list[str] = []
        for change in due_history(lifecycle, events):
            day = change.new.isoformat() if change.new else "—"
            kind = self._pick(DUE_KINDS.get(change.kind, (change.kind, change.kind)))
            parts.append(day if not parts else
                         f"{day}（{kind}）" if self.lang == "zh" else f"{day} ({kind})")
        return " → ".join(parts)

    def _action(self, lifecycle: Lifecycle, event: Row[Any]) -> str:
        """"审核通过 · 张三 · 2026-03-10 14:20": the step, who took it, when (local time)."""
        step = self._step(lifecycle, event.trigger)
        who = self._user_names.get(event.actor_id, "")
        return " · ".join(p for p in (step, who, local_minute(event.created_at, self.zone)) if p)


    def _step(self, lifecycle: Lifecycle, trigger: str) -> str:
        """A trigger's label: the definition's transition, or a step the engine records."""
        key = (lifecycle.name, lifecycle.version, trigger)
        found = self._steps.get(key)
        if found is None:
            spec = next((t for t in lifecycle.transitions if t.trigger == trigger), None)
            found = self._steps[key] = spec.label(self.lang) if spec else self._pick(
                ENGINE_STEPS.get(trigger, (trigger, trigger)))
        return found


def local_minute(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
