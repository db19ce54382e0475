"""The 整改台账 export: the ledger exactly as filtered, every column an office's ledger carries,
in one language, streamed from the database in batches (CSV and Excel files: workflow.ledger_files)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from typing import Any, cast

from sqlalchemy import Select, func

from workflow.catalog import CATEGORIES, METHODS, SEVERITIES
from workflow.errors import InvalidInput
from workflow.models import Finding, User
from workflow.runtime import UnitOfWork
from workflow.services.export_facts import FactsLoader, RowFacts
from workflow.services.export_records import (
    ExportRecord,
    RecordLabels,
    record_of,
    record_select,
)
from workflow.services.ledger import LedgerFilter, filtered, is_overdue, is_unacknowledged
from workflow.services.ledger_sorts import SORTS, sort_order
from workflow.services.ledger_view import every_finding, ledger_day
from workflow.services.light import Light, light, running, yellow_cutoff

BATCH = 500  # findings per round trip (as of a moment: and per query of their events)
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
        self._labels = RecordLabels(self.uow.registry, self.lang)
        self.facts = FactsLoader(self.uow.session, self.uow.registry, self.lang, self.uow.zone)

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
        query = record_select(self._query()).order_by(*sort_order(self.flt.sort))
        connection = self.uow.session.connection()  # Core rows, streamed (server-side on PG)
        result = connection.execution_options(yield_per=BATCH).execute(query)
        for batch in result.partitions():
            yield from self._batch([ExportRecord._make(row) for row in batch])

    def _rows_as_of(self) -> Iterator[list[Value]]:
        findings = every_finding(self.uow, self.actor, self.flt)
        while batch := [record_of(f) for f in islice(findings, BATCH)]:
            yield from self._batch(batch)

    def _batch(self, records: list[ExportRecord]) -> Iterator[list[Value]]:
        self.facts.cache_units(records)
        if self.flt.as_of is not None:
            records = self.facts.as_of(records, self.flt.as_of)
        for record in records:
            yield self._row(record, self.facts.facts(record))

    def _pick(self, pair: Sequence[str]) -> str:
        return pair[0] if self.lang == "zh" else pair[1]

    def _row(self, r: ExportRecord, facts: RowFacts) -> list[Value]:
        labels = self._labels
        f = cast(Finding, r)  # the columns services.light and services.ledger read, by name
        lit = self._light(f)
        kind, state = labels.lifecycle(r.lifecycle, r.lifecycle_version, r.state)
        self._count(f, state)
        return [
            r.code, r.title, r.description, kind, labels.word(CATEGORIES, r.category),
            labels.word(SEVERITIES, r.severity), self.facts.unit_path(r.unit_path),
            r.campaign or "", f"{r.inspected_on.isoformat()} {r.inspection_team}".strip()
            if r.inspected_on is not None else "",
            labels.word(METHODS, r.inspection_method) if r.inspection_method is not None else "",
            r.raised_by, self._local(r.created_at), r.requirement, r.due_date,
            facts.due_history, facts.measures, state,
            self._pick(LIGHTS[lit.colour]) if lit.colour else "",
            self._pick(("是", "yes")) if is_unacknowledged(f) else "",
            lit.working_days_overdue or None, r.rework_rounds, facts.last_action,
            self._local(r.closed_at) if r.closed_at else None,
        ]

    def _light(self, f: Finding) -> Light:
        """services.light, counted once per due date and level (the calendar walk is the cost)."""
        key = (running(f), f.due_date, f.overdue_level)
        lit = self._lights.get(key)
        if lit is None:
            lit = self._lights[key] = light(f, self.today, self.uow.calendar,
                                            self.uow.light_policy)
        return lit

    def _local(self, moment: datetime) -> datetime:
        """Local wall time as the app shows it, naive (spreadsheets hold no time zones)."""
        return moment.astimezone(self.uow.zone).replace(tzinfo=None)

    def _count(self, f: Finding, state: str) -> None:
        self.totals.rows += 1
        self.totals.open += bool(f.is_open)
        self.totals.overdue += is_overdue(f, self.today)
        self.totals.by_state[state] += 1

