"""The export's CSV cells: spreadsheet_safe on every text, times to the minute, none empty, and the
quick path for plain text giving what the full rule gives."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from workflow.export import cell_text, csv_cells, spreadsheet_safe


@pytest.mark.parametrize(("value", "cell"), [
    ("普通文本", "普通文本"),
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
    ("+1", "'+1"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("a\x00b\x1fc", "abc"),  # what a spreadsheet file cannot hold is dropped
    ("\x01=x", "'=x"),  # dropped first, then seen as a formula
    ("第一行\n第二行", "第一行\n第二行"),  # line breaks stay (quoted by csv)
    (None, ""),
    (datetime(2026, 3, 10, 14, 20, 59), "2026-03-10 14:20"),
    (date(2026, 3, 10), "2026-03-10"),
    (3, "3"), (0, "0"),
])
def test_each_cell_is_safe_text(value: object, cell: str) -> None:
    assert csv_cells([value]) == [cell]
    assert cell_text(value) == cell
    if isinstance(value, str):
        assert spreadsheet_safe(value) == cell


def test_a_row_keeps_its_order() -> None:
    assert csv_cells(["a", None, "=b", 2]) == ["a", "", "'=b", "2"]
