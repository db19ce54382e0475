"""One ledger row (台账行): what pages, API, CSV/Excel exports and the CLI show of a finding."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING

from workflow.calendar import WorkingCalendar
from workflow.catalog import CATEGORIES, SEVERITIES, label
from workflow.config import LightPolicy
from workflow.models import Finding
from workflow.services.ledger import is_overdue, is_unacknowledged
from workflow.services.light import Light, light
from workflow.spec import Registry

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

COLUMNS = (  # key, zh, en: the columns of an export, in order
    ("code", "编号", "Code"), ("title", "问题标题", "Title"), ("unit", "责任单位", "Responsible unit"),
    ("lifecycle", "问题类型", "Type"), ("state", "状态", "State"), ("category", "问题类别", "Category"),
    ("severity", "严重程度", "Severity"), ("due_date", "整改期限", "Due date"),
    ("overdue", "已逾期", "Overdue"), ("unacknowledged", "未签收", "Not acknowledged"),
    ("rework_rounds", "整改返工轮次", "Rework rounds"),
    ("created_at", "登记时间", "Raised at"), ("closed_at", "办结时间", "Closed at"),
)
Cell = str | int


@dataclass(frozen=True)
class LedgerRow:
    id: int
    code: str
    title: str
    unit: str
    lifecycle: str
    state: str
    category: str
    severity_key: str
    severity: str
    due_date: date | None
    overdue: bool
    light: Light  # the traffic light (services.light)
    unacknowledged: bool  # awaiting the unit's 签收 (services.ledger.is_unacknowledged)
    rework_rounds: int
    created_at: datetime  # in the organisation's time zone
    closed_at: datetime | None


@dataclass(frozen=True)
class RowBuilder:
    """Rows in one language, as of one day, with times in one zone."""

    registry: Registry
    today: date
    zone: tzinfo
    lang: str
    calendar: WorkingCalendar
    policy: LightPolicy

    def row(self, f: Finding) -> LedgerRow:
        lifecycle = self.registry.get(f.lifecycle, f.lifecycle_version)
        return LedgerRow(
            id=f.id, code=f.code, title=f.title, unit=f.unit.name(self.lang),
            lifecycle=lifecycle.label(self.lang), state=lifecycle.state(f.state).label(self.lang),
            category=label(CATEGORIES, f.category, self.lang), severity_key=f.severity,
            severity=label(SEVERITIES, f.severity, self.lang), due_date=f.due_date,
            overdue=is_overdue(f, self.today),
            light=light(f, self.today, self.calendar, self.policy),
            unacknowledged=is_unacknowledged(f),
            rework_rounds=f.rework_rounds, created_at=f.created_at.astimezone(self.zone),
            closed_at=f.closed_at.astimezone(self.zone) if f.closed_at else None)

    def headers(self) -> list[str]:
        return [zh if self.lang == "zh" else en for _key, zh, en in COLUMNS]

    def cells(self, f: Finding) -> dict[str, Cell]:
        """The row as the text of each column, keyed like COLUMNS (exports and the CLI)."""
        row = self.row(f)
        return {
            "code": row.code, "title": row.title, "unit": row.unit, "lifecycle": row.lifecycle,
            "state": row.state, "category": row.category, "severity": row.severity,
            "due_date": row.due_date.isoformat() if row.due_date else "",
            "overdue": ("是" if self.lang == "zh" else "yes") if row.overdue else "",
            "unacknowledged": ("是" if self.lang == "zh" else "yes") if row.unacknowledged else "",
            "rework_rounds": row.rework_rounds, "created_at": _minute(row.created_at),
            "closed_at": _minute(row.closed_at) if row.closed_at else "",
        }


def _minute(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def row_builder(uow: UnitOfWork, lang: str, day: date | None = None) -> RowBuilder:
    """Rows for this unit of work's definitions, today (or `day`: the ledger as of a past
    moment, services.ledger_view.ledger_day) and time zone."""
    return RowBuilder(uow.registry, day or uow.today(), uow.zone, lang, uow.calendar,
                      uow.light_policy)
