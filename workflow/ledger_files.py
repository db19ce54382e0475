"""The 整改台账 export as files: an Excel workbook written row by row (openpyxl write-only) and a
UTF-8 CSV with a BOM, both streamed; text cells kept formula-free (workflow.export)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from itertools import chain, islice
from typing import IO
from unicodedata import east_asian_width

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from workflow.export import cell_text, csv_cells, spreadsheet_safe
from workflow.services.export_summary import export_name, filter_lines, totals_lines
from workflow.services.ledger_export import COLUMNS, LedgerExport, Value

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm"}
SAMPLE = 200  # rows read ahead to size the columns (the rest stream through)
MAX_WIDTH, CSV_CHUNK = 60, 200
SUMMARY = ("筛选与合计", "Filter and totals")
_HEADER_FONT, _HEADER_FILL = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
Progress = Callable[[int], None]


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: Chinese (wide) characters count as two."""
    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)


def file_name(export: LedgerExport, suffix: str) -> str:
    """"整改台账-市纪委监委-2026-11-29.xlsx" (language, scope, date; safe on every system)."""
    session = export.uow.session
    return f"{export_name(session, export.actor, export.flt, export.lang, export.today)}.{suffix}"


def _widths(headers: list[str], sample: list[list[Value]]) -> list[int]:
    widths = []
    for i, (header, (_key, _zh, _en, kind)) in enumerate(zip(headers, COLUMNS, strict=True)):
        longest = max([display_width(header)] + [display_width(cell_text(row[i])) for row in sample])
        widths.append(min(MAX_WIDTH, max(longest, 16 if kind == "datetime" else 0) + 2))
    return widths


def _sheet_cells(sheet: WriteOnlyWorksheet, row: list[Value]) -> list[object]:
    cells: list[object] = []
    for value, (_key, _zh, _en, kind) in zip(row, COLUMNS, strict=True):
        if kind in FORMATS and value is not None:
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = FORMATS[kind]
            cells.append(cell)
        else:
            cells.append(spreadsheet_safe(value))
    return cells


def _header(sheet: WriteOnlyWorksheet, names: list[str]) -> list[WriteOnlyCell]:
    cells = []
    for name in names:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        cells.append(cell)
    return cells


def write_xlsx(export: LedgerExport, target: IO[bytes], progress: Progress | None = None) -> None:
    """The workbook into `target`: the ledger sheet (frozen, styled header, auto-filter, widths
    from the first rows), then the filter and the totals of the rows written."""
    book = Workbook(write_only=True)
    session, day = export.uow.session, export.today
    name = export_name(session, export.actor, export.flt, export.lang, day, limit=31)
    sheet = book.create_sheet(name)
    headers, rows = export.headers(), export.rows()
    sample = list(islice(rows, SAMPLE))
    for i, width in enumerate(_widths(headers, sample), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(_header(sheet, headers))
    for row in chain(sample, rows):
        sheet.append(_sheet_cells(sheet, row))
        if progress:
            progress(1)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{export.totals.rows + 1}"
    _summary_sheet(book, export)
    book.save(target)


def _summary_sheet(book: Workbook, export: LedgerExport) -> None:
    lang = export.lang
    sheet = book.create_sheet(SUMMARY[0] if lang == "zh" else SUMMARY[1])
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 28, 50
    pick = 0 if lang == "zh" else 1
    sheet.append(_header(sheet, [("筛选条件", "Filter")[pick], ("取值", "Value")[pick]]))
    uow = export.uow
    for name, words in filter_lines(uow.session, uow.registry, export.actor, export.flt, lang):
        sheet.append([name, spreadsheet_safe(words)])
    sheet.append([("导出人", "Exported by")[pick], spreadsheet_safe(export.actor.display_name)])
    when = WriteOnlyCell(sheet, value=uow.now().astimezone(uow.zone).replace(tzinfo=None))
    when.number_format = FORMATS["datetime"]
    sheet.append([("导出时间", "Exported at")[pick], when])
    sheet.append([])
    sheet.append(_header(sheet, [("合计", "Totals")[pick], ("行数", "Rows")[pick]]))
    for name, count in totals_lines(export.totals, lang):
        sheet.append([name, count])


def csv_chunks(export: LedgerExport, progress: Progress | None = None) -> Iterator[str]:
    """The CSV text in pieces: a BOM (so Excel reads the UTF-8 Chinese), the header, the rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(export.headers())
    for n, row in enumerate(export.rows(), start=1):
        writer.writerow(csv_cells(row))
        if progress:
            progress(1)
        if n % CSV_CHUNK == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
