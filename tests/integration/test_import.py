"""Importing findings from XLSX/CSV: every row through the raise rules, all or none, no duplicates."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from ledger_facts_support import facts_disagreeing
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, inspect, select

from workflow.models import Event, Finding, ImportRow, Inspection
from workflow.services import import_file as import_file_module
from workflow.services import verify_all
from workflow.services.import_check import check_import
from workflow.services.import_columns import map_headers
from workflow.services.import_file import ImportFileError, read_sheet
from workflow.services.import_workbooks import errors_workbook, template_workbook
from workflow.services.importing import check_file, import_file, write_import

ZH = ["责任单位", "问题标题", "问题类别", "严重程度", "整改期限", "检查日期", "检查方式"]
EN = ["Responsible unit", "Title", "Category", "Severity", "Description"]


def xlsx(headers: list[str], rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [headers, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def good_rows(today: Any, count: int) -> list[list[Any]]:
    units = ["GA", "第一纪检监察组/乙集团", "Subsidiary A1"]
    return [[units[n % 3], f"消防通道被杂物堵塞 {n}", "安全生产", "较重",
             today + timedelta(days=10), today, "四不两直"] for n in range(count)]


def count(rectify: Any, model: Any) -> int:
    with rectify.unit_of_work(write=False) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def run(rectify: Any, actor: Any, data: bytes, name: str = "list.xlsx", **kw: Any) -> Any:
    with rectify.unit_of_work() as uow:
        return import_file(uow, actor, data, name, **kw)


def test_a_good_file_imports_each_row_with_its_event_and_a_reimport_skips_all(rectify, org,
                                                                             flow):
    data = xlsx(ZH, good_rows(flow.today(), 3))
    report = run(rectify, org.inspector, data)
    assert len(report.created) == 3 and report.errors == [] and report.skipped == []
    with rectify.unit_of_work(write=False) as uow:
        findings = uow.session.scalars(select(Finding).order_by(Finding.id)).all()
        assert [f.unit.code for f in findings] == ["GA", "GB", "GA-1"]
        assert {f.category for f in findings} == {"work_safety"}
        assert len({f.inspection_id for f in findings}) == 3  # one inspection per unit
        events = uow.session.scalars(select(Event.trigger)).all()
        assert events == ["raise"] * 3
        assert [facts_disagreeing(uow, f.id) for f in findings] == [[]] * 3
        assert {f.last_action_trigger for f in findings} == {"raise"}
        assert all(f.due_changes for f in findings)  # the file gives each a due date
        assert list(verify_all(uow.session)) == []
    again = run(rectify, org.inspector, data)
    assert again.created == [] and [r.imported_as for r in again.skipped] == report.created
    assert count(rectify, Finding) == 3 and count(rectify, Inspection) == 3


def test_one_bad_cell_in_row_7_names_row_and_column_writes_nothing_and_marks_the_file(
        rectify, org, flow):
    rows = good_rows(flow.today(), 6)
    rows[5][2] = "天气"  # row 7 of the file: no such category
    report = run(rectify, org.inspector, xlsx(ZH, rows))
    assert [(r.number, list(r.errors)) for r in report.errors] == [(7, ["category"])]
    assert report.created == [] and count(rectify, Finding) == count(rectify, ImportRow) == 0
    assert count(rectify, Inspection) == 0
    sheet = load_workbook(io.BytesIO(errors_workbook(report.check, "zh"))).active
    assert sheet is not None
    assert sheet.cell(1, 8).value == "错误" and "问题类别" in sheet.cell(7, 8).value
    assert sheet.cell(7, 3).fill.start_color.rgb.endswith("FFC7CE")
    assert sheet.cell(6, 3).fill.fill_type is None and sheet.cell(6, 8).value is None


def test_gbk_csv_with_english_headers_keeps_formula_text_as_text(rectify, org):
    text = "Responsible unit,Title,Category,Severity,Description\n" \
           "甲集团,=cmd|' /C calc'!A0,food_safety,Serious,台账不全\n"
    report = run(rectify, org.inspector, text.encode("gb18030"), "list.csv")
    assert report.errors == [] and len(report.created) == 1
    with rectify.unit_of_work(write=False) as uow:
        finding = uow.session.scalars(select(Finding)).one()
        assert (finding.title, finding.severity, finding.description) == (
            "=cmd|' /C calc'!A0", "high", "台账不全")


def test_hostile_cells_and_units_outside_the_scope_are_refused_by_the_raise_rules(rectify, org):
    csv_text = ("\ufeffResponsible unit,Title,Category,Severity,Description\n"
                "COMM,上级单位的问题,其他,一般,\n"  # above the inspector: not in scope
                "IB,本单位的问题,其他,一般,\n"  # the raising body itself
                "GA,标题含\x00字符,其他,一般,描述\u202e反转\n")
    report = run(rectify, org.inspector, csv_text.encode("utf-8"), "list.csv")
    errors = {r.number: r.errors for r in report.errors}
    assert errors[2]["unit"]["en"] == "There is no such unit within your scope."
    assert "raised by a body above it" in errors[3]["unit"]["en"]
    assert set(errors[4]) == {"title", "description"}
    formula = run(rectify, org.inspector, xlsx(EN, [["GB", "公式单元格", "其他", "一般", "=1+1"]]))
    assert formula.errors[0].errors["description"]["en"]== "Formulas are not accepted: enter the value."
    assert count(rectify, Finding) == 0
    refused = run(rectify, org.handler_a, xlsx(EN, [["GA-1", "联络员登记", "其他", "一般", ""]]))
    assert "lifecycle" in refused.errors[0].errors  # a handler may not raise findings


def test_the_template_has_drop_downs_and_its_header_maps_in_both_languages(rectify, registry):
    for lang in ("zh", "en"):
        book = load_workbook(io.BytesIO(template_workbook(lang, registry.latest(), rectify.clock().date())))
        sheet = book.worksheets[0]
        headers = [c.value for c in sheet[1]]
        assert set(map_headers(headers)) >= {"unit", "title", "category", "severity", "key"}
        lists = {str(v.sqref).split(":")[0][0]: v.formula1 for v in sheet.data_validations.dataValidation}
        assert ("安全生产" if lang == "zh" else "Work safety") in lists["D"]  # category column
        assert len(lists) == 4 and len(book.worksheets) == 2


def test_file_level_errors_are_clear(rectify, org):
    with pytest.raises(ImportFileError, match="Only XLSX or CSV"):
        read_sheet(b"%PDF-1.4", "list.pdf")
    with pytest.raises(ImportFileError, match="Columns missing: Severity."):
        map_headers(["Responsible unit", "Title", "Category"])
    with pytest.raises(ImportFileError, match="cannot be read"):
        read_sheet(b"PK\x03\x04broken", "a.xlsx")


def test_empty_rows_below_the_data_do_not_count_against_the_row_limit():
    header = "Responsible unit,Title,Category,Severity\n"
    styled_far_down = header + "GA,标题,其他,一般\n" + ",,,\n" * 6000  # was "at most 5000 rows"
    assert len(read_sheet(styled_far_down.encode(), "a.csv").rows) == 1
    with pytest.raises(ImportFileError, match="at most 5000 rows"):
        read_sheet((header + "GA,标题,其他,一般\n" * 5001).encode(), "a.csv")
    with pytest.raises(ImportFileError, match="empty ones included"):
        read_sheet((header + "\n" * 100_001).encode(), "a.csv")


def zip_bomb(unpacked: int) -> bytes:
    """A valid XLSX whose sheet holds one cell of `unpacked` bytes: tiny packed, huge unpacked."""
    packed, out = zipfile.ZipFile(io.BytesIO(xlsx(ZH, []))), io.BytesIO()
    cell = b'<row r="2"><c r="A2" t="str"><v>' + b"A" * unpacked + b"</v></c></row>"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in packed.infolist():
            part = packed.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                part = part.replace(b"</sheetData>", cell + b"</sheetData>")
            bomb.writestr(item, part)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_its_sheet_is_parsed(monkeypatch):
    monkeypatch.setattr(import_file_module, "MAX_UNPACKED", 1024 * 1024)
    bomb = zip_bomb(2 * 1024 * 1024)
    assert len(bomb) < 20 * 1024  # a few KB that unpack to 2 MB (in real life: to GBs)
    with pytest.raises(ImportFileError, match="unpacks to more than 1 MB"):
        read_sheet(bomb, "a.xlsx")
    small = read_sheet(zip_bomb(1000), "a.xlsx")  # its <dimension> says A1:G1, row 2 follows
    assert [row.cells[0] for row in small.rows] == ["A" * 1000]  # no row left unread


def test_a_concurrent_import_of_the_same_rows_leaves_nothing_half_written(rectify, org, flow):
    data = xlsx(ZH, good_rows(flow.today(), 2))
    first = flow.raise_()
    with rectify.unit_of_work() as uow:
        check = check_file(uow, org.inspector, data, "a.xlsx")
        taken = check.ready[1].key  # another import takes this row's key meanwhile
        uow.session.add(ImportRow(body_id=org.inspector.unit_id, row_key=taken,
                                  finding_id=first.id, batch="other", imported_at=uow.now(),
                                  imported_by_id=org.inspector.id))
        with pytest.raises(ImportFileError, match="meanwhile"):
            write_import(uow, org.inspector, check)
    assert count(rectify, Finding) == 1 and count(rectify, Inspection) == 0


def test_migration_0005_adds_and_removes_the_import_rows_table(rectify):
    rectify.database.downgrade("0004")
    try:
        assert "import_rows" not in inspect(rectify.database.engine).get_table_names()
    finally:
        rectify.database.upgrade("head")
    assert "import_rows" in inspect(rectify.database.engine).get_table_names()


def test_check_import_reads_through_the_same_header_rules(rectify, org):
    sheet = read_sheet(xlsx(["单位", "Title"], []), "a.xlsx")
    with rectify.unit_of_work(write=False) as uow, pytest.raises(ImportFileError):
        check_import(uow, org.inspector, sheet)
