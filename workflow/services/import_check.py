"""Check every row of an import file through the raise rules (check_raise) and the inspection
rules (check_inspection), writing nothing: each row ready, already imported, or wrong (by column)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from workflow.errors import Forbidden, InvalidInput
from workflow.models import Campaign, Finding, ImportRow, Inspection, User
from workflow.services.directory import check_inspection, visible_campaigns
from workflow.services.import_columns import (
    ROW,
    VOCABULARIES,
    as_choice,
    as_date,
    as_lifecycle,
    as_text,
    map_headers,
)
from workflow.services.import_file import Formula, Sheet, SheetRow
from workflow.services.import_units import UnitNames
from workflow.services.raising import CheckedRaise, check_raise
from workflow.text import TextRefused, clean_text

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

Progress = Callable[[int], None]
Message = dict[str, str]
# Where a field error of the raise or inspection rules shows in the file.
_RAISE_COLUMNS = {"unit": "unit", "title": "title", "description": "description",
                  "category": "category", "severity": "severity", "requirement": "requirement",
                  "due_date": "due_date", "lifecycle": "lifecycle", "inspection": "inspected_on"}
_INSPECTION_COLUMNS = {"unit_id": "unit", "inspected_on": "inspected_on", "method": "method",
                       "campaign_id": "campaign"}
_FORMULA = {"zh": "不接受公式：请填写数值或文字。", "en": "Formulas are not accepted: enter the value."}
_ROLE = {"zh": "您的角色不能登记这类问题。", "en": "Your role may not raise findings of this lifecycle."}
_NO_INSPECT = {"zh": "您的角色不能登记检查记录。", "en": "Your role may not record inspections."}
_CAMPAIGN_ALONE = {"zh": "填写专项检查时须同时填写检查日期和检查方式。",
                   "en": "A campaign needs the inspection date and mode: enter both."}
_KEY_LENGTH = 100


@dataclass
class InspectionPlan:
    """The inspection a row comes from: an existing one, or one to record (its cleaned fields)."""

    values: dict[str, Any]
    campaign: Campaign | None
    existing: Inspection | None = None

    def identity(self) -> tuple[Any, ...]:
        campaign_id = self.campaign.id if self.campaign else None
        return (self.values["unit_id"].id, self.values["inspected_on"], self.values["method"],
                campaign_id)


@dataclass
class RowCheck:
    number: int
    errors: dict[str, Message] = field(default_factory=dict)
    raise_: CheckedRaise | None = None
    inspection: InspectionPlan | None = None
    key: str = ""
    imported_as: str = ""  # the code of the finding an earlier import made from this row


@dataclass
class ImportCheck:
    sheet: Sheet
    columns: dict[str, int]
    rows: list[RowCheck]

    @property
    def failed(self) -> list[RowCheck]:
        return [row for row in self.rows if row.errors]

    @property
    def ready(self) -> list[RowCheck]:
        return [row for row in self.rows if not row.errors and not row.imported_as]

    @property
    def skipped(self) -> list[RowCheck]:
        return [row for row in self.rows if row.imported_as]


def check_import(uow: UnitOfWork, actor: User, sheet: Sheet,
                 progress: Progress | None = None) -> ImportCheck:
    """Every non-empty row checked; keys repeated in the file and keys imported before marked."""
    columns = map_headers(sheet.headers)
    checker = _RowChecker(uow, actor, columns)
    rows = []
    for sheet_row in sheet.rows:
        rows.append(checker.check(sheet_row))
        if progress:
            progress(1)
    _mark_repeats(rows)
    _mark_imported(uow, actor, rows)
    return ImportCheck(sheet, columns, rows)


class _RowChecker:
    def __init__(self, uow: UnitOfWork, actor: User, columns: dict[str, int]) -> None:
        self.uow, self.actor, self.columns = uow, actor, columns
        self.units = UnitNames(uow.session, actor)
        self.lifecycles = uow.registry.latest()
        self._campaigns: list[Campaign] | None = None

    def check(self, sheet_row: SheetRow) -> RowCheck:
        row = RowCheck(sheet_row.number)
        cells = {key: sheet_row.cells[i] if i < len(sheet_row.cells) else None
                 for key, i in self.columns.items()}
        for key, value in cells.items():
            if isinstance(value, Formula):
                row.errors[key], cells[key] = _FORMULA, None
        data, unit_id = self._raise_data(row, cells)
        try:
            row.raise_ = check_raise(self.uow, self.actor, data.pop("lifecycle"), data)
        except InvalidInput as exc:
            for name, text in exc.errors.items():
                row.errors.setdefault(_RAISE_COLUMNS.get(name, ROW), text)
        except Forbidden:
            row.errors.setdefault("lifecycle", _ROLE)
        row.inspection = self._inspection(row, cells, unit_id)
        row.key = _row_key(row, cells.get("key"))
        return row

    def _raise_data(self, row: RowCheck, cells: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        data: dict[str, Any] = {name: as_text(cells.get(name)) for name in
                                ("title", "description", "requirement")}
        for name in ("category", "severity"):
            data[name] = as_choice(VOCABULARIES[name], cells.get(name))
        data["due_date"] = as_date(cells.get("due_date"))
        data["lifecycle"] = as_lifecycle(self.lifecycles, cells.get("lifecycle"))
        unit_text = as_text(cells.get("unit")).strip()
        found = self.units.resolve(unit_text) if unit_text else None
        if isinstance(found, dict):
            row.errors["unit"] = found
        unit_id = getattr(found, "id", None)
        data["unit"] = unit_id if unit_id is not None else ""  # unknown: its error is said
        return data, unit_id

    def _inspection(self, row: RowCheck, cells: dict[str, Any],
                    unit_id: int | None) -> InspectionPlan | None:
        inspected_on, method = as_date(cells.get("inspected_on")), cells.get("method")
        campaign = as_text(cells.get("campaign")).strip()
        if inspected_on == "" and as_text(method).strip() == "":
            if campaign:
                row.errors.setdefault("campaign", _CAMPAIGN_ALONE)
            return None
        data = {"unit_id": unit_id if unit_id is not None else "", "inspected_on": inspected_on,
                "method": as_choice(VOCABULARIES["method"], method),
                "campaign_id": self._campaign_id(campaign)}
        try:
            values, found = check_inspection(self.uow, self.actor, data)
        except InvalidInput as exc:
            for name, text in exc.errors.items():
                if name != "unit_id" or unit_id is not None:
                    row.errors.setdefault(_INSPECTION_COLUMNS.get(name, ROW), text)
            return None
        except Forbidden:
            row.errors.setdefault("inspected_on", _NO_INSPECT)
            return None
        plan = InspectionPlan(values, found)
        plan.existing = self._existing(plan)
        return plan

    def _campaign_id(self, text: str) -> str:
        """A campaign named by id or by name among those the actor sees (unknown: as given)."""
        if not text or text.isdigit():
            return text
        if self._campaigns is None:
            self._campaigns = visible_campaigns(self.uow.session, self.actor)
        named = [c for c in self._campaigns if c.name == text]
        return str(named[0].id) if len(named) == 1 else text

    def _existing(self, plan: InspectionPlan) -> Inspection | None:
        unit_id, inspected_on, method, campaign_id = plan.identity()
        query = select(Inspection).where(
            Inspection.unit_id == unit_id, Inspection.inspected_on == inspected_on,
            Inspection.method == method, Inspection.campaign_id.is_(None) if campaign_id is None
            else Inspection.campaign_id == campaign_id)
        return self.uow.session.scalars(query.order_by(Inspection.id).limit(1)).first()


def _row_key(row: RowCheck, given: Any) -> str:
    """The file's key when given, else a hash of the row's checked content."""
    text = as_text(given).strip()
    if text:
        try:
            key = clean_text(text)
        except TextRefused as refused:
            row.errors.setdefault("key", refused.message)
            return ""
        if len(key) > _KEY_LENGTH:
            row.errors.setdefault("key", {"zh": f"最多 {_KEY_LENGTH} 个字。",
                                          "en": f"Enter at most {_KEY_LENGTH} characters."})
        return key
    if row.raise_ is None or row.errors:
        return ""
    values = row.raise_.values
    content = [values["unit"].id, row.raise_.spec.name, *(
        values.get(name, "") for name in ("title", "description", "category", "severity",
                                          "requirement")),
        str(values.get("due_date") or ""), _plain(row.inspection)]
    digest = hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()
    return f"sha256:{digest}"


def _plain(plan: InspectionPlan | None) -> list[Any]:
    if plan is None:
        return []
    return [part.isoformat() if isinstance(part, date) else part for part in plan.identity()]


def _mark_repeats(rows: list[RowCheck]) -> None:
    first: dict[str, int] = {}
    for row in rows:
        if not row.key:
            continue
        if row.key in first:
            row.errors.setdefault("key", {"zh": f"与第 {first[row.key]} 行重复。",
                                          "en": f"This key repeats row {first[row.key]}."})
        else:
            first[row.key] = row.number


def _mark_imported(uow: UnitOfWork, actor: User, rows: list[RowCheck]) -> None:
    """Rows whose key the actor's body imported before: skipped, with the finding's code."""
    by_key = {row.key: row for row in rows if row.key}
    keys = list(by_key)
    for start in range(0, len(keys), 500):
        found = uow.session.execute(
            select(ImportRow.row_key, Finding.code).join(Finding, Finding.id == ImportRow.finding_id)
            .where(ImportRow.body_id == actor.unit_id,
                   ImportRow.row_key.in_(keys[start:start + 500])))
        for key, code in found:
            by_key[key].imported_as, by_key[key].errors = code, {}
