"""The import template (columns, an example row, drop-downs, instructions) and the file of errors
(the user's rows, an errors column, the bad cells highlighted), both XLSX in the user's language."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from workflow.catalog import CATEGORIES, METHODS, SEVERITIES, label
from workflow.services.import_check import ImportCheck
from workflow.services.import_columns import BY_KEY, COLUMNS, ERRORS_HEADER, ROW, is_ignored
from workflow.services.import_file import MAX_BYTES, MAX_ROWS
from workflow.spec.model import Lifecycle

_BOLD = Font(bold=True)
_BAD = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what an XLSX cannot hold
_DATE_COLUMNS = ("due_date", "inspected_on")


def _zh(lang: str) -> bool:
    return lang.startswith("zh")


def template_workbook(lang: str, lifecycles: Sequence[Lifecycle], today: date) -> bytes:
    """An empty import file: header, one example row, drop-downs, and an instructions sheet."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "问题清单" if _zh(lang) else "Findings"
    sheet.append([c.label(lang) + ("*" if c.required else "") for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = _BOLD
    sheet.append([_example(c.key, lang, lifecycles, today) for c in COLUMNS])
    sheet.freeze_panes = "A2"
    lists = {"category": [label(CATEGORIES, k, lang) for k in CATEGORIES],
             "severity": [label(SEVERITIES, k, lang) for k in SEVERITIES],
             "lifecycle": [lc.label(lang) for lc in lifecycles],
             "method": [label(METHODS, k, lang) for k in METHODS]}
    for index, column in enumerate(COLUMNS, start=1):
        letter = sheet.cell(1, index).column_letter
        sheet.column_dimensions[letter].width = 30 if column.key in ("title", "unit") else 16
        if column.key in lists:
            _drop_down(sheet, f"{letter}2:{letter}{MAX_ROWS + 1}", lists[column.key])
        if column.key in _DATE_COLUMNS:
            sheet.cell(2, index).number_format = "yyyy-mm-dd"
    _instructions(book.create_sheet("说明" if _zh(lang) else "Instructions"), lang, lists)
    return _saved(book)


def _example(key: str, lang: str, lifecycles: Sequence[Lifecycle], today: date) -> Any:
    zh = _zh(lang)
    return {
        "unit": "市纪委监委/市场监管局" if zh else "City commission/Market regulation bureau",
        "title": "农贸市场入口人工测温效率低" if zh else "Manual temperature checks at the entrance are slow",
        "description": "高峰时段排队超过20分钟" if zh else "Queues of over 20 minutes at peak hours",
        "category": label(CATEGORIES, "epidemic_control", lang),
        "severity": label(SEVERITIES, "medium", lang),
        "lifecycle": lifecycles[0].label(lang) if lifecycles else "",
        "requirement": "增设测温通道" if zh else "Open a second temperature-check lane",
        "due_date": today + timedelta(days=14), "campaign": "",
        "inspected_on": today, "method": label(METHODS, "unannounced", lang), "key": "",
    }[key]


def _drop_down(sheet: Worksheet, cells: str, values: list[str]) -> None:
    formula = '"' + ",".join(v.replace(",", " ").replace('"', "") for v in values) + '"'
    if len(formula) > 255:  # Excel's limit on an inline list: leave the cell free
        return
    rule = DataValidation(type="list", formula1=formula, allow_blank=True)
    rule.add(cells)
    sheet.add_data_validation(rule)


def _instructions(sheet: Worksheet, lang: str, lists: dict[str, list[str]]) -> None:
    zh = _zh(lang)
    lines = ["导入说明" if zh else "How to import", ""]
    lines += ([
        "第一行是列名（中文或英文列名均可），从第二行起每行一个问题；第二行是示例，导入前请替换或删除。",
        "带 * 的列必填。责任单位填写单位编码，或沿单位树的名称路径，如“市纪委监委/市场监管局”。",
        "日期格式 YYYY-MM-DD。填写检查日期和检查方式时，问题关联到该单位当天同方式的检查记录（没有则新建）。",
        "行标识可不填：不填时按行内容识别。同一行再次导入不会重复登记，会显示为“已导入”。",
        f"每个文件最多 {MAX_ROWS} 行、{MAX_BYTES // 1024 // 1024} MB。任何一行有错误时，一行也不导入；"
        "可下载标出错误的文件，改正后重新上传。",
    ] if zh else [
        "Row 1 names the columns (Chinese or English names); one finding per row from row 2; "
        "row 2 is an example: replace or delete it before importing.",
        "Columns marked * are required. The responsible unit is a unit code, or names along the "
        "unit tree such as 'City commission/Market regulation bureau'.",
        "Dates as YYYY-MM-DD. With an inspection date and mode, the finding is linked to that "
        "unit's inspection of that day and mode (recorded if there is none).",
        "The row key is optional: without it a row is known by its content. A row imported "
        "before is not raised again but shown as already imported.",
        f"At most {MAX_ROWS} rows and {MAX_BYTES // 1024 // 1024} MB per file. If any row is "
        "wrong, no row is imported: download the file with the errors marked, fix it, upload "
        "it again.",
    ])
    lines.append("")
    for key, values in lists.items():
        lines.append(f"{BY_KEY[key].label(lang)}: {' / '.join(values)}")
    for line in lines:
        sheet.append([line])
    sheet["A1"].font = _BOLD
    sheet.column_dimensions["A"].width = 120


def errors_workbook(check: ImportCheck, lang: str) -> bytes:
    """The user's rows as read, an errors column, each wrong cell highlighted."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "错误" if _zh(lang) else "Errors"
    headers = [h for h in check.sheet.headers if not is_ignored(h)]
    kept = [i for i, h in enumerate(check.sheet.headers) if not is_ignored(h)]
    sheet.append([*headers, ERRORS_HEADER["zh" if _zh(lang) else "en"]])
    for cell in sheet[1]:
        cell.font = _BOLD
    position = {key: kept.index(i) + 1 for key, i in check.columns.items() if i in kept}
    errors = {row.number: row.errors for row in check.rows}
    for row in check.sheet.rows:
        for column, index in enumerate(kept, start=1):
            value = row.cells[index] if index < len(row.cells) else None
            _put(sheet, row.number, column, value)
        found = errors.get(row.number, {})
        for key in found:
            if key in position:
                sheet.cell(row.number, position[key]).fill = _BAD
        text = "；".join(_said(key, message, lang) for key, message in found.items())
        _put(sheet, row.number, len(headers) + 1, text)
    return _saved(book)


def _said(key: str, message: dict[str, str], lang: str) -> str:
    text = message["zh" if _zh(lang) else "en"]
    return text if key == ROW else f"{BY_KEY[key].label(lang)}: {text}"


def _put(sheet: Worksheet, row: int, column: int, value: Any) -> None:
    """A cell as the user wrote it; text stays text (never run as a formula)."""
    text = _ILLEGAL.sub("", str(value)) if isinstance(value, str) else None
    cell = sheet.cell(row, column, value if text is None else text)
    if isinstance(value, str):
        cell.data_type = "s"


def _saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
