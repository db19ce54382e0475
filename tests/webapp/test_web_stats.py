"""The statistics on the dashboard: every counted number links to the ledger listing exactly that
many findings; the API gives the page's numbers; the Excel export opens; bad filters are named."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

from workflow.runtime import Rectify

Flow = Any
CLOSE = ("assign", "report_rectification", "revisit", "confirm")
_LINK = re.compile(r'<a href="([^"]+)" data-count="(\d+)">')
_TOTAL = re.compile(r'<b id="ledger-total">(\d+)</b>')


@pytest.fixture
def findings(flow: Flow, rectify: Rectify) -> None:
    """Problems in every stage at two groups, suggestions, one raised before the period."""
    org = flow.org
    flow.raise_(unit=org.group_b.id)  # before the period: never counted below
    rectify.clock.advance(days=2)
    flow.drive(flow.raise_().id, *CLOSE)
    flow.drive(flow.raise_(unit=org.sub_a1.id).id, "assign", "report_rectification", "revisit",
               "reject", "report_rectification", "revisit", "confirm")
    flow.drive(flow.raise_(unit=org.group_b.id, category="food_safety").id, "assign")
    flow.drive(flow.raise_(unit=org.group_b.id).id, "assign", "withdraw")
    flow.drive(flow.raise_("suggestion", by=org.supervisor, unit=org.group_b.id).id,
               "adopt", "report_implementation")
    flow.drive(flow.raise_("suggestion", by=org.supervisor).id, "decline")
    flow.raise_("suggestion", by=org.supervisor)
    rectify.clock.advance(days=20)  # the assigned one is overdue now


PERIOD = "from=2026-03-03&to=2026-03-31"


def _walk(client: FlaskClient, url: str) -> dict[str, int]:
    """Every counted number of a dashboard page by its ledger link, each link followed and the
    ledger's total checked against the number."""
    page = client.get(url)
    assert page.status_code == 200
    counted = {href: int(n) for href, n in _LINK.findall(page.get_data(as_text=True))}
    for href, shown in counted.items():
        listed = client.get(html.unescape(href))
        assert listed.status_code == 200, href
        total = _TOTAL.search(listed.get_data(as_text=True))
        assert total and int(total[1]) == shown, href
    return counted


def test_every_number_links_to_a_ledger_of_that_many_findings(
        findings: None, browser: Callable[[str], FlaskClient]) -> None:
    counted = _walk(browser("supervisor"), f"/dashboard?{PERIOD}")
    assert len(counted) > 40
    assert any(n > 0 for n in counted.values())


def test_the_own_findings_row_links_to_the_units_own_findings_only(
        findings: None, browser: Callable[[str], FlaskClient], org: Any) -> None:
    """甲集团 opened: its own row (findings at 甲集团 itself) links to the ledger with unit_only,
    which leaves out 甲一公司's finding that the subtree filter would list."""
    client = browser("supervisor")
    counted = _walk(client, f"/dashboard?{PERIOD}&unit={org.group_a.id}")
    own = {html.unescape(href): n for href, n in counted.items() if "unit_only=1" in href}
    assert len(own) == 5  # raised, open, confirmed, overdue, proposed
    raised = next(href for href in own if href.endswith("&stage=raised&unit_only=1"))
    assert own[raised] == 1 and f"unit={org.group_a.id}&" in raised
    subtree = client.get(raised.replace("&unit_only=1", "")).get_data(as_text=True)
    assert int(_TOTAL.search(subtree)[1]) == 2  # with 甲一公司's: not what the row counts


def test_the_api_gives_the_page_numbers(findings: None, api: Any,
                                        browser: Callable[[str], FlaskClient]) -> None:
    answer = api.get(f"/api/v1/stats?{PERIOD}", "supervisor")
    assert answer.status_code == 200
    totals = answer.json["totals"]
    assert (totals["raised"], totals["confirmed"], totals["open"]) == (3, 2, 1)
    assert (totals["proposed"], totals["adopted"], totals["implemented"]) == (3, 1, 1)
    assert totals["first_pass"] == 1 and totals["overdue"] == 1
    page = browser("supervisor").get(f"/dashboard?{PERIOD}").get_data(as_text=True)
    for kpi, name in (("kpi-total", "raised"), ("kpi-confirmed", "confirmed"),
                      ("kpi-overdue", "overdue")):
        shown = re.search(rf'id="{kpi}"><a href="[^"]+" data-count="(\d+)"', page)
        assert shown and int(shown[1]) == totals[name], kpi
    rate = re.search(r'id="kpi-rectification-rate">([\d.]+)%', page)
    assert rate and float(rate[1]) == round(totals["rectification_rate"] * 100, 1)


def test_the_excel_export_opens_with_a_row_per_unit(
        findings: None, browser: Callable[[str], FlaskClient]) -> None:
    answer = browser("supervisor").get(f"/dashboard.xlsx?{PERIOD}")
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.data))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("单位", "已登记", "未办结")  # the supervisor reads Chinese
    assert rows[-1][0] == "合计" and rows[-1][1] == 3
    assert len(book.sheetnames) == 5


def test_bad_filters_are_named(browser: Callable[[str], FlaskClient], api: Any) -> None:
    page = browser("supervisor").get("/dashboard?from=2026-13-01&bucket=day")
    assert page.status_code == 422
    for query, field in (("from=2026-03-10&to=2026-03-01", "to"),
                         ("as_of=2026-13-01T00:00", "as_of"), ("unit=\x00", "unit")):
        answer = api.get(f"/api/v1/stats?{query}", "supervisor")
        assert answer.status_code == 422
        assert set(answer.json["errors"]) == {field}


def test_a_unit_outside_the_scope_is_refused_without_its_name(
        browser: Callable[[str], FlaskClient], api: Any, rectify: Rectify) -> None:
    org = api.org  # the inspector sees the inspection body's subtree, not the commission above
    for unit in (org.commission.id, 999999):  # outside, or no such unit: the same answer
        answer = api.get(f"/api/v1/stats?unit={unit}", "inspector")
        assert answer.status_code == 422 and set(answer.json["errors"]) == {"unit"}
    page = browser("inspector").get(f"/dashboard?unit={org.commission.id}")
    assert page.status_code == 422 and "纪委监委" not in page.get_data(as_text=True)


def test_as_of_a_past_moment_every_number_links_to_the_ledger_as_of_then(
        findings: None, browser: Callable[[str], FlaskClient]) -> None:
    client = browser("supervisor")
    page = client.get(f"/dashboard?{PERIOD}&as_of=2026-03-10T00:00:00%2B08:00")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="as-of-note"' in text
    links = {href: int(n) for href, n in _LINK.findall(text)}
    assert len(links) > 40 and all("as_of=" in href for href in links)
    for href, shown in links.items():
        listed = client.get(html.unescape(href))
        total = _TOTAL.search(listed.get_data(as_text=True))
        assert listed.status_code == 200 and total and int(total[1]) == shown, href
    live = dict(_LINK.findall(client.get(f"/dashboard?{PERIOD}").get_data(as_text=True)))
    assert sorted(map(int, live.values())) != sorted(links.values())  # the past differs from now
