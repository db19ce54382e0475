"""Read a spreadsheet to import: XLSX or CSV (UTF-8 with or without BOM, else GB18030), within limits."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from workflow.errors import InvalidInput

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000  # rows with data
MAX_READ_ROWS = 20 * MAX_ROWS  # empty ones too (a template styled far down): the work is bounded
MAX_COLUMNS = 60
MAX_UNPACKED = 100 * 1024 * 1024  # an XLSX is a zip: its parts unpacked, at most (zip bombs)


class Formula(str):
    """A cell holding a formula (its text): refused, what it shows is not what would be stored."""


class ImportFileError(InvalidInput):
    """The file as a whole cannot be imported (type, size, encoding, header); field 'file'."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__({"file": {"zh": zh, "en": en}})


@dataclass
class SheetRow:
    """One data row as read: its number in the file (the header is row 1) and its cells."""

    number: int
    cells: list[Any]

    def is_empty(self) -> bool:
        return all(c is None or (isinstance(c, str) and not c.strip()) for c in self.cells)


@dataclass
class Sheet:
    headers: list[str]
    rows: list[SheetRow] = field(default_factory=list)


def read_sheet(data: bytes, filename: str) -> Sheet:
    """The first sheet's header and rows, or ImportFileError saying what is wrong with the file."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"文件超过 {MAX_BYTES // 1024 // 1024} MB。",
                              f"The file is larger than {MAX_BYTES // 1024 // 1024} MB.")
    name = filename.lower()
    rows: Iterator[list[Any]]
    if data.startswith(b"PK\x03\x04") and not name.endswith(".csv"):
        rows = _xlsx_rows(data)
    elif name.endswith(".csv"):
        rows = csv.reader(io.StringIO(_decoded(data), newline=""))
    else:
        raise ImportFileError("只能导入 XLSX 或 CSV 文件（旧版 .xls 请另存为 .xlsx）。",
                              "Only XLSX or CSV files can be imported (save an old .xls as .xlsx).")
    return _sheet(rows)


def _sheet(rows: Iterator[list[Any]]) -> Sheet:
    try:
        return _read(rows)
    except (csv.Error, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise _unreadable() from None


def _read(rows: Iterator[list[Any]]) -> Sheet:
    header = next(rows, None)
    if header is None or all(c in (None, "") for c in header):
        raise ImportFileError("文件是空的：第一行应为列名。",
                              "The file is empty: row 1 must name the columns.")
    sheet = Sheet([str(c).strip() if c is not None else "" for c in header[:MAX_COLUMNS]])
    for number, cells in enumerate(rows, start=2):
        if number - 1 > MAX_READ_ROWS:
            raise ImportFileError(f"超过 {MAX_READ_ROWS} 行（含空行）：请删除数据下方的空行。",
                                  f"More than {MAX_READ_ROWS} rows, empty ones included: "
                                  "delete the empty rows below the data.")
        row = SheetRow(number, list(cells[:MAX_COLUMNS]))
        if not row.is_empty():
            sheet.rows.append(row)
        if len(sheet.rows) > MAX_ROWS:
            raise ImportFileError(f"最多 {MAX_ROWS} 行，请分成几个文件导入。",
                                  f"A file can have at most {MAX_ROWS} rows: split it into several files.")
    return sheet


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    _refuse_zip_bomb(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # read every row, not the <dimension> the file claims
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError, TypeError):
        raise _unreadable() from None

    def cells() -> Iterator[list[Any]]:
        try:
            for row in sheet.iter_rows():
                yield [Formula(c.value) if getattr(c, "data_type", None) == "f" else c.value
                       for c in row]
        finally:
            book.close()
    return cells()


def _refuse_zip_bomb(data: bytes) -> None:
    """Refuse an XLSX whose parts unpack to more than MAX_UNPACKED before any is parsed. The
    sizes the zip declares bound what zipfile unpacks (beyond them: a CRC error, unreadable)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _unreadable() from None
    if unpacked > MAX_UNPACKED:
        limit = MAX_UNPACKED // 1024 // 1024
        raise ImportFileError(f"文件解压后超过 {limit} MB，无法导入。",
                              f"The file unpacks to more than {limit} MB: it cannot be imported.")


def _unreadable() -> ImportFileError:
    return ImportFileError("无法读取该文件。", "This file cannot be read.")


def _decoded(data: bytes) -> str:
    """UTF-8 (a BOM is dropped); else GB18030, as Chinese Excel saves CSV."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportFileError("CSV 文件编码无法识别：请保存为 UTF-8 或 GBK。",
                              "The CSV file's encoding is not known: save it as UTF-8 or GBK.") from None
