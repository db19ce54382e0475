"""How evidence files are served for the viewer: inline only for images and PDFs, never sniffed,
under a CSP of their own, and only to someone who may see them."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace
from typing import Any

import pytest

from web.api.attachments import served_headers

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def on_a_finding(api: Any, driver: Any, org: Any, data: bytes, name: str) -> str:
    """Upload as handler_a and report it as the rectification of a group_a finding."""
    url = api.upload(org.handler_a, data, name).get_json()["url"]
    finding = driver.bring_to("standard", "assigned")
    assert driver.fire(finding["id"], "report_rectification", org.handler_a, payload={
        "measures": "Boxes moved", "evidence": [hashlib.sha256(data).hexdigest()]}
    ).status_code == 200
    return str(url)


def test_a_pdf_is_shown_inline_framable_by_our_pages_only(api: Any, driver: Any, org: Any) -> None:
    url = on_a_finding(api, driver, org, PDF, "报告.pdf")
    shown = api.get(url, org.reviewer)
    assert shown.status_code == 200 and shown.data == PDF and shown.mimetype == "application/pdf"
    assert shown.headers["Content-Disposition"] == "inline; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    assert shown.headers["X-Frame-Options"] == "SAMEORIGIN"
    csp = shown.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'self'" in csp
    download = api.get(url + "?download=1", org.reviewer)
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert download.headers["X-Frame-Options"] == "DENY"


def test_an_image_is_inline_and_sandboxed(api: Any, driver: Any, org: Any, png: Any) -> None:
    url = on_a_finding(api, driver, org, png(7), "after.png")
    shown = api.get(url, org.supervisor)
    assert shown.headers["Content-Disposition"] == "inline; filename*=UTF-8''after.png"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    csp = shown.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp and "frame-ancestors 'none'" in csp


def test_someone_outside_the_scope_gets_a_404(api: Any, driver: Any, org: Any) -> None:
    url = on_a_finding(api, driver, org, PDF, "report.pdf")
    assert api.get(url, org.handler_b).status_code == 404  # group_b's handler
    assert api.get(url, org.handler_a).status_code == 200


@pytest.mark.parametrize("media_type", ["text/html", "image/svg+xml", "application/octet-stream"])
def test_any_other_type_is_only_ever_an_attachment(media_type: str) -> None:
    row = SimpleNamespace(media_type=media_type, original_name="x.html")
    headers = served_headers(row, download=False)  # type: ignore[arg-type]
    assert headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
