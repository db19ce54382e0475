"""Cells safe for spreadsheets: no formula injection, no characters Excel files cannot hold."""

from __future__ import annotations

import re
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
