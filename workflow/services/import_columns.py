"""The columns of an import file: names in zh and en, which the header may use, and how a cell's
value becomes what the raise form would send (labels to keys, date cells to dates)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from workflow.catalog import CATEGORIES, METHODS, SEVERITIES
from workflow.services.import_file import ImportFileError
from workflow.spec.model import Lifecycle


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool = False

    def label(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en


COLUMNS = (
    Column("unit", "责任单位", "Responsible unit", required=True),
    Column("title", "问题标题", "Title", required=True),
    Column("description", "问题描述", "Description"),
    Column("category", "问题类别", "Category", required=True),
    Column("severity", "严重程度", "Severity", required=True),
    Column("lifecycle", "问题类型", "Lifecycle"),
    Column("requirement", "整改要求", "Requirement"),
    Column("due_date", "整改期限", "Due date"),
    Column("campaign", "专项检查", "Campaign"),
    Column("inspected_on", "检查日期", "Inspection date"),
    Column("method", "检查方式", "Inspection mode"),
    Column("key", "行标识", "Row key"),
)
BY_KEY = {c.key: c for c in COLUMNS}
ERRORS_HEADER = {"zh": "错误", "en": "Errors"}
ROW = "_"  # errors of the row as a whole
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def _normal(header: str) -> str:
    return header.strip().rstrip("*＊").strip().casefold()


_NAMES = {_normal(name): c.key for c in COLUMNS for name in (c.key, c.zh, c.en)}
_IGNORED = {_normal(name) for name in ERRORS_HEADER.values()}


def map_headers(headers: Sequence[str]) -> dict[str, int]:
    """Column key -> index in the file; zh and en names both accepted, the errors column a
    previous check added is ignored; ImportFileError for a missing required or doubled column."""
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = _NAMES.get(_normal(header))
        if key is None:
            continue
        if key in found:
            raise ImportFileError(f"列“{header}”出现了两次。", f"Column '{header}' appears twice.")
        found[key] = index
    missing = [c for c in COLUMNS if c.required and c.key not in found]
    if missing:
        raise ImportFileError(f"缺少列：{'、'.join(c.zh for c in missing)}。",
                              f"Columns missing: {', '.join(c.en for c in missing)}.")
    return found


def is_ignored(header: str) -> bool:
    return _normal(header) in _IGNORED


def as_text(value: Any) -> str:
    """A cell as text: numbers without a trailing .0, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)


def as_date(value: Any) -> Any:
    """A date cell, or text such as 2026/1/5 and 2026年1月5日, as a date; anything else as text
    (the raise rules then say what a date must look like)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = as_text(value).strip()
    match = _DATE_TEXT.fullmatch(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return text
    return text


def as_choice(vocabulary: dict[str, tuple[str, str]], value: Any) -> str:
    """A key of the vocabulary from its key or its zh or en label; other text as it is."""
    text = as_text(value).strip()
    for key, labels in vocabulary.items():
        if text.casefold() in (key.casefold(), *(label.casefold() for label in labels)):
            return key
    return text


def as_lifecycle(lifecycles: Sequence[Lifecycle], value: Any) -> str:
    """A lifecycle name from its name or its zh or en label; empty: the standard one."""
    text = as_text(value).strip()
    if not text:
        return "standard"
    for lifecycle in lifecycles:
        if text.casefold() in (lifecycle.name, lifecycle.zh.casefold(), lifecycle.en.casefold()):
            return lifecycle.name
    return text


VOCABULARIES = {"category": CATEGORIES, "severity": SEVERITIES, "method": METHODS}
