"""The 整改台账 export: the ledger exactly as filtered, every column an office's ledger carries,
in one language, streamed from the database in batches (CSV and Excel files: workflow.ledger_files)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from typing import Any

from sqlalchemy import Select, func
from sqlalchemy.orm import joinedload

from workflow.catalog import CATEGORIES, METHODS, SEVERITIES, label
from workflow.errors import InvalidInput
from workflow.models import Finding, User
from workflow.runtime import UnitOfWork
from workflow.services.export_facts import FactsLoader, RowFacts
from workflow.services.ledger import LedgerFilter, filtered, is_overdue, is_unacknowledged
from workflow.services.ledger_sorts import SORTS, sort_order
from workflow.services.ledger_view import every_finding, ledger_day
from workflow.services.light import Light, light, running, yellow_cutoff

BATCH = 500  # findings per round trip (and per query of their events)
Value = str | int | date | datetime | None
# key, zh, en, kind: "text", "date", "datetime" (local, naive) or "int"
COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("code", "编号", "Code", "text"), ("title", "问题标题", "Title", "text"),
    ("description", "问题描述", "Description", "text"),
    ("lifecycle", "问题类型", "Type", "text"), ("category", "问题类别", "Category", "text"),
    ("severity", "严重程度", "Severity", "text"), ("unit", "责任单位", "Responsible unit", "text"),
    ("campaign", "专项检查", "Campaign", "text"), ("inspection", "检查", "Inspection", "text"),
    ("inspection_mode", "检查方式", "Inspection mode", "text"),
    ("raised_by", "提出人", "Raised by", "text"), ("raised_at", "提出时间", "Raised at", "datetime"),
    ("requirement", "整改要求", "Requirement", "text"), ("due_date", "整改期限", "Due date", "date"),
    ("due_history", "期限变更", "Due date history", "text"),
    ("measures", "整改措施", "Measures reported", "text"), ("state", "状态", "State", "text"),
    ("light", "亮灯", "Light", "text"), ("unacknowledged", "未签收", "Not acknowledged", "text"),
    ("overdue_days", "逾期天数（工作日）", "Working days overdue", "int"),
    ("rework_rounds", "返工轮次", "Rework rounds", "int"),
    ("last_action", "最近操作", "Last action", "text"), ("closed_at", "办结时间", "Closed at", "datetime"),
)
LIGHTS = {"green": ("绿灯", "green"), "yellow": ("黄灯", "yellow"), "red": ("红灯", "red")}


@dataclass
class Totals:
    """What the rows written add up to (the export's second sheet)."""

    rows: int = 0
    open: int = 0
    overdue: int = 0
    by_state: Counter[str] = field(default_factory=Counter)


@dataclass
class LedgerExport:
    """One export of what `actor` sees of the ledger through `flt`, in `lang` ("zh" or "en")."""

    uow: UnitOfWork
    actor: User
    flt: LedgerFilter
    lang: str
    totals: Totals = field(default_factory=Totals)

    def __post_init__(self) -> None:
        if self.flt.sort not in SORTS:
            raise InvalidInput({"sort": {"zh": f"排序应为 {'、'.join(SORTS)} 之一。",
                                         "en": f"Sort by one of: {', '.join(SORTS)}."}})
        self.today = ledger_day(self.uow, self.flt)  # today, or the as-of moment's day
        self._lights: dict[tuple[bool, date | None, int], Light] = {}
        self.facts = FactsLoader(self.uow.session, self.uow.registry, self.lang, self.uow.zone,
                                 self.flt.as_of)

    def headers(self) -> list[str]:
        return [zh if self.lang == "zh" else en for _key, zh, en, _kind in COLUMNS]

    def _query(self) -> Select[Any]:
        uow = self.uow
        return filtered(uow.session, self.actor, self.flt, self.today,
                        yellow_cutoff(self.today, uow.calendar, uow.light_policy), uow.registry,
                        uow.zone)

    def count(self) -> int:
        """How many rows rows() yields (the ledger's total for the same filter)."""
        query = self._query().with_only_columns(func.count(Finding.id)).order_by(None)
        return int(self.uow.session.scalar(query) or 0)

    def rows(self) -> Iterator[list[Value]]:
        """Each finding's values in COLUMNS order, in the ledger's sort; totals counted as it goes.
        As of a moment: the findings as they stood then (services.ledger_view), their events up
        to it."""
        if self.flt.as_of is not None:
            yield from self._rows_as_of()
            return
        query = self._query().order_by(*sort_order(self.flt.sort)).options(
            joinedload(Finding.unit), joinedload(Finding.raised_by),
            joinedload(Finding.campaign), joinedload(Finding.inspection),
        ).execution_options(yield_per=BATCH)
        for batch in self.uow.session.scalars(query).partitions():
            facts = self.facts.load(batch)
            for finding in batch:
                yield self._row(finding, facts[finding.id])

    def _rows_as_of(self) -> Iterator[list[Value]]:
        findings = every_finding(self.uow, self.actor, self.flt)
        while batch := list(islice(findings, BATCH)):
            facts = self.facts.load(batch)
            for finding in batch:
                yield self._row(finding, facts[finding.id])

    def _pick(self, pair: Sequence[str]) -> str:
        return pair[0] if self.lang == "zh" else pair[1]

    def _row(self, f: Finding, facts: RowFacts) -> list[Value]:
        uow, lang = self.uow, self.lang
        lifecycle = uow.registry.get(f.lifecycle, f.lifecycle_version)
        lit = self._light(f)
        state = lifecycle.state(f.state).label(lang)
        self._count(f, state)
        inspection = f.inspection
        return [
            f.code, f.title, f.description, lifecycle.label(lang),
            label(CATEGORIES, f.category, lang), label(SEVERITIES, f.severity, lang),
            self.facts.unit_path(f.unit), f.campaign.name if f.campaign else "",
            f"{inspection.inspected_on.isoformat()} {inspection.team}".strip() if inspection else "",
            label(METHODS, inspection.method, lang) if inspection else "",
            f.raised_by.display_name, self._local(f.created_at), f.requirement, f.due_date,
            facts.due_history, facts.measures, state,
            self._pick(LIGHTS[lit.colour]) if lit.colour else "",
            self._pick(("是", "yes")) if is_unacknowledged(f) else "",
            lit.working_days_overdue or None, f.rework_rounds, facts.last_action,
            self._local(f.closed_at) if f.closed_at else None,
        ]

    def _light(self, f: Finding) -> Light:
        """services.light, counted once per due date and level (the calendar walk is the cost)."""
        key = (running(f), f.due_date, f.overdue_level)
        if key not in self._lights:
            self._lights[key] = light(f, self.today, self.uow.calendar, self.uow.light_policy)
        return self._lights[key]

    def _local(self, moment: datetime) -> datetime:
        """Local wall time as the app shows it, naive (spreadsheets hold no time zones)."""
        return moment.astimezone(self.uow.zone).replace(tzinfo=None)

    def _count(self, f: Finding, state: str) -> None:
        self.totals.rows += 1
        self.totals.open += bool(f.is_open)
        self.totals.overdue += is_overdue(f, self.today)
        self.totals.by_state[state] += 1

