"""One ledger contract and one row builder: the page, the API, the CSV/Excel exports and the CLI
parse the same arguments the same way and show the same columns of a finding."""

from __future__ import annotations

import base64
import csv
import io
import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from web_support import assert_error, text_of

from workflow.cli import engine


@pytest.fixture
def run_ledger(rectify, tmp_path):
    def run(*args: str):
        env = {"RECTIFY_DATABASE_URL": rectify.settings.database_url,
               "RECTIFY_INSTANCE_PATH": str(tmp_path / "cli-instance")}
        return CliRunner().invoke(engine, ["ledger", *args], env=env)
    return run


@pytest.mark.parametrize(("query", "field"), [
    ({"state": "nosuch"}, "state"), ({"lifecycle": "nosuch"}, "lifecycle"),
    ({"category": "nosuch"}, "category"), ({"unit": "8.9"}, "unit"), ({"unit": "٨"}, "unit"),
    ({"open": "maybe"}, "open"), ({"sort": "title"}, "sort"),
    ({"stage": "closed"}, "stage"), ({"kind": "idea"}, "kind"),
    ({"raised_from": "2026-02-30"}, "raised_from"), ({"raised_by": "x"}, "raised_by"),
])
def test_page_api_and_exports_refuse_the_same_arguments(api, browser, org, query, field):
    error = assert_error(api.get("/api/v1/findings", org.inspector, query_string=query), 422)
    assert set(error["errors"]) == {field}
    client = browser("inspector")
    for url in ("/ledger", "/ledger.csv", "/ledger.xlsx"):
        response = client.get(url, query_string=query)
        assert response.status_code == 422, url
        assert field in text_of(response)


def test_the_cli_refuses_unknown_values_through_the_same_contract(run_ledger, org):
    result = run_ledger("--state", "nosuch")
    assert result.exit_code == 1 and "state: There is no state 'nosuch'." in result.output


def test_a_cursor_out_of_range_is_a_field_error_in_the_api_and_the_first_page_on_the_page(
        api, browser, driver, org):
    driver.raise_("standard", title="Only one finding here")
    cursor = base64.urlsafe_b64encode(json.dumps(["0001-01-01T00:00:00+14:00", 1]).encode())
    error = assert_error(api.get("/api/v1/findings", org.inspector,
                                 query_string={"cursor": cursor.decode()}), 422)
    assert set(error["errors"]) == {"cursor"}
    page = browser("inspector").get("/ledger", query_string={"cursor": cursor.decode()})
    assert page.status_code == 200 and "Only one finding here" in text_of(page)


def test_the_web_exports_and_rectify_export_write_the_same_rows(browser, driver, org, rectify,
                                                                 clock, tmp_path):
    driver.raise_("standard", title="Exit blocked", severity="high")
    assigned = driver.bring_to("standard", "assigned")
    clock.advance(days=30)  # past the assignment's due date: overdue
    exported = text_of(browser("admin").get("/ledger.csv")).lstrip("\ufeff")
    web = list(csv.reader(io.StringIO(exported)))
    target = tmp_path / "out.csv"
    env = {"RECTIFY_DATABASE_URL": rectify.settings.database_url,
           "RECTIFY_INSTANCE_PATH": str(tmp_path / "cli-instance")}
    result = CliRunner().invoke(engine, ["export", "--format", "csv", "--output", str(target)],
                                env=env)
    assert result.exit_code == 0, result.output
    cli = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert web[0] == cli[0] and web[0][:3] == ["编号", "问题标题", "问题描述"]
    days = web[0].index("逾期天数（工作日）")  # the CLI runs on the real clock, not the test's

    def rows(table):
        return sorted(row[:days] + row[days + 1:] for row in table[1:])

    assert rows(web) == rows(cli) and len(web) == 3
    light = {row[0]: row[cli[0].index("亮灯")] for row in web[1:]}
    assert light[assigned["code"]] == "红灯"
    book = load_workbook(io.BytesIO(browser("admin").get("/ledger.xlsx").data))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert sorted(r[0] for r in rows[1:]) == sorted(r[0] for r in web[1:])


def test_the_finding_table_marks_overdue_like_the_api(api, browser, driver, org, clock):
    finding = driver.bring_to("standard", "assigned")
    clock.advance(days=30)
    assert api.get(f"/api/v1/findings/{finding['id']}", org.admin).get_json()["overdue"] is True
    page = text_of(browser("admin").get("/ledger"))
    assert 'class="overdue"' in page and "逾期" in page
