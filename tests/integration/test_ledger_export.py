"""The 整改台账 export: every column in the user's language, as filtered and scoped, dates as
dates, a frozen filtered header, the filter and totals on a second sheet; CSV with a BOM."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from workflow.cli import engine
from workflow.ledger_files import csv_chunks, file_name, write_xlsx
from workflow.services import LedgerFilter, ledger
from workflow.services.ledger_export import COLUMNS, LedgerExport

KEYS = [key for key, _zh, _en, _kind in COLUMNS]


def _export(rectify: Any, user: Any, flt: LedgerFilter, lang: str) -> tuple[Any, LedgerExport]:
    with rectify.unit_of_work(write=False) as uow:
        export = LedgerExport(uow, user, flt, lang)
        out = io.BytesIO()
        write_xlsx(export, out)
        export.name = file_name(export, "xlsx")  # type: ignore[attr-defined]
        return load_workbook(io.BytesIO(out.getvalue())), export


def _rows(book: Any) -> dict[str, dict[str, Any]]:
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    return {row[0]: dict(zip(KEYS, row, strict=True)) for row in rows[1:]}


def _extended_and_reported(flow: Any) -> Any:
    finding = flow.raise_(title="安全通道堵塞", description="三楼东侧通道堆放纸箱")
    return flow.drive(finding.id, "assign", "request_extension", "approve_extension",
                      "report_rectification")


def test_the_workbook_carries_every_column_in_chinese_and_english(flow, org, rectify):
    reported = _extended_and_reported(flow)
    other = flow.raise_(title="=1+1 台账缺页", unit=org.group_b.id, severity="high")
    today = flow.today().isoformat()

    book, export = _export(rectify, org.admin, LedgerFilter(), "zh")
    assert book.sheetnames == [f"整改台账-全部-{today}", "筛选与合计"]
    assert export.name == f"整改台账-全部-{today}.xlsx"  # type: ignore[attr-defined]
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]][:4] == ["编号", "问题标题", "问题描述", "问题类型"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:W3"
    assert sheet[1][0].font.b and sheet.column_dimensions["B"].width >= 2 * len("安全通道堵塞")
    row = _rows(book)[reported.code]
    assert row["unit"] == "纪委监委 / 第一纪检监察组 / 甲集团"
    assert row["description"] == "三楼东侧通道堆放纸箱" and row["state"] == "已整改待复查"
    assert row["measures"] == "Exits cleared, warden named"
    assert row["due_history"].count(" → ") == 1 and row["due_history"].endswith("（延期）")
    assert row["last_action"].startswith("报送整改情况 · 甲集团整改联络人 · 2026-")
    assert isinstance(row["raised_at"], datetime) and isinstance(row["due_date"], datetime)
    assert row["due_date"].date() == reported.due_date
    assert _rows(book)[other.code]["title"] == "'=1+1 台账缺页"  # never a live formula
    totals = dict(book.worksheets[1].iter_rows(values_only=True))
    assert totals["合计"] == 2 and totals["未办结"] == 2 and totals["状态：已整改待复查"] == 1

    book, _ = _export(rectify, org.admin, LedgerFilter(), "en")
    assert book.sheetnames == [f"Ledger-all-{today}", "Filter and totals"]
    row = _rows(book)[reported.code]
    assert row["unit"] == "Commission / Inspection body 1 / Group A"
    assert row["category"] == "Work safety" and row["due_history"].endswith("(extended)")


def test_the_export_is_the_ledger_as_filtered_and_scoped(flow, org, rectify):
    in_a = flow.raise_(title="甲集团问题")
    in_b = flow.raise_(title="乙集团问题", unit=org.group_b.id)
    book, export = _export(rectify, org.admin, LedgerFilter(unit_id=org.group_b.id), "zh")
    assert list(_rows(book)) == [in_b.code]
    assert export.name.startswith("整改台账-乙集团-")  # type: ignore[attr-defined]
    words = dict(book.worksheets[1].iter_rows(values_only=True))
    assert words["责任单位"] == "乙集团（含下级单位）" and words["合计"] == 1

    book, export = _export(rectify, org.handler_a, LedgerFilter(), "zh")  # sees group A only
    assert list(_rows(book)) == [in_a.code] and export.totals.rows == 1
    with rectify.unit_of_work(write=False) as uow:
        flt = LedgerFilter(text="问题")
        counted = LedgerExport(uow, org.admin, flt, "zh").count()
        listed = ledger(uow.session, org.admin, flt, uow.today(), limit=500).items
        assert counted == len(listed) == 2


def test_the_csv_has_a_bom_and_the_same_columns(flow, org, rectify):
    finding = flow.raise_(title="@SUM(1) 冷链台账")
    with rectify.unit_of_work(write=False) as uow:
        text = "".join(csv_chunks(LedgerExport(uow, org.admin, LedgerFilter(), "en")))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == [en for _key, _zh, en, _kind in COLUMNS]
    row = dict(zip(KEYS, rows[1], strict=True))
    assert row["code"] == finding.code and row["title"] == "'@SUM(1) 冷链台账"
    assert date.fromisoformat(row["raised_at"][:10]) == flow.today()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_rectify_export_writes_the_filtered_file(flow, org, database_url, tmp_path):
    flow.raise_(title="甲集团问题")
    in_b = flow.raise_(title="乙集团问题", unit=org.group_b.id)
    target = tmp_path / "out.xlsx"
    env = {"RECTIFY_DATABASE_URL": database_url, "RECTIFY_INSTANCE_PATH": str(tmp_path / "i")}
    args = ["export", "--unit", "GB", "--lang", "en", "--output", str(target)]
    result = CliRunner().invoke(engine, args, env=env)
    assert result.exit_code == 0, result.output
    assert result.output.endswith(f"1 finding(s) -> {target}\n")
    book = load_workbook(target)
    assert book.sheetnames[0].startswith("Ledger-Group B-") and list(_rows(book)) == [in_b.code]
    refused = CliRunner().invoke(engine, ["export", "--state", "nosuch"], env=env)
    assert refused.exit_code == 1 and "There is no state 'nosuch'." in refused.output
