"""The daily report page (zh and en, printable, scoped) and its XLSX download."""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import update
from web_support import text_of

from workflow.models import Unit


def test_the_page_in_both_languages_and_the_workbook(browser: Any, flow: Any) -> None:
    finding = flow.raise_(title="消防通道堵塞", unit=flow.org.sub_a1.id)
    page = browser("supervisor")
    zh = text_of(page.get("/reports/daily?date=2026-03-02&anchor=1"))
    assert "督查督办日报" in zh and "新发现" in zh and finding.code in zh and "记录指纹" in zh
    assert "rectify verify --anchor " in zh and "@media print" not in zh  # the stylesheet's
    with page.session_transaction() as session:
        session["lang"] = "en"
    en = text_of(page.get(f"/reports/daily?date=2026-03-02&unit={flow.org.group_a.id}"))
    assert "Daily report" in en and "Became overdue" in en and "Subsidiary A1" in en
    download = page.get(f"/reports/daily.xlsx?date=2026-03-02&unit={flow.org.group_a.id}")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.data)).active
    assert sheet is not None
    rows = [[cell.value for cell in row if cell.value is not None] for row in sheet.iter_rows()]
    assert rows[1] == ["Date", datetime(2026, 3, 2)]  # a date cell, not text
    assert ["Subsidiary A1", 1, 0, 0, 0, 0, 1, 0, 1, 0] in rows
    assert any(row[:1] == [finding.code] and row[3] == "New" for row in rows)


def test_the_fingerprint_comes_apart_and_is_the_inline_one(browser: Any, flow: Any) -> None:
    """The page leaves the fingerprint to a fragment fetched at its cut-off (no-JS: a link to
    the page with it inline); both give the same; only dashboard roles, only past moments."""
    flow.raise_(unit=flow.org.sub_a1.id)
    page = browser("supervisor")
    html = page.get("/reports/daily?date=2026-03-02").get_data(as_text=True)
    assert "rectify verify --anchor" not in html and "anchor=1" in html
    found = re.search(r'data-anchor-url="([^"]+)"', html)
    assert found is not None
    fragment = page.get(found.group(1).replace("&amp;", "&"))
    assert fragment.status_code == 200
    anchor = re.search(r"rectify verify --anchor (\S+)", text_of(fragment))
    assert anchor is not None
    inline = text_of(page.get("/reports/daily?date=2026-03-02&anchor=1"))
    assert f"rectify verify --anchor {anchor.group(1)}" in inline
    assert browser("handler_a").get(found.group(1).replace("&amp;", "&")).status_code == 403
    for bad, said in (("", "不是 ISO 8601"), ("yesterday", "不是 ISO 8601"),
                      ("2026-03-02T10:00:00", "须带时区"), ("2026-03-0%00", ""),
                      ("2099-01-01T00:00:00Z", "截止时间不能晚于现在")):
        refused = page.get(f"/reports/daily/anchor?at={bad}")
        assert refused.status_code == 422 and said in refused.get_data(as_text=True), bad


def test_scope_and_bad_input(browser: Any, flow: Any) -> None:
    flow.raise_(unit=flow.org.group_b.id)
    assert browser("handler_a").get("/reports/daily").status_code == 403
    inspector = browser("inspector")  # sees the inspection body's subtree, not the commission
    for unit in (flow.org.commission.id, "abc", "-1", 10 ** 30, 999999):  # one answer for all
        refused = inspector.get(f"/reports/daily?unit={unit}")
        assert refused.status_code == 422 and "不在您的范围内" in refused.get_data(as_text=True)
        assert "纪委监委" not in refused.get_data(as_text=True)  # nor the unit's name
    for bad in ("2026-02-30", "yesterday", "2026-03-0%00", "%ED%A0%80", "9" * 5000, "2099-01-01",
                "0001-01-01", "9999-12-31"):  # beyond the calendar in UTC: was a crash
        response = inspector.get(f"/reports/daily?date={bad}")
        assert response.status_code == 422, (bad, response.status_code)


def test_a_unit_named_like_a_formula_stays_text_in_the_workbook(browser: Any, flow: Any,
                                                                 rectify: Any) -> None:
    flow.raise_(unit=flow.org.sub_a1.id)
    with rectify.unit_of_work() as uow:  # an administrator's careless (or hostile) name
        uow.session.execute(update(Unit).where(Unit.id == flow.org.sub_a1.id)
                            .values(name_zh='=HYPERLINK("http://evil.example","A1")'))
        uow.commit()
    download = browser("supervisor").get(f"/reports/daily.xlsx?unit={flow.org.group_a.id}")
    sheet = load_workbook(io.BytesIO(download.data)).active
    assert sheet is not None
    names = [row[0].value for row in sheet.iter_rows() if row[0].value]
    assert "'=HYPERLINK(\"http://evil.example\",\"A1\")" in names
    assert not any(str(name).startswith("=") for name in names)
