"""Downloading the 整改台账: named by language, scope and date (RFC 5987), streamed, as filtered
on the page and only what the user may see."""

from __future__ import annotations

import csv
import io
from urllib.parse import unquote

from openpyxl import load_workbook
from web_support import text_of


def _file_name(response) -> str:
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="ledger.')  # an ASCII fallback
    return unquote(disposition.split("filename*=UTF-8''")[1])


def test_the_excel_download_is_named_and_filtered_like_the_page(browser, driver, org, clock):
    driver.raise_("standard", title="甲集团的问题")
    in_b = driver.raise_("standard", title="乙集团的问题", unit=org.group_b.id)
    today = clock().date().isoformat()
    response = browser("admin").get("/ledger.xlsx", query_string={"unit": org.group_b.id})
    assert response.status_code == 200 and response.is_streamed  # sent from the file
    assert _file_name(response) == f"整改台账-乙集团-{today}.xlsx"
    book = load_workbook(io.BytesIO(response.data))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [in_b["code"]]
    assert dict(book.worksheets[1].iter_rows(values_only=True))["合计"] == 1

    client = browser("admin")
    client.post("/language", data={"lang": "en"})
    english = client.get("/ledger.xlsx", query_string={"q": "乙集团"})
    assert _file_name(english) == f"Ledger-all-{today}.xlsx"
    sheet = load_workbook(io.BytesIO(english.data)).worksheets[0]
    assert sheet.title == f"Ledger-all-{today}" and sheet["A1"].value == "Code"


def test_the_csv_streams_only_what_the_user_sees(browser, driver, org):
    mine = driver.raise_("standard", title="Loading bay light out", unit=org.group_b.id)
    driver.raise_("standard", title="Sprinkler valve closed")  # group A: not handler B's
    response = browser("handler_b").get("/ledger.csv")
    assert response.status_code == 200 and response.is_streamed
    assert _file_name(response).startswith("整改台账-全部-")
    text = text_of(response)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert [r[0] for r in rows[1:]] == [mine["code"]]
    foreign = browser("handler_b").get("/ledger.csv", query_string={"unit": org.group_a.id})
    assert _file_name(foreign).startswith(f"整改台账-#{org.group_a.id}-")  # not 甲集团's name
    assert len(list(csv.reader(io.StringIO(text_of(foreign)[1:])))) == 1  # the header alone
