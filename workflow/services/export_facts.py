"""What a 整改台账 row shows beyond the finding's own columns, loaded for a batch of findings at
once: the unit path by name, the measures reported, the due-date history, the last action."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.models import Event, Finding, Unit, User
from workflow.services.due_history import due_history
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

    def _pick(self, pair: tuple[str, str]) -> str:
        return pair[0] if self.lang == "zh" else pair[1]

    def unit_path(self, unit: Unit) -> str:
        """Names from the root down to the unit: "省纪委监委 / 市纪委监委 / 甲集团"."""
        ids = [int(part) for part in unit.path.strip("/").split("/") if part]
        return " / ".join(self._unit_names.get(i, "?") for i in ids)

    def load(self, findings: Sequence[Finding]) -> dict[int, RowFacts]:
        self._cache_units(findings)
        events: dict[int, list[Event]] = defaultdict(list)
        query = (select(Event).where(Event.finding_id.in_([f.id for f in findings]))
                 .order_by(Event.finding_id, Event.seq))
        if self.until is not None:
            query = query.where(Event.created_at <= self.until)
        for event in self.session.scalars(query):
            events[event.finding_id].append(event)
        self._cache_users({e.actor_id for evs in events.values() for e in evs})
        return {f.id: self._facts(f, events[f.id]) for f in findings}

    def _cache_units(self, findings: Sequence[Finding]) -> None:
        wanted = {int(part) for f in findings for part in f.unit.path.strip("/").split("/") if part}
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

    def _facts(self, finding: Finding, events: list[Event]) -> RowFacts:
        lifecycle = self.registry.get(finding.lifecycle, finding.lifecycle_version)
        measures = next((str(e.payload["measures"]) for e in reversed(events)
                         if isinstance(e.payload.get("measures"), str) and e.payload["measures"]),
                        "")
        last = next((e for e in reversed(events) if e.trigger not in NOT_ACTIONS), None)
        return RowFacts(measures, self._due_history(lifecycle, events),
                        self._action(lifecycle, last) if last else "")

    def _due_history(self, lifecycle: Lifecycle, events: list[Event]) -> str:
        """"2026-03-10 → 2026-03-24（延期）": each date the finding was due by, and why it moved."""
        parts: list[str] = []
        for change in due_history(lifecycle, events):
            day = change.new.isoformat() if change.new else "—"
            kind = self._pick(DUE_KINDS.get(change.kind, (change.kind, change.kind)))
            parts.append(day if not parts else
                         f"{day}（{kind}）" if self.lang == "zh" else f"{day} ({kind})")
        return " → ".join(parts)

    def _action(self, lifecycle: Lifecycle, event: Event) -> str:
        """"审核通过 · 张三 · 2026-03-10 14:20": the step, who took it, when (local time)."""
        spec = next((t for t in lifecycle.transitions if t.trigger == event.trigger), None)
        step = spec.label(self.lang) if spec else self._pick(
            ENGINE_STEPS.get(event.trigger, (event.trigger, event.trigger)))
        who = self._user_names.get(event.actor_id, "")
        return " · ".join(p for p in (step, who, local_minute(event.created_at, self.zone)) if p)


def local_minute(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
