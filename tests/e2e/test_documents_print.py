"""The printable documents in Chromium: red header, the toolbar gone when printing, one A4 page
printed with the document's text, and no sideways scrolling on a 390 px phone."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from document_support import close_one, make_campaign
from pypdf import PdfReader

if TYPE_CHECKING:  # the fixtures' types, for reading only (conftest modules are not imported)
    from tests.conftest import Flow, Org
    from tests.e2e.conftest import LiveServer, Logins

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def test_the_printable_notice_prints_one_a4_page_without_the_toolbar(
        rectify: Any, org: Org, flow: Flow, live_server: LiveServer, logins: Logins,
        shots: Callable[[Any, str], Path]) -> None:
    finding = close_one(flow, make_campaign(rectify, org))
    page = logins.page("handler_a")
    page.goto(f"{live_server.url}/findings/{finding.id}/print/notice")
    shots(page, "document-notice-screen")
    assert page.locator(".red-header .issuer").evaluate("e => getComputedStyle(e).color") \
        == "rgb(230, 0, 18)"
    assert page.locator(".toolbar").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".toolbar").is_visible()
    pdf = PdfReader(BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    width, height = (float(v) * 25.4 / 72 for v in pdf.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (210, 297) and len(pdf.pages) == 1
    text = "".join(pdf.pages[0].extract_text().split())
    assert f"问题编号：{finding.code}" in text and "（盖章）" in text and "打印" not in text


@pytest.mark.parametrize("kind", ["notice", "closure", "list"])
def test_the_printable_documents_fit_a_phone(rectify: Any, org: Org, flow: Flow,
                                             live_server: LiveServer, logins: Logins,
                                             shots: Callable[[Any, str], Path], kind: str) -> None:
    finding = close_one(flow, make_campaign(rectify, org))
    page = logins.page("inspector", PHONE)
    path = (f"/campaigns/{finding.campaign_id}/print/list" if kind == "list"
            else f"/findings/{finding.id}/print/{kind}")
    page.goto(live_server.url + path)
    shots(page, f"document-{kind}-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator(".red-header .issuer").evaluate("e => getComputedStyle(e).textAlign") \
        == "center"
    assert finding.code in page.locator("article.sheet").inner_text()


def test_the_daily_report_fetches_its_fingerprint_and_prints_it(
        org: Org, flow: Flow, live_server: LiveServer, logins: Logins,
        shots: Callable[[Any, str], Path]) -> None:
    """The page comes without the fingerprint (it covers the whole record); print.js fetches
    it into the footer, so the printed page carries it with the command that checks it."""
    flow.raise_(unit=org.sub_a1.id)
    page = logins.page("supervisor")
    page.goto(f"{live_server.url}/reports/daily")
    page.locator("footer.daily-anchor .fingerprint").wait_for()
    shots(page, "daily-report-fingerprint")
    footer = page.locator("footer.daily-anchor").inner_text()
    assert "记录指纹" in footer and "rectify verify --anchor" in footer
    pdf = PdfReader(BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    text = "".join("".join(p.extract_text().split()) for p in pdf.pages)
    assert "记录指纹" in text and "rectifyverify--anchor" in text
