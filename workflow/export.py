"""Cells safe for spreadsheets: no formula injection, no characters Excel files cannot hold."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what openpyxl refuses to write


def spreadsheet_safe(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading quote; others pass."""
    if isinstance(value, str):
        if not value.isprintable():  # what _ILLEGAL matches never is (a fast test)
            value = _ILLEGAL.sub("", value)
        if value.startswith(_FORMULA_START):
            return "'" + value
    return value


def csv_cells(row: Sequence[Any]) -> list[str]:
    """A row's cells as CSV text, each made spreadsheet_safe: local naive times to the minute
    ("2026-03-10 14:20"), dates ISO, none empty. Printable text not starting a formula (most
    cells) passes without a call: the export writes a million rows."""
    return [value if value.__class__ is str and value.isprintable()
            and not value.startswith(_FORMULA_START) else cell_text(value) for value in row]


def cell_text(value: Any) -> str:
    """One value as a spreadsheet_safe text cell (csv_cells' rule, one value at a time)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return str(spreadsheet_safe(value))
    if isinstance(value, datetime):
        return value.isoformat(" ", "minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
