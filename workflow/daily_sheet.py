"""The daily report as text and as an XLSX workbook, in Chinese or English (CLI and web share it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import IO
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font

from workflow.export import spreadsheet_safe
from workflow.services.daily import HAPPENINGS, DailyReport, DayFigures

FIGURES = ("new", "rectified", "confirmed", "overdue", "escalated", "raised_to_date",
           "confirmed_to_date", "open_at_cutoff", "overdue_at_cutoff")
LABELS: dict[str, tuple[str, str]] = {
    "title": ("督查督办日报", "Daily report"),
    "unit": ("单位", "Unit"), "total": ("合计", "Total"),
    "new": ("新发现", "New"), "rectified": ("已整改", "Rectified"),
    "confirmed": ("已销号", "Confirmed"), "overdue": ("新逾期", "Became overdue"),
    "escalated": ("上报/升级", "Escalated"), "raised_to_date": ("累计发现", "Raised to date"),
    "confirmed_to_date": ("累计销号", "Confirmed to date"),
    "open_at_cutoff": ("截至时点未销号", "Open at cut-off"),
    "overdue_at_cutoff": ("截至时点逾期", "Overdue at cut-off"),
    "code": ("编号", "Code"), "finding": ("问题", "Finding"), "what": ("事项", "What happened"),
    "at": ("时间", "At"), "date": ("日期", "Date"), "cutoff": ("截至", "Cut-off"),
    "fingerprint": ("记录指纹", "Record fingerprint"), "events": ("事件数", "Events"),
    "scope": ("范围", "Scope"), "anchor": ("核验", "Verify with"),
}


def label(key: str, lang: str) -> str:
    zh, en = LABELS[key]
    return zh if lang.startswith("zh") else en


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def _figures(figures: DayFigures) -> list[int]:
    return [getattr(figures, name) for name in FIGURES]


def unit_rows(report: DailyReport, lang: str) -> Iterator[list[object]]:
    """The header, one row per unit, and the total row."""
    yield [label("unit", lang), *(label(name, lang) for name in FIGURES)]
    for unit, figures in report.rows:
        yield [unit.name(lang), *_figures(figures)]
    yield [label("total", lang), *_figures(report.totals)]


def happening_rows(report: DailyReport, lang: str, zone: ZoneInfo) -> Iterator[list[object]]:
    """The header and one row per thing that happened on the day."""
    yield [label("code", lang), label("finding", lang), label("unit", lang), label("what", lang),
           label("at", lang)]
    for item in report.happenings:
        yield [item.code, item.title, item.unit_name(lang), label(item.what, lang),
               _local(item.at, zone)]


def anchor_line(report: DailyReport, lang: str) -> str:
    assert report.anchor is not None
    return (f"{label('fingerprint', lang)}: {report.anchor.short}  {label('cutoff', lang)}: "
            f"{report.anchor.text.partition('@')[2]}  {label('events', lang)}: "
            f"{report.anchor.events}")


def write_text(report: DailyReport, lang: str, zone: ZoneInfo, out: IO[str]) -> None:
    """Plain text for the console: the unit table, the day's list, the anchor."""
    out.write(f"{label('title', lang)} {report.day.isoformat()}  {label('scope', lang)}: "
              f"{report.focus.name(lang)}\n\n")
    for row in unit_rows(report, lang):
        out.write("\t".join(str(cell) for cell in row) + "\n")
    out.write("\n")
    for row in happening_rows(report, lang, zone):
        out.write("\t".join(f"{c:%H:%M}" if isinstance(c, datetime) else str(c) for c in row)
                  + "\n")
    assert report.anchor is not None
    out.write(f"\n{anchor_line(report, lang)}\nrectify verify --anchor {report.anchor.text}\n")


def write_xlsx(report: DailyReport, lang: str, zone: ZoneInfo, out: IO[bytes]) -> None:
    """One sheet: title, date (a real date cell), unit table, the day's list, the anchor."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(label("title", lang))
    bold = Font(bold=True)
    sheet.append([label("title", lang), spreadsheet_safe(report.focus.name(lang))])
    sheet.append([label("date", lang), report.day])
    sheet.append([label("cutoff", lang), _local(report.cutoff, zone)])
    sheet.append([])
    for index, row in enumerate(unit_rows(report, lang)):  # unit names as text, never run
        sheet.append(_styled(sheet, row, bold) if index == 0
                     else [spreadsheet_safe(cell) for cell in row])
    sheet.append([])
    for index, row in enumerate(happening_rows(report, lang, zone)):
        sheet.append(_styled(sheet, row, bold) if index == 0
                     else [spreadsheet_safe(cell) for cell in row])
    assert report.anchor is not None
    sheet.append([])
    sheet.append([label("fingerprint", lang), report.anchor.short, report.anchor.fingerprint])
    sheet.append([label("events", lang), report.anchor.events])
    sheet.append([label("anchor", lang), f"rectify verify --anchor {report.anchor.text}"])
    book.save(out)


def _styled(sheet: object, row: list[object], font: Font) -> list[object]:
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in row:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = font
        cells.append(cell)
    return cells


assert set(HAPPENINGS) <= set(LABELS)
